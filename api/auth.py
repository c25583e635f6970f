"""API keys with roles: `admin`, `municipality:<id>`, `provider:<id>`.

Keys are kept only as SHA-256 hashes and compared in constant time. Reads are public; writes
need a key whose role owns the record (before and after the change).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from pathlib import Path

from flask import request

from api.errors import AuthError, ForbiddenError
from matcher.config import Settings
from matcher.errors import ConfigError
from matcher.schema import Entity, Municipality, Need, Offering, Project, Provider

ROLE_PREFIXES = ("municipality:", "provider:")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def valid_role(role: str) -> bool:
    return role == "admin" or (role.startswith(ROLE_PREFIXES) and role.split(":", 1)[1] != "")


class KeyRing:
    """Hashed keys → roles."""

    def __init__(self, hashed: dict[str, str] | None = None) -> None:
        self._hashed = dict(hashed or {})

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        hashed = {}
        if settings.keys_file is not None and settings.keys_file.exists():
            try:
                data = json.loads(settings.keys_file.read_text(encoding="utf-8"))
                entries = data["keys"]
                hashed = {e["sha256"]: e["role"] for e in entries}
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise ConfigError(f"cannot read keys file {settings.keys_file}: {exc}") from None
            bad = [r for r in hashed.values() if not valid_role(r)]
            if bad:
                raise ConfigError(f"keys file has unknown roles: {', '.join(bad)}")
        if settings.admin_key:
            hashed[hash_key(settings.admin_key)] = "admin"
        return cls(hashed)

    def role_for(self, key: str) -> str | None:
        """The role of a presented key, or None; every stored hash is compared."""
        presented = hash_key(key)
        found = None
        for stored, role in self._hashed.items():
            if hmac.compare_digest(presented, stored):
                found = role
        return found


def add_key(path: Path, role: str) -> str:
    """Create a key with `role`, store its hash in the keys file, return the key (shown once)."""
    if not valid_role(role):
        raise ConfigError(f"unknown role {role!r}; use admin, municipality:<id> or provider:<id>")
    data = {"keys": []}
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
    key = secrets.token_urlsafe(32)
    data["keys"].append({"sha256": hash_key(key), "role": role})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return key


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
