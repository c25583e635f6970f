"""Health and feedback."""

from __future__ import annotations

from flask_openapi3 import APIBlueprint, Tag

from api.errors import ErrorResponse
from api.models import Feedback, FeedbackResponse, Health
from api.routes.common import ERRORS, role, service

api = APIBlueprint("meta", __name__, abp_tags=[Tag(name="Betrieb")])


# 400 only documents the one error shape (flask-openapi3 would list an array otherwise).
@api.get("/health", responses={200: Health, 400: ErrorResponse, 401: ErrorResponse, 503: Health})
def health():
    """State and item counts; with an admin key (optional: Authorization: Bearer) also the
    database, encoder and index per kind, details that anonymous callers need not learn."""
    detailed = role() == "admin"  # an unknown key is a 401, as everywhere
    svc = service()
    try:
        svc.refresh()
        stats = svc.stats()
    except Exception:  # any failure to reach the store is "not healthy", never a 500
        return {"status": "unavailable", **({"database": "unreachable"} if detailed else {})}, 503
    status = "ok" if svc.ready else "starting"
    if detailed:
        return {"status": status, **stats}
    return {"status": status, "counts": stats["counts"]}


@api.post("/api/v1/feedback", responses={201: FeedbackResponse, **ERRORS})
def feedback(body: Feedback):
    """Store a "passt" / "passt nicht" verdict on a result, for the tuning notebooks."""
    return {
        "id": service().add_feedback(body.query, body.item_kind, body.item_id, body.verdict)
    }, 201
