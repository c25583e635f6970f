"""Users' verdicts on results, kept in the database for review and training.

Only the database is touched: none of this takes the replica's lock.
"""

from __future__ import annotations

import datetime as dt

from matcher.domain.access import Actor
from matcher.domain.errors import PermissionDenied, ValidationError
from matcher.domain.schema import MAX_CHALLENGE_CHARS
from matcher.service.home import Home

# New feedback verdicts one client may give a day: a town's staff rating every result of ten
# searches a day stays far below; one address adding 345,000 rows a day (the finding) cannot.
FEEDBACK_PER_CLIENT_PER_DAY = 200
FEEDBACK_REVIEW = ("neu", "angenommen", "verworfen")


class Feedback:
    """Verdicts in, pages and counts out, staff's review."""

    def __init__(self, home: Home) -> None:
        self._home = home

    def add(self, query: str, item_kind: str, item_id: str, verdict: str, client: str) -> int:
        """Store a user's verdict on a result. `client` says who gave it ("key:…" for a known
        key, "ip:…" for an anonymous address, hashed); one verdict per client, query and item
        (a new one replaces the last), at most FEEDBACK_PER_CLIENT_PER_DAY new ones a day
        (TooManyRequests)."""
        row = {
            "query": query.strip()[:MAX_CHALLENGE_CHARS],
            "item_kind": item_kind,
            "item_id": item_id,
            "verdict": verdict,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "client": client,
            "status": "neu",
        }
        return self._home.store.add_feedback(row, FEEDBACK_PER_CLIENT_PER_DAY)

    def page(self, limit: int, offset: int = 0, status: str | None = None) -> list[dict]:
        """A page of feedback rows, oldest first (staff's review list), of one `status`."""
        return self._home.store.feedback(limit, offset, status)

    def tally(self) -> dict[str, int]:
        """Verdicts by staff's review status, every status named."""
        found = self._home.store.feedback_statuses()
        return {status: found.get(status, 0) for status in FEEDBACK_REVIEW}

    def counts(self) -> list[dict]:
        """Verdicts per item and verdict, counted in the database."""
        return self._home.store.feedback_counts()

    def review(self, feedback_id: int, status: str, actor: Actor) -> None:
        """Staff accept a verdict into training ("angenommen") or dismiss it ("verworfen")."""
        if not actor.is_admin:
            raise PermissionDenied("reviewing feedback needs an admin key")
        if status not in FEEDBACK_REVIEW:
            raise ValidationError(
                f"status: one of {', '.join(FEEDBACK_REVIEW)}", [("status", "unknown status")]
            )
        self._home.store.set_feedback_status(feedback_id, status)
