"""API keys: a running server takes keys added to or deleted from the keys file at once."""

from __future__ import annotations

import json
import os
import stat

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


def test_an_unreadable_file_keeps_the_keys_known_before(tmp_path, caplog):
    path, ring = _ring(tmp_path)
    key = add_key(path, "municipality:mossautal")
    assert ring.role_for(key) == "municipality:mossautal"
    path.write_text('{"keys": [', encoding="utf-8")  # saved half by hand
    assert ring.role_for(key) == "municipality:mossautal"
    assert "keys file not taken" in caplog.text
    path.write_text(json.dumps({"keys": []}), encoding="utf-8")
    assert ring.role_for(key) is None


def test_a_new_key_is_written_whole_and_private(tmp_path):
    path = tmp_path / "keys.json"
    for n in range(3):
        add_key(path, f"municipality:town-{n}")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(json.loads(path.read_text(encoding="utf-8"))["keys"]) == 3
    assert [p.name for p in tmp_path.iterdir()] == ["keys.json"]  # no part file left
