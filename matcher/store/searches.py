"""Saved searches: a search form's fields under a short id, so that a challenge too long for an
address still gets one (`/suche/<id>`) that back, reload and bookmarks can open.

The id is a hash of the fields, so the same search always gets the same address, and a row
holds nothing but those fields (no client, no account). Rows unused for `KEPT_SECONDS` expire,
and the table never holds more than `MAX_SAVED`: when it is full, the longest unused go.
"""

from __future__ import annotations

import hashlib
import re
import time

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from matcher.domain.errors import ValidationError
from matcher.store import tables as t
from matcher.store.engine import reachable  # a lost database is a 503, as elsewhere

ID_CHARS = 24  # 96 bits of SHA-256: no two searches share an address by chance
# A search's fields as an address query: a 5,000-character challenge, percent-encoded (up to 9
# characters each for umlauts and other non-ASCII letters), and the filters.
MAX_QUERY_CHARS = 50_000
# About a year of bookmarks; each row is at most MAX_QUERY_CHARS, so the table stays below
# 500 MB even when someone fills it, and usually far below (a real search is 1–10 kB).
KEPT_SECONDS = 365 * 24 * 3600
MAX_SAVED = 10_000
TOUCH_AFTER = 24 * 3600  # a row's last use is written again at most once a day
_ID = re.compile(f"[0-9a-f]{{{ID_CHARS}}}")


def search_id(query: str) -> str:
    """The address id of a search's fields (the same fields, the same id)."""
    return hashlib.sha256(query.encode("utf-8")).hexdigest()[:ID_CHARS]


class SavedSearches:
    """Save a search's fields under their id and find them again."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save(self, query: str) -> str:
        """The id of `query` (an address's query string), stored if it was not yet."""
        if len(query) > MAX_QUERY_CHARS:
            raise ValidationError("search: too long to save", [("query", "too long")])
        found = search_id(query)
        now = int(time.time())
        table = t.saved_searches
        with reachable(), self.engine.begin() as conn:
            stored = conn.execute(select(table.c.query).where(table.c.id == found)).scalar()
            if stored is not None:
                conn.execute(update(table).where(table.c.id == found).values(used=now))
                return found
            conn.execute(delete(table).where(table.c.used < now - KEPT_SECONDS))
            count = conn.execute(select(func.count()).select_from(table)).scalar_one()
            if count >= MAX_SAVED:
                oldest = select(table.c.id).order_by(table.c.used).limit(count - MAX_SAVED + 1)
                conn.execute(delete(table).where(table.c.id.in_(oldest.scalar_subquery())))
        try:
            with reachable(), self.engine.begin() as conn:
                conn.execute(insert(table).values(id=found, query=query, used=now))
        except IntegrityError:  # another worker saved the same search a moment ago
            pass
        return found

    def find(self, found: str) -> str | None:
        """The fields saved under an id, or None (unknown, expired, or not an id at all)."""
        if not _ID.fullmatch(found):
            return None
        table = t.saved_searches
        now = int(time.time())
        with reachable(), self.engine.begin() as conn:
            row = conn.execute(select(table.c.query, table.c.used).where(table.c.id == found))
            hit = row.first()
            if hit is None or hit.used < now - KEPT_SECONDS:
                return None
            if hit.used < now - TOUCH_AFTER:
                conn.execute(update(table).where(table.c.id == found).values(used=now))
            return str(hit.query)
