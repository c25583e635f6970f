"""Rate limits (flask-limiter), per client: a *valid* API key's hash (so keys are never stored
or logged in clear), else the client's address (behind `trusted_proxies` reverse proxies, the
one they name in X-Forwarded-For), so that made-up keys get no budget of their own.

A view declares its budget where it is declared (`@limited("matching")`), and `install` wraps
every view that has one; a test checks that every route that matches or writes has one. The
budgets: every view that runs matching (API and pages) shares one, writes another, sign-in and
feedback each their own (so that feedback from one address never locks a correct sign-in out),
and list reads that carry contact addresses (with a key) one more. A breach is a 429 with the
one JSON error shape (a German page on the pages). With `memory://` each worker process counts
alone: with N workers a client may reach up to N times a limit (a shared `redis://` store counts
once)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any, Literal, TypeVar, cast, get_args

from flask import Flask, Response, current_app, request
from flask.typing import RouteCallable
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import MemoryStorage

from matcher.config import Settings
from matcher.keys import KeyRing, hash_key

Budget = Literal["matching", "writes", "signin", "feedback", "contacts"]
BUDGETS: tuple[str, ...] = get_args(Budget)
_MARK = "matcher_budget"
V = TypeVar("V", bound=Callable[..., Any])


def limited(budget: Budget) -> Callable[[V], V]:
    """Declare a view's rate-limit budget (put it below the route decorator, so that the view
    registered carries it); `install` applies it."""

    def mark(view: V) -> V:
        setattr(view, _MARK, budget)
        return view

    return mark


def budget_of(view: Callable[..., Any]) -> str | None:
    """The budget a view declared (wrappers made with functools.wraps keep it), or None."""
    found = getattr(view, _MARK, None)
    return found if isinstance(found, str) else None


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

    # The parent calls this (name-mangled) before every count; tests/web/core/test_limits.py checks
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


def client_id() -> str:
    """Who a request comes from, for what the data keeps (feedback): the key's hash, or the
    address hashed (no address is stored in clear)."""
    key = client_key()
    if key.startswith("ip:"):
        return "ip:" + hashlib.sha256(key.encode()).hexdigest()[:16]
    return key


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
    wrap = {
        "matching": limiter.shared_limit(settings.rate_limit_match, scope="matching"),
        "writes": limiter.shared_limit(settings.rate_limit_write, scope="writes"),
        "signin": limiter.shared_limit(settings.rate_limit_signin, scope="signin"),
        "feedback": limiter.shared_limit(settings.rate_limit_feedback, scope="feedback"),
        "contacts": limiter.shared_limit(
            settings.rate_limit_contacts, scope="contacts", exempt_when=_without_key
        ),
    }
    for endpoint, view in list(app.view_functions.items()):
        budget = budget_of(view)
        if budget is not None:
            app.view_functions[endpoint] = cast(RouteCallable, wrap[budget](view))
    return limiter


def _without_key() -> bool:
    """Anonymous list reads carry no contact address: the contacts budget does not count them."""
    return not request.headers.get("Authorization")
