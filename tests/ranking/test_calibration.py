"""Calibrated confidence: a logistic model over a result's signals, and the line of „hoch“."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.config import FAST_ENCODER, PACKAGE_DATA
from matcher.domain.errors import ConfigError
from matcher.ranking import calibration as cal
from matcher.ranking.config import Calibration, RankingConfig, load_ranking_config


def test_the_probability_is_the_logistic_of_the_weighted_signals():
    model = Calibration(features=["dense", "topic"], coef=[4.0, 2.0], intercept=-3.0)
    assert cal.probability(model, {"dense": 0.5, "topic": 0.5}) == pytest.approx(0.5)
    assert cal.probability(model, {"dense": 1.0}) == pytest.approx(1 / (1 + np.exp(-1.0)))
    # A signal the model does not read changes nothing; one it reads but not given counts 0.
    assert cal.probability(model, {"dense": 1.0, "lexical": 9.0}) == cal.probability(
        model, {"dense": 1.0}
    )


def test_a_fit_learns_which_signal_tells_relevance_and_is_roughly_calibrated():
    rng = np.random.default_rng(0)
    dense = rng.uniform(0, 1, 4000)
    noise = rng.uniform(0, 1, 4000)
    truth = 1 / (1 + np.exp(-(8 * dense - 5)))
    labels = (rng.uniform(0, 1, 4000) < truth).astype(int)
    rows = [{"dense": d, "lexical": n} for d, n in zip(dense, noise, strict=True)]
    model = cal.fit(rows, labels.tolist(), ["dense", "lexical"])
    coef = dict(zip(model.features, model.coef, strict=True))
    assert coef["dense"] > 5 and abs(coef["lexical"]) < 1
    chances = [cal.probability(model, r) for r in rows]
    assert cal.expected_calibration_error(chances, labels.astype(bool)) < 0.05


def test_a_fit_needs_both_kinds_of_example():
    with pytest.raises(ValueError):
        cal.fit([{"dense": 0.1}, {"dense": 0.9}], [1, 1], ["dense"])


def test_the_line_is_the_loosest_that_keeps_the_wanted_precision():
    # 20 results at 0.9 all relevant, 20 at 0.6 half relevant, 20 at 0.3 none.
    chances = [0.9] * 20 + [0.6] * 20 + [0.3] * 20
    relevant = [True] * 20 + [True, False] * 10 + [False] * 20
    line = cal.choose_line(chances, relevant, wanted=0.9, support=10)
    assert 0.6 < line <= 0.9
    figures = cal.sure(chances, relevant, line)
    assert figures == {"count": 20, "precision": 1.0}
    # Wanting less precision takes the half-relevant ones in too (30 of 40 = 0.75).
    assert cal.choose_line(chances, relevant, wanted=0.75, support=10) <= 0.6


def test_where_no_line_keeps_the_precision_the_surest_backed_one_is_taken():
    # 10 at 0.8 with 8 relevant, 10 more at 0.5 with 4: no line reaches 0.9.
    chances = [0.8] * 10 + [0.5] * 10
    relevant = [True] * 8 + [False] * 2 + [True] * 4 + [False] * 6
    line = cal.choose_line(chances, relevant, wanted=0.9, support=10)
    assert 0.5 < line <= 0.8 and cal.sure(chances, relevant, line)["precision"] == 0.8


def test_without_enough_support_the_surest_line_is_kept():
    assert cal.choose_line([0.99, 0.2], [True, False], support=10) == cal.LINES[0]


def test_reliability_and_calibration_error():
    chances = [0.05] * 10 + [0.95] * 10
    perfect = [False] * 10 + [True] * 10
    assert cal.expected_calibration_error(chances, perfect) == pytest.approx(0.05)
    bins = cal.reliability(chances, perfect)
    assert [b["count"] for b in bins] == [10, 10]
    assert bins[1]["observed"] == 1.0
    backwards = [True] * 10 + [False] * 10
    assert cal.expected_calibration_error(chances, backwards) == pytest.approx(0.95)


def test_the_config_refuses_a_calibration_it_cannot_apply(tmp_path):
    bad_signal = {"projects": {"features": ["dense", "colour"], "coef": [1.0, 1.0]}}
    bad_kind = {"joint": {"features": ["dense"], "coef": [1.0]}}
    for calibration in (bad_signal, bad_kind):
        path = tmp_path / "ranking.json"
        path.write_text(RankingConfig(calibration=calibration).model_dump_json())
        with pytest.raises(ConfigError):
            load_ranking_config(path)


def test_the_shipped_config_calibrates_every_kind_for_both_encoders():
    stored = load_ranking_config(PACKAGE_DATA / "ranking.json")
    for encoder in ("use+e5", FAST_ENCODER):
        config = stored.for_encoder(encoder)
        assert set(config.calibration) == {"projects", "providers", "municipalities", "leads"}
        for kind, model in config.calibration.items():
            assert 0 < model.line <= 1 and "held_out_hoch_precision" in model.metrics
            # What is shown at all starts at or below „hoch“; a lead has no middle level.
            if kind == "leads":
                assert model.shown is None
            else:
                assert model.shown is not None and 0 < model.shown <= model.line


def test_a_margin_is_how_far_a_clear_first_leads_and_how_far_the_others_trail():
    assert cal.score_margins([0.5, 0.3, 0.2]) == pytest.approx([0.2, -0.2, -0.3])
    # Order does not matter, a tie for first is no lead, and one result leads by its score.
    assert cal.score_margins([0.2, 0.5, 0.3]) == pytest.approx([-0.3, 0.2, -0.2])
    assert cal.score_margins([0.4, 0.4, 0.1]) == pytest.approx([0.0, 0.0, -0.3])
    assert cal.score_margins([0.4]) == pytest.approx([0.4])
    assert cal.score_margins([]) == []


def test_what_is_shown_starts_at_the_models_own_line_or_else_the_configs():
    fitted = Calibration(features=["dense"], coef=[1.0], line=0.6, shown=0.2)
    assert cal.shown_line(fitted, 0.3) == 0.2
    assert cal.shown_line(fitted.model_copy(update={"shown": None}), 0.3) == 0.3
    assert cal.shown_line(None, 0.3) == 0.3
