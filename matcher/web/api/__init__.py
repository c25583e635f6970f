"""The JSON API under /api/v1: its operations (`entities`, `matching`, `meta`, `funding`), their
request and response models, and what it checks of every request before a view runs."""

from __future__ import annotations

from flask import redirect, request
from flask_openapi3 import OpenAPI

from matcher.domain.errors import ValidationError
from matcher.web.api import documents as documents_api
from matcher.web.api import entities, funding, matching, meta, testfields
from matcher.web.api import exchange as exchange_api
from matcher.web.core import errors
from matcher.web.core.current import role

# Deeper than any request model needs (a match request is 3 levels deep).
MAX_JSON_DEPTH = 16
# Requests here always get the JSON error shape, never a page.
JSON_PATHS = ("/api/", "/health", "/openapi")


def install(app: OpenAPI) -> None:
    """Register the API's operations and its checks on `app`."""
    errors.claim_json_paths(app, *JSON_PATHS)
    app.before_request(_known_key_only)
    app.before_request(_shallow_json_only)
    for part in (matching, entities, meta, funding, testfields, documents_api):
        app.register_api(part.api)
    app.register_api(exchange_api.api)  # /groups, /events, a town's exchange
    app.add_url_rule("/openapi.json", "openapi_json", lambda: app.api_doc)
    app.add_url_rule("/docs", "docs", lambda: redirect("/openapi/swagger"))


def _known_key_only() -> None:
    """A request to the API that presents a key must present a known one (401), on every
    endpoint: made-up keys are neither a way in nor a budget of their own."""
    if request.path.startswith("/api/") and request.headers.get("Authorization"):
        role()


def _shallow_json_only() -> None:
    """A JSON body nested deeper than any request model is refused (400) before it reaches
    validation, where a thousand levels exhausted Python's recursion (a 500)."""
    if not request.is_json or not request.content_length:
        return
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        body = None
        depth = MAX_JSON_DEPTH + 1
    else:
        depth = _depth(body)
    if depth > MAX_JSON_DEPTH:
        raise ValidationError(
            f"body: JSON nested deeper than {MAX_JSON_DEPTH} levels", [("body", "too deep")]
        )


def _depth(value: object) -> int:
    """Nesting depth of parsed JSON (containers only), without recursion."""
    deepest, stack = 0, [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_JSON_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item
        stack.extend((v, level + 1) for v in children if isinstance(v, dict | list))
    return deepest
