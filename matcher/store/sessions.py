"""Signed-in web sessions, kept in the database so that every worker (and every machine on a
shared PostgreSQL) knows them and signing out ends them everywhere at once.

Only hashes are stored: the SHA-256 of the cookie's random token (a copy of the table opens no
session) and of the API key the session was opened with (never the key itself).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select

from matcher.store import tables as t
from matcher.store.engine import reachable  # a lost database is a 503, as elsewhere

TOKEN_BYTES = 32  # as the API keys: 256 random bits


@dataclass(frozen=True)
class WebSession:
    """One signed-in session as stored: who (role, key hash), its form token, its end."""

    token_hash: str
    role: str
    key_hash: str
    csrf: str
    expires: int


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SessionStore:
    """Open, find and end web sessions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def open(self, role: str, key_hash: str, seconds: int) -> tuple[str, WebSession]:
        """A new session: the cookie's token (shown once, to the browser) and the stored row.
        Expired sessions are removed on the way."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = int(time.time())
        row = WebSession(
            token_hash(token), role, key_hash, secrets.token_urlsafe(TOKEN_BYTES), now + seconds
        )
        with reachable(), self.engine.begin() as conn:
            conn.execute(delete(t.web_sessions).where(t.web_sessions.c.expires <= now))
            conn.execute(insert(t.web_sessions).values(**row.__dict__))
        return token, row

    def find(self, token: str) -> WebSession | None:
        """The live session of a cookie's token, or None (unknown, ended or expired)."""
        table = t.web_sessions
        with reachable(), self.engine.begin() as conn:
            row = conn.execute(select(table).where(table.c.token_hash == token_hash(token))).first()
        if row is None or row.expires <= time.time():
            return None
        return WebSession(**row._mapping)

    def end(self, token: str) -> None:
        """Forget a session (signing out); nothing happens for an unknown token."""
        with reachable(), self.engine.begin() as conn:
            conn.execute(
                delete(t.web_sessions).where(t.web_sessions.c.token_hash == token_hash(token))
            )
