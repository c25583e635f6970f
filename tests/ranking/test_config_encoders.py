"""Ranking settings that differ by encoder: a section per encoder laid over the shared ones."""

from __future__ import annotations

import pytest

from matcher.config import PACKAGE_DATA
from matcher.domain.errors import ConfigError
from matcher.ranking.config import (
    RankingConfig,
    load_ranking_config,
    save_ranking_config,
    tuned_into,
)

STORED = RankingConfig.model_validate(
    {
        "weights": {"dense": 1.0, "lexical": 0.3, "category": 0.1},
        "min_score": 0.115,
        "metrics": {"ndcg@10": 0.63},
        "encoder": "use+e5",
        "encoders": {
            "fast": {"weights": {"lexical": 0.5}, "min_score": 0.1, "metrics": {"ndcg@10": 0.58}}
        },
    }
)


def test_an_encoder_gets_its_section_laid_over_the_shared_settings():
    fast = STORED.for_encoder("fast")
    assert (fast.weights.lexical, fast.weights.category, fast.weights.dense) == (0.5, 0.1, 1.0)
    assert fast.min_score == 0.1 and fast.metrics == {"ndcg@10": 0.58}
    assert fast.encoders == {}
    other = STORED.for_encoder("use+e5")
    assert (other.weights.lexical, other.min_score, other.encoders) == (0.3, 0.115, {})


def test_a_section_with_a_typo_is_refused_not_ignored():
    bad = STORED.model_copy(update={"encoders": {"fast": {"weights": {"lexicall": 0.5}}}})
    with pytest.raises(ConfigError, match="fast"):
        bad.for_encoder("fast")


def test_a_tuned_config_goes_back_into_its_encoders_section_only(tmp_path):
    tuned = STORED.for_encoder("fast")
    tuned = tuned.model_copy(
        update={"weights": tuned.weights.model_copy(update={"category": 0.4}), "min_score": 0.12}
    )
    written = tuned_into(STORED, tuned, "fast")
    path = tmp_path / "ranking.json"
    save_ranking_config(written, path)
    again = load_ranking_config(path)
    assert again.for_encoder("fast").weights.category == 0.4
    assert again.for_encoder("fast").min_score == 0.12
    # The shared settings, and so the other encoder, are untouched.
    assert again.for_encoder("use+e5") == STORED.for_encoder("use+e5")
    # An encoder without a section writes the shared settings and keeps the others' sections.
    shared = tuned_into(
        STORED, STORED.for_encoder("use+e5").model_copy(update={"min_score": 0.2}), "use+e5"
    )
    assert shared.min_score == 0.2 and shared.encoders == STORED.encoders


def test_the_shipped_config_has_values_for_the_default_and_the_fast_profile():
    from matcher.config import DEFAULT_ENCODER, FAST_ENCODER

    shipped = load_ranking_config(PACKAGE_DATA / "ranking.json")
    default, fast = shipped.for_encoder(DEFAULT_ENCODER), shipped.for_encoder(FAST_ENCODER)
    assert default.encoder == DEFAULT_ENCODER and fast.encoder == FAST_ENCODER
    assert default.weights != fast.weights
    assert "ndcg@10" in default.metrics and "ndcg@10" in fast.metrics
