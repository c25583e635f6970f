"""Small helpers for benchmark figures: timers, percentiles, process memory."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import numpy as np


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """Median, p95 and p99 (and the count) of timings in milliseconds."""
    if not samples_ms:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "p99": float("nan")}
    values = np.asarray(samples_ms, dtype=np.float64)
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return {"n": len(samples_ms), "p50": float(p50), "p95": float(p95), "p99": float(p99)}


def timed(fn: Callable, *args, **kwargs) -> tuple[object, float]:
    """(result, elapsed milliseconds)."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, (time.perf_counter() - start) * 1000


def rss_mib(pid: int | None = None) -> float:
    """Resident memory of a process in MiB (Linux /proc)."""
    path = f"/proc/{pid or os.getpid()}/status"
    with open(path) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def ratio(a: float, b: float) -> float:
    """a ÷ b, NaN when b is zero or missing."""
    return a / b if b else float("nan")
