"""The notebooks run top to bottom, headless, on the demo corpus (as programme staff would)."""

from pathlib import Path

import pytest

from matcher.config import FAST_ENCODER, REPO_ROOT
from matcher.service import MatcherService
from tests.helpers import make_settings

pytestmark = pytest.mark.slow
nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


@pytest.fixture(scope="module")
def notebook_env(demo_copy, use_encoder):
    """A copy of the session's built demo home with four verdicts on one challenge."""
    home = demo_copy("notebook-home")
    service = MatcherService(make_settings(home), encoder=use_encoder)
    service.open()
    for verdict, item in (
        ("passt", "prj-en-01"),
        ("passt", "prj-en-02"),
        ("passt_nicht", "prj-si-23"),
        ("passt_nicht", "prj-da-05"),
    ):
        service.add_feedback("Unsere Laternen brennen die ganze Nacht", "projects", item, verdict)
    service.close()
    return home


def _execute(name: str, home: Path, monkeypatch, **outputs: str) -> list[str]:
    env = {
        "MATCHER_HOME": str(home),
        "MATCHER_PROGRESS": "false",
        "MATCHER_ENCODER": FAST_ENCODER,
        **outputs,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    nb = nbformat.read(REPO_ROOT / "notebooks" / name, as_version=4)
    nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(REPO_ROOT)}}
    ).execute()
    texts, images = [], 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", out
            texts.append(out.get("text", "") or str(out.get("data", {}).get("text/plain", "")))
            images += "image/png" in out.get("data", {})
    return texts, images


def test_relevance_tuning_notebook_writes_only_a_better_config(notebook_env, tmp_path, monkeypatch):
    out = tmp_path / "ranking.json"
    texts, images = _execute(
        "relevance_tuning.ipynb", notebook_env, monkeypatch, RANKING_CONFIG_OUT=str(out)
    )
    decision = "".join(texts)
    assert images >= 4  # three sweeps and the reliability diagram
    # How sure „hoch“ is on the held-out half, calibrated and by the old rules.
    assert "calibrated: „hoch“" in decision and "rules: „hoch“" in decision
    assert ("Written to" in decision) == out.exists()
    assert "Written to" in decision or "Nothing written" in decision


def test_feedback_notebook_turns_verdicts_into_training_data(notebook_env, tmp_path, monkeypatch):
    out = tmp_path / "feedback.csv"
    texts, images = _execute(
        "feedback_analysis.ipynb", notebook_env, monkeypatch, FEEDBACK_TRAINING_OUT=str(out)
    )
    assert images >= 1
    rows = Path(out).read_text().splitlines()
    assert rows[0].endswith("label") and len(rows) == 5  # header + four verdicts


def test_learned_ranker_notebook_reports_both_and_writes_a_candidate(
    notebook_env, tmp_path, monkeypatch
):
    out = tmp_path / "learned.json"
    texts, images = _execute(
        "learned_ranker.ipynb", notebook_env, monkeypatch, LEARNED_CONFIG_OUT=str(out)
    )
    printed = "".join(texts)
    assert "hand-tuned" in printed and "learned (CV)" in printed and images >= 1
    from matcher.ranking.config import load_ranking_config

    assert load_ranking_config(out).ranker == "learned"
