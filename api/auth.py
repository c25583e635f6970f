"""Who may do what: the request's key → role, and the ownership rule for writes.

Reads are public; writes need a key whose role owns the record (before and after the change).
"""

from __future__ import annotations

from flask import request

from api.errors import AuthError, ForbiddenError
from matcher.domain.schema import Entity, Municipality, Need, Offering, Project, Provider
from matcher.keys import KeyRing


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


def owns(role: str, kind: str, item: Entity | None) -> bool:
    """True if the role may write this item of this kind."""
    if role == "admin":
        return True
    if item is None:
        return False
    owner_kind, _, owner = role.partition(":")
    if owner_kind == "municipality":
        if isinstance(item, Project):
            return owner in item.municipalities
        if isinstance(item, Need):
            return item.municipality == owner
        if isinstance(item, Municipality):
            return item.id == owner and kind == "municipalities"
    if owner_kind == "provider":
        if isinstance(item, Offering):
            return item.provider == owner
        if isinstance(item, Provider):
            return item.id == owner
    return False


def require_write(
    role: str | None, kind: str, before: Entity | None, after: Entity | None, creating: bool = False
) -> None:
    """AuthError without a key; ForbiddenError unless the role owns the item before and after."""
    if role is None:
        raise AuthError("writing needs an API key (Authorization: Bearer <key>)")
    if role == "admin":
        return
    if creating and kind in ("municipalities", "providers"):
        raise ForbiddenError(f"only an admin key may create {kind}")
    for state in (before, after):
        if state is not None and not owns(role, kind, state):
            raise ForbiddenError(f"the key's role {role.split(':')[0]} does not own this record")
