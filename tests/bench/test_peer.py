"""Our side of the txtai comparison (`matcher bench --peer`), which CI cannot run whole (txtai
needs its own venv): it ranks the demo's judged project queries with the real service."""

import pytest

from benchmarks import peer
from matcher.domain.schema import text_of
from matcher.evaluation.judgments import load as load_judgments
from matcher.importing import parse_file
from tests.helpers import copy_home, make_settings

pytestmark = pytest.mark.slow


def test_our_side_ranks_every_judged_query_and_scores_like_matcher_eval(tmp_path, demo_home):
    # The service searches a copy of the session's built demo home (its own build would only
    # encode the demo again); the timed indexing encodes the projects itself.
    settings = make_settings(copy_home(demo_home, tmp_path / "home"))
    items = parse_file("projects", settings.demo_dir / "projects.jsonl").items
    corpus = [(item.id, text_of(item)) for item in items]
    graded = load_judgments(settings.demo_dir)
    ours = peer._ours_demo(settings, corpus, graded)
    assert ours["query_ms"]["n"] >= len(graded.of_kind("projects"))
    assert ours["index_seconds"] > 0
    # The fast profile's hybrid nDCG@10 on the project queries is about 0.58 (`matcher eval`).
    assert 0.5 < ours["metrics"]["ndcg@10"] < 0.7
