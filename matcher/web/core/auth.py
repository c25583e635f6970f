"""Who is asking: the request's key → role, and the actor of a write.

Reads are public; writes need a key. The ownership and consent rules are the domain's
(`matcher.domain.access`), applied by the service after names are resolved.
"""

from __future__ import annotations

from flask import request

from matcher.domain.access import Actor
from matcher.keys import KeyRing
from matcher.web.core.errors import AuthError


def current_role(keys: KeyRing) -> str | None:
    """The role of the request's bearer key; AuthError for a key that is not known."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("Authorization header must be 'Bearer <key>'")
    role = keys.role_for(token.strip())
    if role is None:
        raise AuthError("unknown API key")
    return role


def writer(role: str | None) -> Actor:
    """The actor of a write; AuthError without a key. What the actor may change is decided
    by the service on the records the write finally changes (`matcher.domain.access`)."""
    if role is None:
        raise AuthError("writing needs an API key (Authorization: Bearer <key>)")
    return Actor(role)
