"""What every route needs: the service, the caller's role, the error responses to document."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_openapi3.types import ResponseDict

from api.auth import current_role
from api.errors import ErrorResponse
from matcher.keys import KeyRing
from matcher.service import MatcherService

ERRORS: ResponseDict = {
    400: ErrorResponse,
    404: ErrorResponse,
    429: ErrorResponse,
    503: ErrorResponse,
}
WRITE_ERRORS: ResponseDict = {
    **ERRORS,
    401: ErrorResponse,
    403: ErrorResponse,
    409: ErrorResponse,
    413: ErrorResponse,
}
BEARER: list[dict[str, list[Any]]] = [{"bearer": []}]
PRIVATE_FIELDS = {
    "projects": ("contact", "contact_email"),
    "municipalities": ("contact_email",),
    "providers": ("contact_email",),
}


def service() -> MatcherService:
    return current_app.extensions["matcher"]


def role() -> str | None:
    keys: KeyRing = current_app.extensions["matcher_keys"]
    return current_role(keys)


def public(kind: str, data: dict[str, Any], with_private: bool) -> dict[str, Any]:
    """An item as JSON, without contact fields unless the caller has a key."""
    if with_private:
        return data
    return {k: v for k, v in data.items() if k not in PRIVATE_FIELDS.get(kind, ())}
