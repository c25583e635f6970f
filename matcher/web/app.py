"""Application factory: settings → service → one Flask app with the shared HTTP core (errors,
limits, security headers, the request's data), the JSON API and the pages."""

from __future__ import annotations

import logging
from typing import Any

from flask.json.provider import DefaultJSONProvider
from flask_openapi3 import Info, OpenAPI
from flask_openapi3.models import SecurityScheme
from werkzeug.middleware.proxy_fix import ProxyFix

from matcher.config import Settings, load_settings
from matcher.keys import KeyRing
from matcher.service import MatcherService
from matcher.web import api, pages
from matcher.web.core import errors, limits
from matcher.web.core.current import release_snapshot
from matcher.web.core.security import security_headers

log = logging.getLogger(__name__)

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
        static_folder=None,  # the pages serve their own (`pages.public`)
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
    api.install(app)
    pages.install(app)
    app.after_request(security_headers)  # CSP etc. on pages, nosniff everywhere
    app.teardown_request(release_snapshot)  # a page's hold on the data ends with its request
    app.extensions["matcher_limiter"] = limits.install(app, settings)
    if settings.trusted_proxies:
        # The client's address is the one the trusted proxies name in X-Forwarded-For (nginx
        # in deploy/ sets it to the socket's address); without them every client behind the
        # proxy would share its address and so one budget.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)  # type: ignore[method-assign]
    return app
