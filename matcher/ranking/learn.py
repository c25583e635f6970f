"""A learned ranker: logistic regression over the score components (scikit-learn).

Trained pointwise from graded judgments (grade ≥ 2 counts as relevant) and feedback
("passt" relevant, "passt nicht" not); the result is a plain linear model that the ranking
config stores as numbers and `fusion.fuse` applies without scikit-learn.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matcher.ranking.config import LearnedRanker
from matcher.ranking.features import INPUTS


def fit_ranker(
    rows: Sequence[dict[str, float]], labels: Sequence[int], c: float = 1.0, note: str = ""
) -> LearnedRanker:
    """Fit a logistic regression on feature dicts; features that never vary are left out."""
    from sklearn.linear_model import LogisticRegression

    names = [f for f in INPUTS if len({r.get(f, 0.0) for r in rows}) > 1]
    x = np.array([[r.get(f, 0.0) for f in names] for r in rows], dtype=float)
    y = np.asarray(labels, dtype=int)
    if len(set(y.tolist())) < 2:
        raise ValueError("training data needs relevant and irrelevant examples")
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=1000)
    model.fit(x, y)
    return LearnedRanker(
        features=names,
        coef=[round(float(v), 6) for v in model.coef_[0]],
        intercept=round(float(model.intercept_[0]), 6),
        trained_on=note,
    )
