"""What the encoder alone reaches on these cores, set up as `matcher serve` sets up its workers.

The bound for /match throughput on new texts: `workers` processes, each with the encoder on
cores ÷ workers threads (as `matcher serve` gives each worker), each encoding one new text at a
time (as a worker encodes one request at a time) for the same seconds. They start together on
a signal, once every model is loaded.

Run as a module, it is one of those processes: it reads its texts from a JSON file, prints
"ready", then for each line on stdin (seconds) encodes for that long and prints its count and
seconds as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def fresh_text(texts: list[str], i: int) -> str:
    """The i-th new text: a numbered variant of a bench text (never in any cache)."""
    return f"{texts[i % len(texts)]} (Anfrage {i})"


class EncoderProcesses:
    """`processes` encoder processes, loaded once, that encode side by side in rounds (so that
    rounds can alternate with the server's and both see the same load on a shared machine)."""

    def __init__(
        self, encoder: str, texts: list[str], processes: int, threads: int | None = None
    ) -> None:
        self.processes = processes
        self.threads = threads or max(1, (os.cpu_count() or 1) // processes)
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(self.threads))
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
            json.dump(texts, f, ensure_ascii=False)
        self._texts = f.name
        self._children: list[subprocess.Popen] = []
        for n in range(processes):
            argv = [sys.executable, "-m", "benchmarks.encoder_alone", encoder, str(self.threads)]
            self._children.append(
                subprocess.Popen(
                    [*argv, f.name, str(n), str(processes)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                    env=env,
                    cwd=Path(__file__).resolve().parent.parent,
                )
            )
        for child in self._children:
            if self._read(child) != "ready":
                raise RuntimeError("an encoder process did not start")
        self.encoded, self.seconds = 0, 0.0

    @staticmethod
    def _read(child: subprocess.Popen) -> str:
        assert child.stdout is not None
        return child.stdout.readline().strip()

    def round(self, seconds: float) -> None:
        """Every process encodes new texts, one at a time, for `seconds`."""
        for child in self._children:
            assert child.stdin is not None
            child.stdin.write(f"{seconds}\n")
            child.stdin.flush()
        results = [json.loads(self._read(child)) for child in self._children]
        self.encoded += sum(r["encoded"] for r in results)
        self.seconds += max(r["seconds"] for r in results)

    def figures(self) -> dict:
        return {
            "processes": self.processes,
            "threads": self.threads,
            "encoded": self.encoded,
            "seconds": self.seconds,
            "per_second": self.encoded / self.seconds if self.seconds else float("nan"),
        }

    def close(self) -> None:
        for child in self._children:
            if child.poll() is None:
                child.kill()
            child.wait()
        os.unlink(self._texts)


def _child(encoder: str, threads: int, path: str, offset: int, step: int) -> None:
    from matcher.embeddings import create_encoder

    texts = json.loads(Path(path).read_text(encoding="utf-8"))
    model = create_encoder(encoder, threads)
    model.encode_query("Aufwärmen")
    print("ready", flush=True)
    i = offset
    for line in sys.stdin:
        encoded = 0
        start = time.perf_counter()
        stop_at = start + float(line)
        while time.perf_counter() < stop_at:
            model.encode_query(fresh_text(texts, i))
            i += step
            encoded += 1
        print(json.dumps({"encoded": encoded, "seconds": time.perf_counter() - start}), flush=True)


if __name__ == "__main__":
    name, n_threads, texts_path, first, every = sys.argv[1:6]
    _child(name, int(n_threads), texts_path, int(first), int(every))
