"""/match over HTTP against the production server (`matcher serve`: gunicorn workers).

Starts the server as users do, on a free port of 127.0.0.1, and measures: start-up time to
the first answer, resident memory of each worker, single-client latency (every text new to
the server, then repeated), and throughput with several concurrent clients.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.encoder_alone import EncoderProcesses, fresh_text
from benchmarks.stats import percentiles, timed
from matcher.embeddings import Encoder


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive connection posting /api/v1/match."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def match(self, text: str, k: int = 10) -> float:
        body = json.dumps({"text": text, "k": k})
        start = time.perf_counter()
        self.conn.request("POST", "/api/v1/match", body, {"Content-Type": "application/json"})
        response = self.conn.getresponse()
        response.read()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status != 200:
            raise RuntimeError(f"/match answered {response.status}")
        return elapsed

    def close(self) -> None:
        self.conn.close()


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def _memory(pid: int) -> dict[str, float]:
    """RSS and PSS (shared pages divided among the processes sharing them) in MiB."""
    figures = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("Rss", "Pss"):
                figures[key.lower() + "_mib"] = int(rest.split()[0]) / 1024
    except OSError:
        pass
    return figures


class Server:
    """`matcher serve` in a subprocess, stopped on exit."""

    def __init__(self, home: Path, workers: int, encoder: str, db_url: str | None = None) -> None:
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHER_")}
        # The encoder the home was built with: another one would re-encode the whole catalog.
        env.update(
            MATCHER_HOME=str(home),
            MATCHER_ENCODER=encoder,
            MATCHER_PROGRESS="false",
            MATCHER_RATE_LIMIT_MATCH="1000000 per minute",
            HF_HUB_OFFLINE="1",
        )
        if db_url:
            env["MATCHER_DB_URL"] = db_url
        self.log = (home / "bench-server.log").open("w")
        argv = [sys.executable, "-m", "matcher.cli", "serve", "--port", str(self.port)]
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [*argv, "--workers", str(workers)], env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_first_answer(self, text: str, timeout: float = 300) -> float:
        """Seconds from start to the first successful /match."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited; see {self.log.name}")
            try:
                client = Client(self.port)
                client.match(text)
                client.close()
                return time.perf_counter() - self.started
            except (OSError, RuntimeError, http.client.HTTPException):
                time.sleep(0.2)
        raise RuntimeError("server did not answer in time")

    def memory(self) -> dict:
        workers = _children(self.process.pid)
        return {
            "master": _memory(self.process.pid),
            "workers": [_memory(pid) for pid in workers],
        }

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def _throughput(
    port: int, texts: list[str], clients: int, seconds: float, fresh: bool, first: int = 0
) -> dict:
    """Matches per second with `clients` concurrent keep-alive clients for `seconds`; with
    `fresh`, every request's text is new (a numbered variant from number `first` on, far
    apart for each call), so each one is encoded."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker(offset: int) -> None:
        client = Client(port)
        i = first + offset
        mine = []
        try:
            while time.perf_counter() < stop_at:
                mine.append(client.match(fresh_text(texts, i) if fresh else texts[i % len(texts)]))
                i += clients
        except Exception as exc:  # noqa: BLE001 - counted and reported, not raised
            with lock:
                errors.append(repr(exc))
        finally:
            client.close()
            with lock:
                latencies.extend(mine)

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return {
        "clients": clients,
        "seconds": elapsed,
        "requests": len(latencies),
        "per_second": len(latencies) / elapsed,
        "errors": len(errors),
        "latency": percentiles(latencies),
        "samples": latencies,
    }


def _merged(rounds: list[dict]) -> dict:
    """Throughput rounds as one."""
    requests = sum(r["requests"] for r in rounds)
    seconds = sum(r["seconds"] for r in rounds)
    return {
        "clients": rounds[0]["clients"],
        "seconds": seconds,
        "requests": requests,
        "per_second": requests / seconds,
        "errors": sum(r["errors"] for r in rounds),
        "latency": percentiles([ms for r in rounds for ms in r.pop("samples")]),
    }


def run(
    home: Path,
    texts: list[str],
    workers: int = 2,
    clients: int = 8,
    seconds: float = 10.0,
    db_url: str | None = None,
    encoder: Encoder | None = None,
    alone: EncoderProcesses | None = None,
    rounds: int = 4,
    *,
    encoder_name: str,
) -> dict:
    """HTTP figures for the server on `home` (whose index must be built with `encoder_name`).

    Side by side on a shared machine: with `encoder`, the bench encodes each text itself
    right before asking the server (the new texts' latency is compared with that); with
    `alone`, the new-text throughput is measured in `rounds` that alternate with rounds of
    those encoder processes.
    """
    server = Server(home, workers, encoder_name, db_url)
    try:
        startup = server.wait_first_answer(texts[0])
        client = Client(server.port)
        # Every text is new to the server once (workers keep their own query caches).
        cold, encode = [], []
        for t in texts[1:]:
            if encoder is not None:
                encode.append(timed(encoder.encode_query, t)[1])
            cold.append(client.match(t))
        warm = [client.match(t) for t in texts[1:]]
        client.close()
        repeated = _throughput(server.port, texts, clients, seconds / 2, fresh=False)
        repeated.pop("samples")
        new = []
        for n in range(rounds):
            first = n * 1_000_000
            new.append(_throughput(server.port, texts, clients, seconds / 2 / rounds, True, first))
            if alone is not None:
                alone.round(seconds / 2 / rounds)
        memory = server.memory()
    finally:
        server.stop()
    out = {
        "workers": workers,
        "startup_s": startup,
        "latency_new_text": percentiles(cold),
        "latency_repeated_text": percentiles(warm),
        "throughput_repeated_texts": repeated,
        "throughput_new_texts": _merged(new),
        "memory": memory,
    }
    if encode:
        out["encode_side_by_side"] = percentiles(encode)
    if alone is not None:
        out["encoder_alone"] = alone.figures()
    return out
