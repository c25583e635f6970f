"""API keys with roles: `admin`, `municipality:<id>`, `provider:<id>`.

Keys are kept only as SHA-256 hashes (in the keys file and in memory) and compared in
constant time; a new key is shown once, when it is made. A running server reads the keys file
again when it changes, so a key added (`matcher keys add`) or deleted from it counts at once,
without a restart.

A keys file that is only partly usable fails closed: a bad entry (unknown role, no or no valid
hash, not an object) is refused alone with a warning and every good entry is taken; a file that
cannot be parsed at all keeps only the keys known before whose hash is still in its text. Either
way a key deleted from the file (revoked) is refused at once, whatever else is wrong with it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
import threading
from pathlib import Path
from typing import Any

from matcher.config import Settings
from matcher.domain.errors import ConfigError
from matcher.files import atomic_write

log = logging.getLogger(__name__)

ROLE_PREFIXES = ("municipality:", "provider:", "host:")
# A stored hash as `hash_key` writes it; anything else could never match a presented key.
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
# Hex digits of a hash a log line may show to name an entry (the rate limiter's buckets are
# named by a prefix of the same length); never the whole hash.
LOGGED_HASH_DIGITS = 8
# Characters of a bad role a log line shows (a role is no secret, but an entry may hold anything).
LOGGED_ROLE_CHARS = 60

Signature = tuple[int, int, int, int]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def valid_role(role: str) -> bool:
    return role == "admin" or (role.startswith(ROLE_PREFIXES) and role.split(":", 1)[1] != "")


class KeysFileUnusable(ConfigError):
    """The keys file is not JSON of the form {"keys": [...]} (e.g. half saved, or edited by
    hand into a syntax error): none of its entries can be told apart."""


def _entries(raw: bytes) -> list[Any]:
    """The entries of a keys file's content; KeysFileUnusable if it has none to take."""
    try:
        data = json.loads(raw)
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise KeysFileUnusable(f"not JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise KeysFileUnusable('its top level is not {"keys": [...]}')
    return data["keys"]


def _refusal(entry: Any) -> str | None:
    """Why an entry of the keys file is refused, or None if it is taken."""
    if not isinstance(entry, dict):
        return "not an object"
    digest = entry.get("sha256")
    if digest is None:
        return "no sha256"
    if not isinstance(digest, str) or not SHA256_HEX.fullmatch(digest):
        return "sha256 is not 64 lowercase hex digits"
    role = entry.get("role")
    if role is None:
        return "no role"
    if not isinstance(role, str) or not valid_role(role):
        return f"unknown role {str(role)[:LOGGED_ROLE_CHARS]!r}"
    return None


def _taken(entries: list[Any], path: Path) -> dict[str, str]:
    """Hash → role of the good entries; each bad one is refused with a warning naming it by
    its index (and a prefix of its hash, if it has a valid one)."""
    hashed: dict[str, str] = {}
    for index, entry in enumerate(entries):
        reason = _refusal(entry)
        if reason is None:
            hashed[entry["sha256"]] = entry["role"]
            continue
        digest = entry.get("sha256") if isinstance(entry, dict) else None
        named = (
            f" (sha256 {digest[:LOGGED_HASH_DIGITS]}…)"
            if isinstance(digest, str) and SHA256_HEX.fullmatch(digest)
            else ""
        )
        log.warning(
            "keys file %s: keys[%d]%s refused, its key is not accepted: %s",
            path,
            index,
            named,
            reason,
        )
    return hashed


def _load(path: Path) -> bytes | None:
    """The keys file's content, None if there is none; ConfigError if it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read keys file {path}: {exc.strerror}") from None


def _read(raw: bytes | None, path: Path, admin: str | None) -> dict[str, str]:
    """Hash → role from the keys file's content `raw` (none without a file), plus the admin
    key's hash. Bad entries are refused alone, with a warning; KeysFileUnusable if the
    content cannot be parsed."""
    hashed: dict[str, str] = {}
    if raw is not None:
        try:
            hashed = _taken(_entries(raw), path)
        except KeysFileUnusable as exc:
            raise KeysFileUnusable(f"keys file {path} is unusable: {exc}") from None
    if admin:
        hashed[admin] = "admin"
    return hashed


def _signature(path: Path) -> Signature | None:
    """What changes when the file is written, replaced or its mode changed (None: no file)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino


class KeyRing:
    """Hashed keys → roles; with a keys file, read again whenever the file changes."""

    def __init__(
        self,
        hashed: dict[str, str] | None = None,
        path: Path | None = None,
        admin_hash: str | None = None,
        seen: Signature | None = None,
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
        """The keys of the keys file and the admin key.

        At start-up there are no keys known before to fall back on, and a server should not
        start on a keys file it cannot use: a file that cannot be read or parsed at all is a
        ConfigError (KeysFileUnusable). A file that parses but has bad entries starts the
        server with its good entries; each bad one is refused alone, with a warning, as when
        the file changes while running."""
        admin = hash_key(settings.admin_key) if settings.admin_key else None
        path = settings.keys_path
        seen = _signature(path)  # before reading: a change meanwhile is read again
        return cls(_read(_load(path), path, admin), path, admin, seen)

    def _current(self) -> dict[str, str]:
        """The keys as the file now has them (a stat per call; read only after a change)."""
        if self._path is None:
            return self._hashed
        now = _signature(self._path)
        if now != self._seen:
            with self._lock:
                if now != self._seen:
                    self._hashed = self._reread(self._path)
                    self._seen = now
        return self._hashed

    def _reread(self, path: Path) -> dict[str, str]:
        """The keys after the file changed; it fails closed for keys gone from it. Bad entries
        are refused alone (see `_taken`). A file that cannot be parsed (half saved, a syntax
        error made by hand) keeps only the keys known before whose hash is still verbatim in
        its text, so a key whose entry was deleted is refused and the others keep working
        until the file is usable again. A file that cannot be read at all (e.g. its mode was
        changed) leaves only the admin key, as which keys it still holds cannot be told; it
        is read again when its mode or content changes."""
        known = {h: role for h, role in self._hashed.items() if h != self._admin}
        try:
            raw = _load(path)
        except ConfigError as exc:
            log.error("%s; all %d keys from it refused until it can be read", exc, len(known))
            return {self._admin: "admin"} if self._admin else {}
        try:
            return _read(raw, path, self._admin)
        except KeysFileUnusable as exc:
            kept = {h: role for h, role in known.items() if h.encode() in (raw or b"")}
            log.error(
                "%s; kept %d known keys whose hash is still in it, dropped %d",
                exc,
                len(kept),
                len(known) - len(kept),
            )
            if self._admin:
                kept[self._admin] = "admin"
            return kept

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
        raise ConfigError(
            f"unknown role {role!r}; use admin, municipality:<id>, provider:<id> or host:<id>"
        )
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
