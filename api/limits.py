"""Rate limits (flask-limiter) on matching and on writes, per client: a *valid* API key's hash
(so keys are never stored or logged in clear), else the client's address, so that made-up keys
get no budget of their own. All matching endpoints (and the challenge page) share one budget per
client, all writes another. A breach is a 429 with the one JSON error shape."""

from __future__ import annotations

from typing import cast

from flask import Flask, Response, current_app, request
from flask.typing import RouteCallable
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

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
        client_key, app=app, storage_uri=settings.rate_limit_storage, headers_enabled=True
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
