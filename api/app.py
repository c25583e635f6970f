"""Application factory: settings → service → Flask app with its routes and error handlers."""

from __future__ import annotations

import logging
from typing import Any

from flask import redirect
from flask.json.provider import DefaultJSONProvider
from flask_openapi3 import Info, OpenAPI
from flask_openapi3.models import SecurityScheme

from api import errors, limits
from api.routes import entities, matching, meta
from api.web import web
from matcher.config import Settings, load_settings
from matcher.keys import KeyRing
from matcher.service import MatcherService

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
    app.register_api(matching.api)
    app.register_api(entities.api)
    app.register_api(meta.api)
    app.register_blueprint(web)
    app.add_url_rule("/openapi.json", "openapi_json", lambda: app.api_doc)
    app.extensions["matcher_limiter"] = limits.install(app, settings)
    app.add_url_rule("/docs", "docs", lambda: redirect("/openapi/swagger"))
    return app
