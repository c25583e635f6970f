import pytest

from matcher.domain.errors import ConfigError
from matcher.ranking.config import RankingConfig, load_ranking_config, save_ranking_config
from matcher.ranking.diversity import cap_per_group
from matcher.ranking.fusion import Candidate, fuse, text_fit


def test_floor_drops_unrelated_and_flags_weak():
    cfg = RankingConfig(min_score=0.2, confident_score=0.3)
    out = fuse(
        [
            Candidate("strong", dense=0.6, lexical=10),
            Candidate("weak", dense=0.4),
            Candidate("none", dense=0.05),
        ],
        cfg,
    )
    assert [s.id for s in out] == ["strong", "weak"]
    assert out[0].confident and not out[1].confident


def test_an_exact_match_of_a_short_query_passes_the_floor_last_and_uncertain():
    cfg = RankingConfig(min_score=0.2, confident_score=0.3)
    out = fuse(
        [
            Candidate("named", dense=0.02, lexical=3.0, exact=True),
            Candidate("related", dense=0.4),
            Candidate("none", dense=0.02, lexical=3.0),
        ],
        cfg,
    )
    assert [s.id for s in out] == ["related", "named"]
    assert not out[1].confident


def test_features_add_but_never_lift_an_item_over_the_floor():
    cfg = RankingConfig(min_score=0.2)
    near = Candidate("near", dense=0.4, features={"proximity": 1.0})
    far = Candidate("far", dense=0.4)
    unrelated = Candidate("x", dense=0.0, features={"proximity": 1.0, "category": 1.0})
    out = fuse([far, near, unrelated], cfg)
    assert [s.id for s in out] == ["near", "far"]
    assert out[0].components["proximity"] == cfg.weights.proximity


def test_weights_come_from_the_config():
    dense_only = RankingConfig(weights={"dense": 1.0, "lexical": 0.0})
    assert text_fit(0.5, 100.0, dense_only)[0] == 0.5
    lexical_only = RankingConfig(weights={"dense": 0.0, "lexical": 1.0}, lexical_saturation=10)
    assert text_fit(0.5, 10.0, lexical_only)[0] == 0.5


def test_cap_per_group_moves_a_towns_third_item_back():
    ranked = ["a1", "a2", "a3", "b1"]
    groups = {"a1": ["A"], "a2": ["A"], "a3": ["A"], "b1": ["B"]}
    assert cap_per_group(ranked, groups, lambda x: x, 2) == ["a1", "a2", "b1", "a3"]


def test_config_round_trip_and_unknown_keys(tmp_path):
    import json

    path = tmp_path / "r.json"
    save_ranking_config(RankingConfig(min_score=0.3, metrics={"ndcg@10": 0.5}), path)
    assert load_ranking_config(path).min_score == 0.3
    path.write_text(json.dumps({"weights": {"dense": 1, "lexicla": 1}}))
    with pytest.raises(ConfigError):
        load_ranking_config(path)
    assert load_ranking_config(None) == RankingConfig()
    with pytest.raises(ConfigError):
        load_ranking_config(tmp_path / "missing.json")


def test_a_strong_fit_orders_and_is_confident_until_a_calibration_says_otherwise():
    config = RankingConfig(min_score=0.1, confident_score=0.3)
    fused = {s.id: s for s in fuse([Candidate("a", dense=0.6), Candidate("b", dense=0.2)], config)}
    # Fusion alone knows the text fit: strong and confident alike, no probability yet.
    assert fused["a"].strong and fused["a"].confident and fused["a"].probability is None
    assert not fused["b"].strong and not fused["b"].confident
    fused["a"].confident = False  # what a calibration with a higher line would do
    assert fused["a"].strong
