import math

from matcher.evaluation import metrics as ev


def test_metrics_on_a_hand_computed_example():
    rel = {"a": 2, "b": 1}
    assert ev.ndcg_at_k(["a", "b", "c"], rel, 10) == 1.0
    worse = ev.ndcg_at_k(["c", "a", "b"], rel, 10)
    ideal = 3 + 1 / math.log2(3)
    assert abs(worse - (3 / math.log2(3) + 1 / 2) / ideal) < 1e-9
    assert ev.mrr_at_k(["c", "b"], rel, 10) == 0.5
    assert ev.recall_at_k(["a", "x"], rel, 2) == 0.5
    assert ev.precision_at_k(["a", "x"], rel, 2) == 0.5


def test_evaluate_and_bootstrap():
    run = {"q1": ["a"], "q2": ["x"]}
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}}
    assert ev.evaluate(run, qrels, {"mrr": 10}) == {"mrr@10": 0.5}
    lo, hi = ev.bootstrap_ci([0.0, 1.0] * 20)
    assert 0.3 < lo < 0.5 < hi < 0.7
