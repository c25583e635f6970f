"""`matcher eval --encoders`: wiring of the command (fake encoders on the tiny corpus)."""

from __future__ import annotations

import json
import os
import shutil

from click.testing import CliRunner

from matcher.cli import main
from matcher.service import home
from tests.evaluation.test_encoders import JUDGMENTS
from tests.helpers import FIXTURES
from tools.fakes import FakeEncoder


def test_eval_encoders_prints_one_table_per_kind(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES, data)
    (data / "judgments").mkdir()
    (data / "judgments" / "all.csv").write_text(JUDGMENTS, encoding="utf-8")
    built: list[str] = []

    def fake_factory(spec: str, threads: int = 2, batch_size: int = 64) -> FakeEncoder:
        built.append(spec)
        return FakeEncoder()

    monkeypatch.setattr(home, "create_encoder", fake_factory)
    for key in [k for k in os.environ if k.startswith("MATCHER_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("MATCHER_DATA_DIR", str(data))
    monkeypatch.setenv("MATCHER_PROGRESS", "false")
    args = ["--home", str(tmp_path / "home"), "eval", "--encoders", "a,b", "--split", "all"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert built == ["a", "b"]
    assert "projects (3 queries, all)" in result.output
    assert "ΔnDCG vs a" in result.output
    as_json = CliRunner().invoke(main, [*args, "--json"])
    tables = json.loads(as_json.output)
    assert [r["encoder"] for r in tables["providers"]] == ["a", "b", "a", "b"]
    # Two identical encoders: every paired difference is zero.
    assert all(r["ndcg@10_delta"] == 0 for rows in tables.values() for r in rows)
