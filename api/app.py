"""Application factory: settings → service → Flask app with its routes and error handlers."""

from __future__ import annotations

import logging
from typing import Any

from flask import redirect, request
from flask.json.provider import DefaultJSONProvider
from flask_openapi3 import Info, OpenAPI
from flask_openapi3.models import SecurityScheme
from werkzeug.middleware.proxy_fix import ProxyFix

from api import errors, limits
from api.account import account
from api.browse import browse
from api.routes import entities, matching, meta
from api.routes.common import release_snapshot, role
from api.web import security_headers, web
from matcher.config import Settings, load_settings
from matcher.domain.errors import ValidationError
from matcher.keys import KeyRing
from matcher.service import MatcherService

log = logging.getLogger(__name__)

# Deeper than any request model needs (a match request is 3 levels deep).
MAX_JSON_DEPTH = 16
SECURITY: dict[str, SecurityScheme | dict[str, Any]] = {
    "bearer": {"type": "http", "scheme": "bearer"}
}


def create_app(
    settings: Settings | None = None,
    service: MatcherService | None = None,
    test_config: dict | None = None,
) -> OpenAPI:
    """Build the app. The service is opened here (index reconciled with the database)."""
    settings = settings or load_settings()
    app = OpenAPI(
        __name__,
        info=Info(
            title="Smart Region Matcher",
            version="1.0",
            description="Matching von Herausforderungen, Projekten, Kommunen und Anbietern",
        ),
        security_schemes=SECURITY,
        validation_error_status=400,
        validation_error_model=errors.ErrorResponse,
        validation_error_callback=errors.validation_response,
        doc_prefix="/openapi",
        doc_url="/openapi.json",
    )
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body_bytes, JSON_SORT_KEYS=False)
    json_provider = app.json
    assert isinstance(json_provider, DefaultJSONProvider)  # Flask's default provider
    json_provider.ensure_ascii = False
    json_provider.sort_keys = False
    if test_config:
        app.config.update(test_config)
    if service is None:
        service = MatcherService(settings)
    if not service.ready:
        service.open()
    app.extensions["matcher"] = service
    app.extensions["matcher_keys"] = KeyRing.from_settings(settings)
    errors.register(app)
    app.before_request(_known_key_only)
    app.before_request(_shallow_json_only)
    app.register_api(matching.api)
    app.register_api(entities.api)
    app.register_api(meta.api)
    app.register_blueprint(web)
    app.register_blueprint(account)  # sign-in, reporting needs, projects, offerings
    app.register_blueprint(browse)  # list pages: /projekte, /kommunen, /anbieter
    app.after_request(security_headers)  # CSP etc. on pages, nosniff everywhere
    app.teardown_request(release_snapshot)  # a page's hold on the data ends with its request
    app.add_url_rule("/openapi.json", "openapi_json", lambda: app.api_doc)
    app.extensions["matcher_limiter"] = limits.install(app, settings)
    if settings.trusted_proxies:
        # The client's address is the one the trusted proxies name in X-Forwarded-For (nginx
        # in deploy/ sets it to the socket's address); without them every client behind the
        # proxy would share its address and so one budget.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)  # type: ignore[method-assign]
    app.add_url_rule("/docs", "docs", lambda: redirect("/openapi/swagger"))
    return app


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
