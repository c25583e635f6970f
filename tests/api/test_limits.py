"""The limiter's in-process storage: counts like limits' own, without a timer thread."""

import threading
import time

from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from api.limits import SweptMemoryStorage, storage_uri


def test_the_default_storage_is_the_swept_one_registered_with_limits():
    assert storage_uri("memory://") == "swept-memory://"
    assert storage_uri("redis://cache:6379") == "redis://cache:6379"
    assert type(storage_from_string(storage_uri("memory://"))) is SweptMemoryStorage


def test_counting_starts_no_thread(monkeypatch):
    """limits' MemoryStorage starts a timer thread 10 ms after the last one ended: a thread
    per request under load. If an upgrade renames the hook this class replaces, this fails."""
    storage = SweptMemoryStorage()  # the parent's constructor starts one, once
    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self))
    limiter = FixedWindowRateLimiter(storage)
    limit = RateLimitItemPerSecond(1000)
    for _ in range(50):
        assert limiter.hit(limit, "client")
        time.sleep(0.001)
    assert started == []


def test_a_window_refuses_over_the_limit_and_starts_again_when_it_ends():
    limiter = FixedWindowRateLimiter(SweptMemoryStorage())
    limit = RateLimitItemPerSecond(2)
    assert limiter.hit(limit, "a") and limiter.hit(limit, "a")
    assert not limiter.hit(limit, "a")
    assert limiter.hit(limit, "b")  # per client
    time.sleep(1.05)
    assert limiter.hit(limit, "a")


def test_the_counts_of_quiet_clients_are_swept_by_a_later_request(monkeypatch):
    storage = SweptMemoryStorage()
    monkeypatch.setattr(SweptMemoryStorage, "SWEEP_EVERY", 0.0)
    storage.incr("quiet", 0.01)
    assert "quiet" in storage.storage
    time.sleep(0.05)
    storage.incr("busy", 60)
    assert "quiet" not in storage.storage and "quiet" not in storage.expirations
    assert storage.get("busy") == 1
