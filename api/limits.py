"""Rate limits (flask-limiter) on matching and on writes, per client: the API key's hash when
one is sent (so keys are never stored or logged in clear), else the client's address.
A breach is a 429 with the one JSON error shape and a Retry-After header."""

from __future__ import annotations

from flask import Flask, request
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
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.startswith(WRITES):
            app.view_functions[endpoint] = limiter.limit(settings.rate_limit_write)(view)
        elif endpoint.startswith(MATCHING) or endpoint == "web.start":
            app.view_functions[endpoint] = limiter.limit(settings.rate_limit_match)(view)
    return limiter
