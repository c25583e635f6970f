"""API keys with roles: `admin`, `municipality:<id>`, `provider:<id>`.

Keys are kept only as SHA-256 hashes (in the keys file and in memory) and compared in
constant time; a new key is shown once, when it is made. A running server reads the keys file
again when it changes, so a key added (`matcher keys add`) or deleted from it counts at once,
without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import threading
from pathlib import Path
from typing import Any

from matcher.config import Settings
from matcher.domain.errors import ConfigError
from matcher.files import atomic_write

log = logging.getLogger(__name__)

ROLE_PREFIXES = ("municipality:", "provider:")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def valid_role(role: str) -> bool:
    return role == "admin" or (role.startswith(ROLE_PREFIXES) and role.split(":", 1)[1] != "")


def _read(path: Path, admin: str | None) -> dict[str, str]:
    """Hash → role from the keys file (none if it is missing), plus the admin key's hash."""
    hashed: dict[str, str] = {}
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            hashed = {e["sha256"]: e["role"] for e in data["keys"]}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"cannot read keys file {path}: {exc}") from None
        bad = [r for r in hashed.values() if not valid_role(r)]
        if bad:
            raise ConfigError(f"keys file has unknown roles: {', '.join(bad)}")
    if admin:
        hashed[admin] = "admin"
    return hashed


def _signature(path: Path) -> tuple[int, int, int] | None:
    """What changes when the file is written or replaced (None: no file)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


class KeyRing:
    """Hashed keys → roles; with a keys file, read again whenever the file changes."""

    def __init__(
        self,
        hashed: dict[str, str] | None = None,
        path: Path | None = None,
        admin_hash: str | None = None,
        seen: tuple[int, int, int] | None = None,
    ) -> None:
        """`hashed` as read from `path` when it had the signature `seen` (with a path, the
        file is read again whenever its signature differs)."""
        self._hashed = dict(hashed or {})
        self._path = path
        self._admin = admin_hash
        self._seen = seen
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        """The keys of the keys file and the admin key; ConfigError if the file is unreadable."""
        admin = hash_key(settings.admin_key) if settings.admin_key else None
        path = settings.keys_path
        seen = _signature(path)  # before reading: a change meanwhile is read again
        return cls(_read(path, admin), path, admin, seen)

    def _current(self) -> dict[str, str]:
        """The keys as the file now has them (a stat per call; read only after a change). An
        unreadable file (e.g. edited by hand, half saved) keeps the keys known before, with a
        warning, until it is readable again."""
        if self._path is None:
            return self._hashed
        now = _signature(self._path)
        if now != self._seen:
            with self._lock:
                if now != self._seen:
                    try:
                        self._hashed = _read(self._path, self._admin)
                    except ConfigError as exc:
                        log.warning("keys file not taken, the keys known before stay: %s", exc)
                    self._seen = now
        return self._hashed

    def role_for(self, key: str) -> str | None:
        """The role of a presented key, or None; every stored hash is compared."""
        return self.role_for_hash(hash_key(key))

    def role_for_hash(self, digest: str) -> str | None:
        """The role of a key known by its hash (a web session's), or None once revoked."""
        found = None
        for stored, role in self._current().items():
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
    # Replaced whole: a running server never reads half a file. Readable by its owner alone
    # (0600, whatever the umask; also an older file made 0644).
    atomic_write(path, (json.dumps(data, indent=2) + "\n").encode("utf-8"), private=True)
    return key
