"""Every error becomes one JSON shape with one status, decided here and nowhere else.

{"error": {"status": 404, "code": "not_found", "message": "…", "details": [{"field", "message"}]}}
A 500 says only "internal error"; the traceback goes to the log, never to the client.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
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


_PAGES = {
    400: (
        "Eingabe nicht verständlich",
        "Die Anfrage konnte nicht verarbeitet werden. Bitte prüfen Sie Ihre Eingaben.",
    ),
    404: ("Nicht gefunden", "Diese Seite oder diesen Eintrag gibt es nicht (mehr)."),
    409: ("Konflikt", "Das geht so nicht: andere Einträge verweisen noch darauf."),
    503: (
        "Vorübergehend nicht verfügbar",
        "Der Dienst ist gerade nicht bereit. Bitte versuchen Sie es gleich noch einmal.",
    ),
}


def _wants_page() -> bool:
    """Web pages get a German HTML page; the API and machines get the JSON shape."""
    path = request.path
    return not path.startswith(("/api/", "/health", "/openapi", "/static"))


def error_response(status: int, code: str, message: str, details: list[dict] | None = None):
    if _wants_page():
        heading, text = _PAGES.get(
            status, ("Ein Fehler ist aufgetreten", "Bitte versuchen Sie es später noch einmal.")
        )
        return make_response(render_template("error.html", heading=heading, text=text), status)
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
