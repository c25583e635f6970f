"""Calibrated confidence: the probability that a result is relevant, and the line of „hoch“.

A result's signals (`features.SIGNALS`: cosine, BM25, topic words, its place in the list, …)
go through a small logistic model per kind of result, fitted on judged results (grade ≥ 2
relevant) of the tune half; „hoch“ is a probability line chosen there. The model is stored as
plain numbers in the ranking config (`config.Calibration`), applied here without scikit-learn;
`fit` and the measures (`expected_calibration_error`, `reliability`) are for the evaluation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from matcher.ranking.config import Calibration

# Lines tried for „hoch“, from sure to loose; the loosest that keeps the wanted precision wins.
LINES = tuple(round(0.95 - 0.025 * i, 3) for i in range(33))
WANTED_PRECISION = 0.9
# Below „hoch“, a result is still shown (`mittel`) from the loosest line whose results are
# relevant this often on the tune half: two in three of what is shown unfolded are right.
SHOWN_PRECISION = 0.7
# The line needs at least this many results at or above it on the tune half (a precision of
# 3 of 3 says little).
MIN_LINE_SUPPORT = 10
REGULARISATION = 1.0  # scikit-learn's C: a mild prior, the signals are on comparable scales
BINS = 10  # of the reliability diagram and the expected calibration error


def probability(model: Calibration, signals: Mapping[str, float]) -> float:
    """P(relevant) of one result from its signals (a signal not given counts 0)."""
    logit = model.intercept + sum(
        c * signals.get(f, 0.0) for f, c in zip(model.features, model.coef, strict=True)
    )
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, logit))))


def score_margins(scores: Sequence[float]) -> list[float]:
    """Each score's margin over the best other score of its list: positive only for a first
    result that stands out, its distance behind the first for every other. (A clear first is
    more often right than one of several alike, whatever its own score.)"""
    if not scores:
        return []
    order = sorted(scores, reverse=True)
    first, second = order[0], order[1] if len(order) > 1 else 0.0
    return [s - (second if s == first else first) for s in scores]


def shown_line(model: Calibration | None, fallback: float) -> float:
    """The probability from which a result of the model's kind is shown (`mittel`): the
    model's own line where it was fitted, else `fallback` (the config's)."""
    return model.shown if model is not None and model.shown is not None else fallback


def fit(
    rows: Sequence[Mapping[str, float]],
    labels: Sequence[int],
    features: Sequence[str],
    weights: Sequence[float] | None = None,
    note: str = "",
) -> Calibration:
    """A logistic model of relevance on the named signals (not balanced: its output is meant
    as a probability); the line is left at 0.5 (`choose_line` sets it)."""
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(labels, dtype=int)
    if len(set(y.tolist())) < 2:
        raise ValueError("calibration needs relevant and irrelevant examples")
    x = np.array([[r.get(f, 0.0) for f in features] for r in rows], dtype=float)
    model = LogisticRegression(C=REGULARISATION, max_iter=2000)
    model.fit(x, y, sample_weight=None if weights is None else np.asarray(weights, float))
    return Calibration(
        features=list(features),
        coef=[round(float(v), 4) for v in model.coef_[0]],
        intercept=round(float(model.intercept_[0]), 4),
        trained_on=note,
    )


def choose_line(
    probabilities: Sequence[float],
    relevant: Sequence[bool],
    wanted: float = WANTED_PRECISION,
    support: int = MIN_LINE_SUPPORT,
) -> float:
    """The loosest line whose results (probability ≥ line) are relevant at least `wanted` of
    the time, with at least `support` of them; where no line keeps that precision, the line
    with the highest precision that `support` results still back (ties: the looser); the
    surest line when not even that is."""
    p = np.asarray(probabilities, dtype=float)
    r = np.asarray(relevant, dtype=bool)
    backed = []
    for line in LINES:
        above = p >= line
        if above.sum() >= support:
            backed.append((float(r[above].mean()), line))
    keeping = [line for precision, line in backed if precision >= wanted]
    if keeping:
        return min(keeping)
    if backed:
        return max(backed, key=lambda b: (b[0], -b[1]))[1]
    return LINES[0]


def sure(probabilities: Sequence[float], relevant: Sequence[bool], line: float) -> dict:
    """Count and precision of the results at or above the line."""
    p = np.asarray(probabilities, dtype=float)
    above = p >= line
    hits = np.asarray(relevant, dtype=bool)[above]
    return {"count": int(above.sum()), "precision": float(hits.mean()) if hits.size else 0.0}


def reliability(
    probabilities: Sequence[float], relevant: Sequence[bool], bins: int = BINS
) -> list[dict]:
    """Per probability bin with results: mean probability, share relevant, count."""
    p = np.asarray(probabilities, dtype=float)
    r = np.asarray(relevant, dtype=float)
    at = np.minimum((p * bins).astype(int), bins - 1)
    return [
        {
            "predicted": float(p[at == b].mean()),
            "observed": float(r[at == b].mean()),
            "count": int((at == b).sum()),
        }
        for b in range(bins)
        if (at == b).any()
    ]


def expected_calibration_error(
    probabilities: Sequence[float], relevant: Sequence[bool], bins: int = BINS
) -> float:
    """Mean gap between predicted and observed share relevant, weighted by bin size."""
    rows = reliability(probabilities, relevant, bins)
    total = sum(row["count"] for row in rows)
    if not total:
        return 0.0
    return sum(row["count"] * abs(row["predicted"] - row["observed"]) for row in rows) / total
