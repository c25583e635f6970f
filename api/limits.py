"""Rate limits (flask-limiter) on matching and on writes, per client: the API key's hash when
one is sent (so keys are never stored or logged in clear), else the client's address.
A breach is a 429 with the one JSON error shape and a Retry-After header."""

from __future__ import annotations

from typing import cast

from flask import Flask, request
from flask.typing import RouteCallable
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from matcher.config import Settings
from matcher.keys import hash_key

MATCHING = ("matching.",)
WRITES = (
    "entities.create_",
    "entities.replace_",
    "entities.delete_",
    "entities.import_",
    "meta.feedback",
    "web.feedback",
)


def client_key() -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer ") and header[7:].strip():
        return "key:" + hash_key(header[7:].strip())[:16]
    return "ip:" + get_remote_address()


def install(app: Flask, settings: Settings) -> Limiter:
    """Wrap the matching and writing views of an app in their limits."""
    limiter = Limiter(
        client_key, app=app, storage_uri=settings.rate_limit_storage, headers_enabled=True
    )
    # The limit decorator returns a wrapper with the view's own signature (Callable[P, R] ->
    # Callable[P, R]), so a wrapped view is a RouteCallable again; mypy cannot solve R for
    # Flask's union RouteCallable and widens it, hence the casts.
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.startswith(WRITES):
            wrapped = limiter.limit(settings.rate_limit_write)(view)
            app.view_functions[endpoint] = cast(RouteCallable, wrapped)
        elif endpoint.startswith(MATCHING) or endpoint == "web.start":
            wrapped = limiter.limit(settings.rate_limit_match)(view)
            app.view_functions[endpoint] = cast(RouteCallable, wrapped)
    return limiter
