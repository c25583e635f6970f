"""Fusion: dense and lexical scores make the text fit; structured features add to it.

score = text_fit + Σ weight_f · feature_f, where
text_fit = (w_dense · cosine + w_lexical · bm25/(bm25 + saturation)) / (w_dense + w_lexical).
The relevance floor applies to the text fit only, so proximity or size never lift an
unrelated item into the results.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matcher.ranking.config import RankingConfig

FEATURES = ("category", "proximity", "population", "evidence", "recency")


@dataclass
class Candidate:
    """An item found by a retriever, with its raw scores and features in [0, 1]."""

    id: str
    dense: float = 0.0
    lexical: float = 0.0
    features: dict[str, float] = field(default_factory=dict)


@dataclass
class Scored:
    """A fused result: the final score, the text fit and every weighted component."""

    id: str
    score: float
    text_fit: float
    components: dict[str, float]
    confident: bool


def lexical_norm(score: float, saturation: float) -> float:
    """BM25 mapped to [0, 1): 0.5 at `saturation`."""
    return score / (score + saturation) if score > 0 else 0.0


def text_fit(dense: float, lexical: float, config: RankingConfig) -> tuple[float, float]:
    """(text fit, normalised lexical score)."""
    w = config.weights
    lex = lexical_norm(lexical, config.lexical_saturation)
    total = w.dense + w.lexical
    if total == 0:
        return 0.0, lex
    return (w.dense * dense + w.lexical * lex) / total, lex


def fuse(candidates: list[Candidate], config: RankingConfig) -> list[Scored]:
    """Score candidates, drop those under the relevance floor, best first."""
    w = config.weights
    out: list[Scored] = []
    for cand in candidates:
        fit, lex = text_fit(cand.dense, cand.lexical, config)
        if fit < config.min_score:
            continue
        components = {"dense": round(cand.dense, 4), "lexical": round(lex, 4)}
        score = fit
        for name in FEATURES:
            value = cand.features.get(name, 0.0)
            contribution = getattr(w, name) * value
            if value:
                components[name] = round(contribution, 4)
            score += contribution
        out.append(Scored(cand.id, score, fit, components, fit >= config.confident_score))
    out.sort(key=lambda s: (-s.score, s.id))
    return out
