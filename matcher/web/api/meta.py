"""Health and feedback."""

from __future__ import annotations

from flask_openapi3 import APIBlueprint, Tag

from matcher.domain.errors import PermissionDenied
from matcher.web.api.docs import BEARER, ERRORS
from matcher.web.api.models import (
    Feedback,
    FeedbackEntry,
    FeedbackList,
    FeedbackPath,
    FeedbackQuery,
    FeedbackResponse,
    FeedbackReview,
    Health,
)
from matcher.web.core.auth import writer
from matcher.web.core.current import role, service
from matcher.web.core.errors import ErrorResponse
from matcher.web.core.limits import client_id, limited

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
@limited("feedback")
def feedback(body: Feedback):
    """Store a "passt" / "passt nicht" verdict on a result, for the tuning notebooks."""
    found = service().add_feedback(
        body.query, body.item_kind, body.item_id, body.verdict, client_id()
    )
    return {"id": found}, 201


@api.get(
    "/api/v1/feedback",
    responses={200: FeedbackList, **ERRORS, 401: ErrorResponse, 403: ErrorResponse},
    security=BEARER,
)
@limited("contacts")
def feedback_list(query: FeedbackQuery):
    """Staff (admin key): the verdicts with query, item, verdict, date and status, a page."""
    if not writer(role()).is_admin:
        raise PermissionDenied("reading feedback needs an admin key")
    rows = service().feedback_page(query.limit, query.offset)
    items = [FeedbackEntry(**r, anonymous=not r.pop("client").startswith("key:")) for r in rows]
    return FeedbackList(items=items).model_dump(mode="json")


@api.put(
    "/api/v1/feedback/<string:id>",
    responses={204: None, **ERRORS, 401: ErrorResponse, 403: ErrorResponse},
    security=BEARER,
)
@limited("writes")
def feedback_review(path: FeedbackPath, body: FeedbackReview):
    """Staff (admin key) accept a verdict into training („angenommen“) or dismiss it."""
    service().review_feedback(path.id, body.status, writer(role()))
    return "", 204
