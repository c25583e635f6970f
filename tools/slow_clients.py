"""Slow clients against a running server, and how `/health` is answered meanwhile.

    python -m tools.slow_clients --target http://127.0.0.1:8000 --sockets 16 --seconds 12

N sockets each send the complete headers of a `POST /api/v1/feedback` announcing a body of
1,000 bytes, then one body byte a second, never the whole body. Meanwhile `GET /health` is
probed every half second (from the third second on, each probe on its own connection and
thread, with a timeout). The slow sockets are held until the last probe is answered or timed
out, at most `--seconds` plus the probe timeout in all, then closed; nothing is left running.

A bare `matcher serve` (2 workers × 8 threads) gives each slow body a thread until it is
complete; behind the shipped nginx configuration (deploy/nginx/matcher.conf) nginx holds them.
Run it only against servers of your own.
"""

from __future__ import annotations

import argparse
import http.client
import select
import socket
import ssl
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

BODY_BYTES = 1000  # the Content-Length each slow client announces and never completes
TICK = 1.0  # seconds between two body bytes of a slow client
PROBE_EVERY = 0.5  # seconds between two /health probes
PROBE_TIMEOUT = 8.0  # a probe not answered within this many seconds counts as unanswered
WARM_UP = 2.0  # seconds of trickling before the first probe: the slow clients are in place
CONNECT_TIMEOUT = 5.0  # seconds to open one slow socket
SEND_TIMEOUT = 1.0  # a slow socket that cannot take one more byte within this is given up


@dataclass
class Probe:
    at: float  # seconds after the attack began
    status: int | None = None  # None: no answer (timeout or a broken connection)
    seconds: float = 0.0
    error: str = ""


@dataclass
class Report:
    target: str
    sockets: int  # slow sockets asked for
    connected: int = 0  # slow sockets opened, their headers sent
    held: int = 0  # slow sockets the server still held open, unanswered, at the end
    seconds: float = 0.0  # how long the slow sockets were held
    probe_timeout: float = PROBE_TIMEOUT
    probes: list[Probe] = field(default_factory=list)

    def _ok(self, probe: Probe) -> bool:
        return probe.status == 200 and probe.seconds <= self.probe_timeout

    @property
    def answered(self) -> list[Probe]:
        """Probes answered 200 within the probe timeout."""
        return [p for p in self.probes if self._ok(p)]

    def latencies(self) -> list[float]:
        return sorted(p.seconds for p in self.answered)

    def summary(self) -> str:
        times = self.latencies()
        figures = (
            f"p50 {statistics.median(times):.3f} s, max {times[-1]:.3f} s" if times else "none"
        )
        failed = [p for p in self.probes if not self._ok(p)]
        lines = [
            f"{self.target}: {self.sockets} slow sockets ({self.connected} connected, "
            f"{self.held} still held open at the end), {self.seconds:.1f} s",
            f"/health: {len(self.answered)} of {len(self.probes)} probes answered 200 within "
            f"{self.probe_timeout:g} s; latency of the answered: {figures}",
        ]
        lines += [
            f"  probe at {p.at:4.1f} s: {p.status or 'no answer'} after {p.seconds:.3f} s"
            + (f" ({p.error})" if p.error else "")
            for p in failed
        ]
        return "\n".join(lines)


def _connect(url, timeout: float) -> socket.socket:
    port = url.port or (443 if url.scheme == "https" else 80)
    sock = socket.create_connection((url.hostname, port), timeout=timeout)
    if url.scheme == "https":
        sock = ssl.create_default_context().wrap_socket(sock, server_hostname=url.hostname)
    return sock


def _slow_request(url) -> bytes:
    return (
        f"POST {url.path.rstrip('/')}/api/v1/feedback HTTP/1.1\r\n"
        f"Host: {url.netloc}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {BODY_BYTES}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()


def _probe(url, probe: Probe, timeout: float) -> None:
    """GET /health on a connection of its own; fills in `probe`."""
    kind = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    started = time.monotonic()
    connection = kind(url.hostname, url.port, timeout=timeout)
    try:
        connection.request("GET", url.path.rstrip("/") + "/health")
        response = connection.getresponse()
        response.read()
        probe.status = response.status
    except (OSError, http.client.HTTPException) as exc:
        probe.error = type(exc).__name__
    finally:
        probe.seconds = time.monotonic() - started
        connection.close()


def _still_held(sock: socket.socket) -> bool:
    """True if the server has neither answered nor closed this socket (nothing to read)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


def attack(
    target: str,
    sockets: int = 50,
    seconds: float = 12.0,
    probe_every: float = PROBE_EVERY,
    probe_timeout: float = PROBE_TIMEOUT,
    warm_up: float = WARM_UP,
) -> Report:
    """Hold `sockets` slow clients on `target` (a base URL) and probe /health from `warm_up`
    until `seconds`; the slow clients stay until every probe is done (at most `probe_timeout`
    longer), then all is closed. Returns the report."""
    url = urlsplit(target)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ValueError(f"not an http(s) base URL: {target}")
    report = Report(target, sockets, probe_timeout=probe_timeout)
    header = _slow_request(url)
    began = time.monotonic()
    slow: list[socket.socket] = []
    broken: set[int] = set()  # indexes of slow sockets whose sending failed
    done = threading.Event()
    probes: list[threading.Thread] = []
    try:
        for _ in range(sockets):
            try:
                sock = _connect(url, CONNECT_TIMEOUT)
                sock.settimeout(SEND_TIMEOUT)
                sock.sendall(header)
            except OSError:
                continue
            slow.append(sock)
        report.connected = len(slow)

        def trickle() -> None:  # one body byte per slow socket every TICK, until `done`
            while not done.wait(TICK):
                for n, sock in enumerate(slow):
                    if n in broken:
                        continue
                    try:
                        sock.sendall(b" ")
                    except OSError:
                        broken.add(n)

        trickler = threading.Thread(target=trickle, daemon=True)
        trickler.start()
        at = warm_up
        while at < seconds:
            time.sleep(max(0.0, began + at - time.monotonic()))
            probe = Probe(at=round(time.monotonic() - began, 2))
            report.probes.append(probe)
            thread = threading.Thread(target=_probe, args=(url, probe, probe_timeout), daemon=True)
            thread.start()
            probes.append(thread)
            at += probe_every
        for thread in probes:  # each probe ends within its timeout (connect, then read)
            thread.join(timeout=2 * probe_timeout + 1)
        done.set()
        trickler.join(timeout=SEND_TIMEOUT * max(1, len(slow)) + TICK)
        report.held = sum(1 for n, sock in enumerate(slow) if n not in broken and _still_held(sock))
        report.seconds = time.monotonic() - began
    finally:
        done.set()
        for sock in slow:
            sock.close()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.slow_clients",
        description="Slow clients (headers, then a body byte a second) against a server of "
        "your own, while GET /health is probed; prints how many probes were answered.",
    )
    parser.add_argument("--target", default="http://127.0.0.1:8000", help="base URL")
    parser.add_argument("--sockets", type=int, default=50, help="slow clients at once")
    parser.add_argument(
        "--seconds", type=float, default=12.0, help="probing lasts until then (from 2 s on)"
    )
    parser.add_argument("--probe-timeout", type=float, default=PROBE_TIMEOUT)
    args = parser.parse_args(argv)
    if args.sockets < 0 or args.seconds <= WARM_UP:
        parser.error(f"--sockets must be ≥ 0 and --seconds more than {WARM_UP:g}")
    try:
        report = attack(args.target, args.sockets, args.seconds, probe_timeout=args.probe_timeout)
    except ValueError as exc:
        parser.error(str(exc))
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
