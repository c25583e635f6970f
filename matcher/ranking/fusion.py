"""Fusion: dense and lexical scores make the text fit; structured features add to it.

score = text_fit + Σ weight_f · feature_f, where
text_fit = (w_dense · cosine + w_lexical · bm25/(bm25 + saturation)) / (w_dense + w_lexical)
(`text_fits`, computed for all candidates at once).
The relevance floor applies to the text fit only, so proximity or size never lift an
unrelated item into the results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from matcher.ranking.config import RankingConfig

FEATURES = ("category", "proximity", "population", "evidence", "recency")  # fuse() spells
# them out one by one in this order, for speed: change both together.


@dataclass
class Candidate:
    """An item found by a retriever, with its raw scores and features in [0, 1]."""

    id: str
    dense: float = 0.0
    lexical: float = 0.0
    features: dict[str, float] = field(default_factory=dict)


@dataclass
class Scored:
    """A fused result: the final score, the text fit and its inputs; the weighted components
    are worked out only for results that are shown."""

    id: str
    score: float
    text_fit: float
    inputs: dict[str, float]
    confident: bool
    config: RankingConfig = field(repr=False, compare=False)

    @cached_property
    def components(self) -> dict[str, float]:
        """Every weighted part of the score, rounded (zero features left out)."""
        if _is_learned(self.config):
            return _learned(self.inputs, self.config)[1]
        return _weighted(self.text_fit, self.inputs, self.config)[1]


def text_fits(
    dense: np.ndarray, lexical: np.ndarray, config: RankingConfig
) -> tuple[np.ndarray, np.ndarray]:
    """(text fit, normalised lexical score) of many candidates at once; BM25 is mapped to
    [0, 1) by bm25 / (bm25 + saturation), 0.5 at the saturation."""
    w = config.weights
    dense, raw = np.asarray(dense, dtype=np.float64), np.asarray(lexical, dtype=np.float64)
    lex = np.where(raw > 0, raw / (np.maximum(raw, 0) + config.lexical_saturation), 0.0)
    total = w.dense + w.lexical
    fits = (w.dense * dense + w.lexical * lex) / total if total else np.zeros_like(dense)
    return fits, lex


def text_fit(dense: float, lexical: float, config: RankingConfig) -> tuple[float, float]:
    """(text fit, normalised lexical score) of one candidate."""
    fits, lex = text_fits(np.array([dense]), np.array([lexical]), config)
    return float(fits[0]), float(lex[0])


def feature_vector(cand: Candidate, config: RankingConfig) -> dict[str, float]:
    """Every input of the ranking for one candidate: dense, normalised lexical, features."""
    return {
        "dense": cand.dense,
        "lexical": text_fit(cand.dense, cand.lexical, config)[1],
        **{name: cand.features.get(name, 0.0) for name in FEATURES},
    }


def _weighted(fit: float, x: dict[str, float], config: RankingConfig) -> tuple[float, dict]:
    w = config.weights
    components = {"dense": round(x["dense"], 4), "lexical": round(x["lexical"], 4)}
    score = fit
    for name in FEATURES:
        contribution = getattr(w, name) * x[name]
        if x[name]:
            components[name] = round(contribution, 4)
        score += contribution
    return score, components


def _learned(x: dict[str, float], config: RankingConfig) -> tuple[float, dict]:
    model = config.learned
    logit = model.intercept + sum(
        c * x.get(f, 0.0) for f, c in zip(model.features, model.coef, strict=True)
    )
    components = {
        f: round(c * x.get(f, 0.0), 4)
        for f, c in zip(model.features, model.coef, strict=True)
        if x.get(f)
    }
    return 1.0 / (1.0 + math.exp(-logit)), components


def _is_learned(config: RankingConfig) -> bool:
    return config.ranker == "learned" and config.learned is not None


def fuse(candidates: list[Candidate], config: RankingConfig) -> list[Scored]:
    """Score candidates, drop those under the relevance floor, best first."""
    if not candidates:
        return []
    # The text fit of every candidate at once; only those above the floor go on.
    w = config.weights
    fits, lexical = text_fits(
        np.fromiter((c.dense for c in candidates), np.float64, len(candidates)),
        np.fromiter((c.lexical for c in candidates), np.float64, len(candidates)),
        config,
    )
    learned = _is_learned(config)
    w_cat, w_prox, w_pop, w_evid, w_rec = (getattr(w, name) for name in FEATURES)
    out: list[Scored] = []
    for at in np.flatnonzero(fits >= config.min_score).tolist():
        cand, fit = candidates[at], float(fits[at])
        f = cand.features
        x = {
            "dense": cand.dense,
            "lexical": float(lexical[at]),
            "category": f.get("category", 0.0),
            "proximity": f.get("proximity", 0.0),
            "population": f.get("population", 0.0),
            "evidence": f.get("evidence", 0.0),
            "recency": f.get("recency", 0.0),
        }
        if learned:
            score = _learned(x, config)[0]
        else:
            score = (
                fit
                + w_cat * x["category"]
                + w_prox * x["proximity"]
                + w_pop * x["population"]
                + w_evid * x["evidence"]
                + w_rec * x["recency"]
            )
        out.append(Scored(cand.id, score, fit, x, fit >= config.confident_score, config))
    out.sort(key=lambda s: (-s.score, s.id))
    return out
