"""Agreement of two judges: Cohen's kappa over the pooled pairs, and nDCG under either."""

from __future__ import annotations

import pytest

from matcher.evaluation import agreement
from matcher.evaluation import metrics as ev


def _write(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "query_id,item_id,grade\n" + "".join(f"{q},{i},{g}\n" for q, i, g in rows),
        encoding="utf-8",
    )


def test_identical_judges_agree_fully_and_opposite_ones_do_not():
    first = {"q1": {"a": 3, "b": 0, "c": 2}, "q2": {"a": 1}}
    same = agreement.kappa(first, {"q1": {"a": 3, "b": 0, "c": 2}, "q2": {"a": 1, "d": 0}})
    assert same["kappa"] == pytest.approx(1.0) and same["exact"] == 1.0
    assert same["pairs"] == 5 and same["queries"] == 2
    flipped = agreement.kappa(first, {"q1": {"a": 0, "b": 3, "c": 0}, "q2": {"a": 3, "d": 3}})
    assert flipped["kappa"] < 0 and flipped["kappa_relevant"] < 0


def test_an_item_the_first_judge_did_not_grade_counts_as_zero():
    found = agreement.kappa({"q1": {"a": 3}}, {"q1": {"a": 3, "z": 0}})
    assert found["exact"] == 1.0
    found = agreement.kappa({"q1": {"a": 3}}, {"q1": {"a": 3, "z": 3}})
    assert found["exact"] == 0.5


def test_second_judgments_are_read_and_checked(tmp_path):
    _write(tmp_path / "judgments" / "second" / "projects.csv", [("q1", "a", 2), ("q1", "b", 0)])
    assert agreement.read_second(tmp_path) == {"q1": {"a": 2.0, "b": 0.0}}
    _write(tmp_path / "judgments" / "second" / "bad.csv", [("q1", "a", 7)])
    with pytest.raises(ValueError, match="not within 0–3"):
        agreement.read_second(tmp_path)
    assert agreement.read_second(tmp_path / "nowhere") == {}


def test_the_table_scores_each_system_under_either_judge():
    judged = ev.Judgments(
        queries={"q1": "x", "q2": "y"},
        kinds={"q1": "projects", "q2": "projects"},
        askers={"q1": None, "q2": None},
        relevant={"q1": {"a": 3}, "q2": {"b": 3}},
    )
    second = {"q1": {"a": 0, "c": 3}}
    runs = {"hybrid": {"q1": ["a", "c"], "q2": ["b"]}}
    (row,) = agreement.table(judged, second, runs, ("projects", "providers"))
    assert row["queries"] == 1  # only what both judged
    assert row["hybrid_first"] == pytest.approx(1.0)
    assert row["hybrid_second"] == pytest.approx(ev.ndcg_at_k(["a", "c"], {"c": 3}, 10))
    assert "κ" in agreement.format_table([row], ["hybrid"])
