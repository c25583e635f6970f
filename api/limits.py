"""Rate limits (flask-limiter) on matching and on writes, per client: a *valid* API key's hash
(so keys are never stored or logged in clear), else the client's address, so that made-up keys
get no budget of their own. All matching endpoints (and the challenge page) share one budget per
client, all writes another. A breach is a 429 with the one JSON error shape."""

from __future__ import annotations

import threading
import time
from typing import cast

from flask import Flask, Response, current_app, request
from flask.typing import RouteCallable
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import MemoryStorage

from matcher.config import Settings
from matcher.keys import KeyRing, hash_key

MATCHING = ("matching.",)
WRITES = (
    "entities.create_",
    "entities.replace_",
    "entities.delete_",
    "entities.import_",
    "meta.feedback",
    "web.feedback",
    "account.post_",  # sign-in and the account pages' forms
)


class SweptMemoryStorage(MemoryStorage):
    """limits' in-process counters, swept of expired windows at most once a second by the
    request that counts, instead of by a timer thread that the parent class starts anew 10 ms
    after the last one ended: under load a thread start and a wake-up per request (about 6 % of
    a worker's samples with the fast encoder, py-spy). Expired counts are dropped on reading
    either way (the parent's `get`); the sweep only frees the memory of clients gone quiet."""

    STORAGE_SCHEME = ["swept-memory"]
    SWEEP_EVERY = 1.0  # seconds

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        super().__init__(uri, wrap_exceptions, **options)
        self._sweep_lock = threading.Lock()
        self._next_sweep = 0.0

    # The parent calls this (name-mangled) before every count; tests/api/test_limits.py checks
    # that no thread is started, so an upgrade of `limits` that renames it is noticed.
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now < self._next_sweep or not self._sweep_lock.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + self.SWEEP_EVERY
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]
        finally:
            self._sweep_lock.release()


def storage_uri(configured: str) -> str:
    """The limiter's storage: the in-process counters without their timer thread for the
    default `memory://`, any other (e.g. `redis://…`, shared by instances) as configured."""
    return "swept-memory://" if configured == "memory://" else configured


def client_key() -> str:
    """The key's hash if the request carries a valid API key, else the client's address."""
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    keys: KeyRing = current_app.extensions["matcher_keys"]
    if token and keys.role_for(token) is not None:
        return "key:" + hash_key(token)[:16]
    return "ip:" + get_remote_address()


def retry_after_only_on_429(response: Response) -> Response:
    """Drop the limiter's Retry-After from answers that are not a 429: it tells a client to
    wait, which only a refused request should hear (the X-RateLimit-* headers stay)."""
    if response.status_code != 429:
        response.headers.pop("Retry-After", None)
    return response


def install(app: Flask, settings: Settings) -> Limiter:
    """Wrap the matching and writing views of an app in their limits."""
    # Registered before the limiter's own after-request hook, so it runs after it (Flask runs
    # these hooks in reverse order of registration) and sees the headers it added.
    app.after_request(retry_after_only_on_429)
    limiter = Limiter(
        client_key,
        app=app,
        storage_uri=storage_uri(settings.rate_limit_storage),
        headers_enabled=True,
    )
    # The limit decorator returns a wrapper with the view's own signature (Callable[P, R] ->
    # Callable[P, R]), so a wrapped view is a RouteCallable again; mypy cannot solve R for
    # Flask's union RouteCallable and widens it, hence the casts.
    writes = limiter.shared_limit(settings.rate_limit_write, scope="writes")
    matching = limiter.shared_limit(settings.rate_limit_match, scope="matching")
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.startswith(WRITES):
            app.view_functions[endpoint] = cast(RouteCallable, writes(view))
        elif endpoint.startswith(MATCHING) or endpoint == "web.start":
            app.view_functions[endpoint] = cast(RouteCallable, matching(view))
    return limiter
