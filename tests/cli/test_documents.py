"""`matcher documents add|list|match` on the fixture corpus (fake encoder): a file attached,
listed, found for a challenge; a bad file is exit code 2 naming the reason, nothing stored."""

from __future__ import annotations

import os
import shutil

from click.testing import CliRunner

from matcher.cli import main
from matcher.service import home
from tests import document_files as files
from tests.helpers import FIXTURES
from tools.fakes import FakeEncoder


def test_add_list_and_match(tmp_path, monkeypatch):
    monkeypatch.setattr(home, "create_encoder", lambda *_args, **_kw: FakeEncoder())
    for key in [k for k in os.environ if k.startswith("MATCHER_")]:
        monkeypatch.delenv(key)
    data = tmp_path / "data"
    shutil.copytree(FIXTURES, data)
    monkeypatch.setenv("MATCHER_DATA_DIR", str(data))
    monkeypatch.setenv("MATCHER_PROGRESS", "false")
    base = ["--home", str(tmp_path / "home")]
    assert CliRunner().invoke(main, [*base, "build"]).exit_code == 0
    (tmp_path / "led.odt").write_bytes(files.odt())
    (tmp_path / "fake.pdf").write_bytes(files.HTML)
    add = [*base, "documents", "add", "p-licht"]
    fields = ["--kind", "leistungsbeschreibung", "--title", "LED-Vorlage", "--licence", "cc0-1.0"]
    refused = CliRunner().invoke(main, [*add, str(tmp_path / "fake.pdf"), *fields])
    assert refused.exit_code == 2 and "getarnte Datei" in refused.output
    added = CliRunner().invoke(main, [*add, str(tmp_path / "led.odt"), *fields])
    assert added.exit_code == 0, added.output
    assert "„LED-Vorlage“ (odt," in added.output
    listed = CliRunner().invoke(main, [*base, "documents", "list"])
    assert listed.exit_code == 0 and listed.output.count("LED-Vorlage") == 1
    assert "[Leistungsbeschreibung / Ausschreibung; CC0 1.0]" in listed.output
    challenge = "Straßenbeleuchtung auf LED umrüsten und nachts dimmen"
    found = CliRunner().invoke(main, [*base, "documents", "match", challenge])
    assert found.exit_code == 0, found.output
    assert found.output.startswith("1. LED-Vorlage") and "„" in found.output
