"""Visits of a signed-in account to its area: the change sequence (the store's write log,
`changes`) when its current visit began and when the one before it did, so the area can say
what was added or changed since the last visit.

A visit is a session: every page of one session compares with the visit before it, so a
reload does not clear what is new. Only the role, a hash of the session's form token and two
sequence numbers are kept.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from matcher.store import tables as t
from matcher.store.engine import reachable  # a lost database is a 503, as elsewhere


def visit_hash(session_token: str) -> str:
    return hashlib.sha256(session_token.encode("utf-8")).hexdigest()


class AreaVisits:
    """Note an account's visit and tell where its previous one stood."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def visit(self, role: str, session_token: str, seq: int) -> int | None:
        """Note that `role` looks at its area in the session of `session_token` with the data
        at change `seq`; the change sequence of its previous visit (None on the first)."""
        table = t.area_visits
        visit = visit_hash(session_token)
        with reachable(), self.engine.begin() as conn:
            row = conn.execute(select(table).where(table.c.role == role)).first()
            if row is not None and row.visit == visit:
                return row.before
            if row is not None:
                conn.execute(
                    update(table)
                    .where(table.c.role == role)
                    .values(visit=visit, seen=seq, before=row.seen)
                )
                return int(row.seen)
        try:
            with reachable(), self.engine.begin() as conn:
                conn.execute(insert(table).values(role=role, visit=visit, seen=seq, before=None))
        except IntegrityError:  # the same account's other tab a moment ago
            pass
        return None
