"""API keys: a running server takes keys added to or deleted from the keys file at once."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from matcher.domain.errors import ConfigError
from matcher.keys import KeyRing, add_key, hash_key
from tests.helpers import make_settings


def _ring(tmp_path):
    settings = make_settings(tmp_path / "home", keys_file=tmp_path / "keys.json")
    return settings.keys_file, KeyRing.from_settings(settings)


def test_a_key_added_or_deleted_while_running_counts_at_once(tmp_path):
    path, ring = _ring(tmp_path)
    first = add_key(path, "municipality:mossautal")
    assert ring.role_for(first) == "municipality:mossautal"  # made after the ring
    second = add_key(path, "provider:lichtwerk")
    assert ring.role_for(second) == "provider:lichtwerk"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["keys"] = [e for e in data["keys"] if e["sha256"] != hash_key(first)]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert ring.role_for(first) is None  # revoked by deleting it from the file
    assert ring.role_for(second) == "provider:lichtwerk"


def test_a_half_saved_file_fails_closed_until_it_is_whole_again(tmp_path, caplog):
    path, ring = _ring(tmp_path)
    key = add_key(path, "municipality:mossautal")
    assert ring.role_for(key) == "municipality:mossautal"
    whole = path.read_text(encoding="utf-8")
    path.write_text('{"keys": [', encoding="utf-8")  # saved half by hand, before the key
    assert ring.role_for(key) is None  # its hash is not in the file: refused
    assert "is unusable" in caplog.text
    path.write_text(whole, encoding="utf-8")
    assert ring.role_for(key) == "municipality:mossautal"


def test_a_new_key_is_written_whole_and_private(tmp_path):
    path = tmp_path / "keys.json"
    for n in range(3):
        add_key(path, f"municipality:town-{n}")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(json.loads(path.read_text(encoding="utf-8"))["keys"]) == 3
    assert [p.name for p in tmp_path.iterdir()] == ["keys.json"]  # no part file left


def _rewrite(path, text):
    """Save the keys file whole under a new inode, as an editor that renames does: the ring
    sees another signature even within one mtime tick."""
    part = path.with_name(path.name + ".new")
    part.write_text(text, encoding="utf-8")
    os.replace(part, path)


def _three_keys(tmp_path):
    """A ring on a file with A (municipality:x), B (provider:y) and C (provider:z)."""
    path, ring = _ring(tmp_path)
    keys = [add_key(path, role) for role in ("municipality:x", "provider:y", "provider:z")]
    for key, role in zip(keys, ("municipality:x", "provider:y", "provider:z"), strict=True):
        assert ring.role_for(key) == role
    return path, ring, keys


def test_a_revoked_key_is_refused_although_another_entry_is_mistyped(tmp_path, caplog):
    path, ring, (a, b, c) = _three_keys(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["keys"] = [e for e in data["keys"] if e["sha256"] != hash_key(b)]  # B revoked
    data["keys"][0]["role"] = "municipalty:x"  # and A's role mistyped in the same save
    _rewrite(path, json.dumps(data))
    assert ring.role_for(b) is None  # gone from the file: refused at once
    assert ring.role_for(a) is None  # its entry is bad: refused alone
    assert ring.role_for(c) == "provider:z"  # the good entry is taken
    assert "keys[0]" in caplog.text and "municipalty:x" in caplog.text
    assert hash_key(a) not in caplog.text  # named by index, never by its whole hash


def test_a_broken_file_keeps_only_the_known_keys_still_in_it(tmp_path, caplog):
    path, ring, (a, b, c) = _three_keys(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["keys"] = [e for e in data["keys"] if e["sha256"] != hash_key(b)]  # B revoked
    _rewrite(path, json.dumps(data, indent=2)[:-3])  # and the file saved without its end
    assert ring.role_for(b) is None  # its hash is gone from the text: refused
    assert ring.role_for(a) == "municipality:x"  # its hash is still there: kept
    assert ring.role_for(c) == "provider:z"
    assert "unusable" in caplog.text and "kept 2" in caplog.text and "dropped 1" in caplog.text


BAD_ENTRIES = {
    "not an object": "provider:y",
    "no sha256": {"role": "provider:y"},
    "not 64 lowercase hex": {"sha256": "ab" * 31, "role": "provider:y"},
    "upper case hex": {"sha256": "AB" * 32, "role": "provider:y"},
    "no role": {"sha256": "ab" * 32},
    "unknown role": {"sha256": "ab" * 32, "role": "provider:"},
    "role not a string": {"sha256": "ab" * 32, "role": ["admin"]},
}


@pytest.mark.parametrize("bad", BAD_ENTRIES.values(), ids=BAD_ENTRIES.keys())
def test_each_bad_entry_is_refused_alone_also_at_start_up(tmp_path, caplog, bad):
    path, ring, (a, b, c) = _three_keys(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["keys"].insert(1, bad)
    _rewrite(path, json.dumps(data))
    settings = make_settings(tmp_path / "home", keys_file=path)
    for keys in (ring, KeyRing.from_settings(settings)):  # while running, and at start-up
        assert [keys.role_for(x) for x in (a, b, c)] == [
            "municipality:x",
            "provider:y",
            "provider:z",
        ]
    assert caplog.text.count("keys[1]") == 2 and "refused" in caplog.text
    assert "ab" * 32 not in caplog.text


def test_a_file_that_cannot_be_parsed_stops_the_start_up(tmp_path):
    path = tmp_path / "keys.json"
    add_key(path, "provider:y")
    path.write_text(path.read_text(encoding="utf-8")[:-4], encoding="utf-8")
    with pytest.raises(ConfigError, match="unusable"):
        KeyRing.from_settings(make_settings(tmp_path / "home", keys_file=path))


def test_a_file_of_the_wrong_shape_keeps_only_the_known_keys_in_it(tmp_path, caplog):
    path, ring, (a, b, c) = _three_keys(tmp_path)
    entries = json.loads(path.read_text(encoding="utf-8"))["keys"]
    _rewrite(path, json.dumps([e for e in entries if e["sha256"] != hash_key(c)]))
    assert [ring.role_for(x) for x in (a, b, c)] == ["municipality:x", "provider:y", None]
    assert "top level" in caplog.text and "dropped 1" in caplog.text


def test_a_file_that_cannot_be_read_leaves_only_the_admin_key(tmp_path, caplog, monkeypatch):
    admin = "admin-test-key-with-at-least-32-characters"
    settings = make_settings(tmp_path / "home", keys_file=tmp_path / "keys.json", admin_key=admin)
    key = add_key(settings.keys_file, "provider:y")
    ring = KeyRing.from_settings(settings)
    assert ring.role_for(key) == "provider:y"

    def refused(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    with monkeypatch.context() as patched:
        patched.setattr(Path, "read_bytes", refused)
        os.chmod(settings.keys_file, 0o000)  # what the server would meet (root reads it still)
        assert ring.role_for(key) is None  # which keys the file holds cannot be told
        assert ring.role_for(admin) == "admin"
        assert "cannot read keys file" in caplog.text
    os.chmod(settings.keys_file, 0o600)  # the mode put right: read again
    assert ring.role_for(key) == "provider:y"
