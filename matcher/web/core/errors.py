"""Every error gets one status, decided here and nowhere else, and one JSON shape; a request for a
page gets the pages' German error page instead (`render_pages_with`).

{"error": {"status": 404, "code": "not_found", "message": "…", "details": [{"field", "message"}]}}
A 500 says only "internal error"; the traceback goes to the log, never to the client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, current_app, jsonify, request
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from werkzeug.exceptions import HTTPException

from matcher.domain.errors import (
    ConfigError,
    ConflictError,
    MatcherError,
    NotFoundError,
    NotReadyError,
    PermissionDenied,
    TooManyRequests,
    ValidationError,
)

log = logging.getLogger(__name__)


class AuthError(MatcherError):
    """No valid API key for a request that needs one (401)."""


STATUS = {
    ValidationError: (400, "validation_error"),
    AuthError: (401, "unauthorized"),
    PermissionDenied: (403, "forbidden"),
    NotFoundError: (404, "not_found"),
    ConflictError: (409, "conflict"),
    TooManyRequests: (429, "too_many_requests"),
    NotReadyError: (503, "not_ready"),
    ConfigError: (503, "not_ready"),
}


class ErrorDetail(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorResponse(BaseModel):
    """The one error shape."""

    error: ErrorBody


PageRenderer = Callable[[int], Response]
_PAGE = "matcher_error_page"
_JSON_PATHS = "matcher_json_paths"


def claim_json_paths(app: Flask, *prefixes: str) -> None:
    """Requests under these path prefixes always get the JSON shape (the API claims its own)."""
    app.extensions.setdefault(_JSON_PATHS, []).extend(prefixes)


def render_pages_with(app: Flask, page: PageRenderer) -> None:
    """Every other request gets `page(status)` instead of the JSON shape (the pages package
    installs its German error page)."""
    app.extensions[_PAGE] = page


def _page(status: int) -> Response | None:
    """The error page for this request, if it is one for a person rather than a machine."""
    page: PageRenderer | None = current_app.extensions.get(_PAGE)
    if page is None or request.path.startswith(tuple(current_app.extensions.get(_JSON_PATHS, ()))):
        return None
    return page(status)


def error_response(
    status: int, code: str, message: str, details: list[dict] | None = None
) -> Response:
    page = _page(status)
    if page is not None:
        return page
    body = {"error": {"status": status, "code": code, "message": message, "details": details or []}}
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="matcher"'
    return response


def _domain(exc: MatcherError):
    for cls, (status, code) in STATUS.items():
        if isinstance(exc, cls):
            details = [{"field": w, "message": m} for w, m in getattr(exc, "problems", [])]
            message = str(exc).split("\n")[0]
            return error_response(status, code, message, details)
    return _internal(exc)


def _http(exc: HTTPException):
    code = (exc.name or "error").lower().replace(" ", "_")
    response = error_response(exc.code or 500, code, exc.description or exc.name)
    # Keep what the exception says about itself, e.g. `Allow` on a 405.
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _internal(exc: Exception):
    log.error("internal error", exc_info=exc)
    return error_response(500, "internal_error", "internal error")


def validation_response(exc: PydanticValidationError):
    """Request validation failures (bodies, queries, paths) as a 400 naming each field."""
    details = [
        {"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]}
        for e in exc.errors(include_url=False)
    ]
    fields = ", ".join(d["field"] for d in details[:5])
    return error_response(400, "validation_error", f"invalid request: {fields}", details)


def register(app: Flask) -> None:
    """Install the handlers."""
    app.register_error_handler(MatcherError, _domain)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _internal)
