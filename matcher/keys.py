"""API keys with roles: `admin`, `municipality:<id>`, `provider:<id>`.

Keys are kept only as SHA-256 hashes (in the keys file and in memory) and compared in
constant time; a new key is shown once, when it is made.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from matcher.config import Settings
from matcher.domain.errors import ConfigError

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
        hashed: dict[str, str] = {}
        path = settings.keys_path
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                entries = data["keys"]
                hashed = {e["sha256"]: e["role"] for e in entries}
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise ConfigError(f"cannot read keys file {path}: {exc}") from None
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

    def role_for_hash(self, digest: str) -> str | None:
        """The role of a key known only by its hash (a web session's), or None once revoked."""
        found = None
        for stored, role in self._hashed.items():
            if hmac.compare_digest(digest, stored):
                found = role
        return found


def add_key(path: Path, role: str) -> str:
    """Create a key with `role`, store its hash in the keys file, return the key (shown once)."""
    if not valid_role(role):
        raise ConfigError(f"unknown role {role!r}; use admin, municipality:<id> or provider:<id>")
    data: dict[str, Any] = {"keys": []}
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
    key = secrets.token_urlsafe(32)
    data["keys"].append({"sha256": hash_key(key), "role": role})
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # the mode: if made here
    # Readable by its owner alone (0600, whatever the umask; also an older file made 0644).
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with open(fd, "w", encoding="utf-8") as out:
        out.write(json.dumps(data, indent=2) + "\n")
    return key
