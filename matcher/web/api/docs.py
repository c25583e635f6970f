"""What the OpenAPI document says every operation may answer: the error responses, and the
bearer key of the writing ones."""

from __future__ import annotations

from typing import Any

from flask_openapi3.types import ResponseDict

from matcher.web.core.errors import ErrorResponse

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
