"""Fusion: dense and lexical scores make the text fit; structured features add to it.

score = text_fit + weights · features, where
text_fit = (w_dense · cosine + w_lexical · bm25/(bm25 + saturation)) / (w_dense + w_lexical)
(`text_fits`, computed for all candidates at once), and the features are `FEATURES` in their
order. A learned ranker instead applies its own linear model (its feature names travel with
it) through a logistic function. The relevance floor applies to the text fit only, so
proximity or size never lift an unrelated item into the results.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from matcher.ranking.config import LearnedRanker, RankingConfig
from matcher.ranking.features import FEATURES, INPUTS

_COLUMN = {name: at for at, name in enumerate(INPUTS)}
_FEATURE_COLUMNS = slice(len(INPUTS) - len(FEATURES), len(INPUTS))
COMPONENT_DIGITS = 4  # rounding of the score components shown in explanations


@dataclass(slots=True)
class Candidate:
    """An item found by a retriever, with its raw scores and features in [0, 1]."""

    id: str
    dense: float = 0.0
    lexical: float = 0.0
    features: dict[str, float] = field(default_factory=dict)
    exact: bool = False  # holds every word of a short challenge (`exact_terms_max`)


class InputRow(Mapping[str, float]):
    """One candidate's row of the input matrix, read by name (`INPUTS`): most fused
    candidates are never shown, so their inputs are not copied into a dict of their own."""

    __slots__ = ("_matrix", "_row")

    def __init__(self, matrix: np.ndarray, row: int) -> None:
        self._matrix = matrix
        self._row = row

    def __getitem__(self, name: str) -> float:
        return float(self._matrix[self._row, _COLUMN[name]])

    def __iter__(self) -> Iterator[str]:
        return iter(INPUTS)

    def __len__(self) -> int:
        return len(INPUTS)


@dataclass(slots=True)
class Scored:
    """A fused result: the final score, the text fit and its inputs (`INPUTS` by name); the
    weighted components are worked out only for results that are shown. (Slots: a query
    fuses hundreds of these, and an object without a `__dict__` is one allocation.)"""

    id: str
    score: float
    text_fit: float
    inputs: Mapping[str, float]
    confident: bool
    config: RankingConfig = field(repr=False, compare=False)
    # A strong match: its text fit reaches `confident_score` (and, checked by the query's
    # context, not by incidental words). It orders lists (strong matches first) and makes
    # references; `confident` is what is shown („hoch“): where the kind is calibrated, the
    # probability that it is relevant reaches the line, else the same as `strong`.
    strong: bool | None = field(default=None, compare=False)  # None: as `confident`
    # Set by the query's context when its kind is calibrated: P(relevant) and what it read.
    probability: float | None = field(default=None, compare=False)
    signals: dict[str, float] = field(default_factory=dict, repr=False, compare=False)
    _components: dict[str, float] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if self.strong is None:
            self.strong = self.confident

    @property
    def components(self) -> dict[str, float]:
        """Every weighted part of the score, rounded (zero features left out)."""
        if self._components is None:
            self._components = self._weighted()
        return self._components

    def _weighted(self) -> dict[str, float]:
        model = learned_model(self.config)
        if model is not None:
            return {
                f: round(c * self.inputs.get(f, 0.0), COMPONENT_DIGITS)
                for f, c in zip(model.features, model.coef, strict=True)
                if self.inputs.get(f)
            }
        weights = feature_weights(self.config)
        out = {
            "dense": round(self.inputs["dense"], COMPONENT_DIGITS),
            "lexical": round(self.inputs["lexical"], COMPONENT_DIGITS),
        }
        for name, w in zip(FEATURES, weights.tolist(), strict=True):
            if self.inputs[name]:
                out[name] = round(w * self.inputs[name], COMPONENT_DIGITS)
        return out


def learned_model(config: RankingConfig) -> LearnedRanker | None:
    """The learned model when the config selects it, else None (hand-set weights)."""
    return config.learned if config.ranker == "learned" else None


def feature_weights(config: RankingConfig) -> np.ndarray:
    """The weight of each of `FEATURES`, in that order."""
    return np.array([getattr(config.weights, name) for name in FEATURES], dtype=np.float64)


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


def input_matrix(
    candidates: list[Candidate], config: RankingConfig, lexical: np.ndarray | None = None
) -> np.ndarray:
    """One row per candidate, one column per name in `INPUTS` (normalised lexical score;
    pass `lexical` when it is known already)."""
    x = np.zeros((len(candidates), len(INPUTS)), dtype=np.float64)
    if not candidates:
        return x
    x[:, 0] = [c.dense for c in candidates]
    if lexical is None:
        lexical = text_fits(x[:, 0], np.array([c.lexical for c in candidates]), config)[1]
    x[:, 1] = lexical
    if any(c.features for c in candidates):
        x[:, _FEATURE_COLUMNS] = [[c.features.get(f, 0.0) for f in FEATURES] for c in candidates]
    return x


def feature_vector(cand: Candidate, config: RankingConfig) -> dict[str, float]:
    """Every input of the ranking for one candidate, by name (training rows)."""
    return dict(zip(INPUTS, input_matrix([cand], config)[0].tolist(), strict=True))


def _learned_scores(x: np.ndarray, model: LearnedRanker) -> np.ndarray:
    columns = [_COLUMN[f] for f in model.features]
    logit = model.intercept + x[:, columns] @ np.asarray(model.coef, dtype=np.float64)
    scores: np.ndarray = 1.0 / (1.0 + np.exp(-logit))
    return scores


def fuse(candidates: list[Candidate], config: RankingConfig) -> list[Scored]:
    """Score candidates, drop those under the relevance floor, best first."""
    if not candidates:
        return []
    fits, lexical = text_fits(
        np.fromiter((c.dense for c in candidates), np.float64, len(candidates)),
        np.fromiter((c.lexical for c in candidates), np.float64, len(candidates)),
        config,
    )
    exact = np.fromiter((c.exact for c in candidates), bool, len(candidates))
    keep = np.flatnonzero((fits >= config.min_score) | exact)
    if not keep.size:
        return []
    kept = [candidates[at] for at in keep.tolist()]
    fits = fits[keep]
    x = input_matrix(kept, config, lexical[keep])
    model = learned_model(config)
    if model is not None:
        scores = _learned_scores(x, model)
    else:
        scores = fits + x[:, _FEATURE_COLUMNS] @ feature_weights(config)
    confident = (fits >= config.confident_score).tolist()
    out = [
        Scored(cand.id, score, fit, InputRow(x, row), sure, config, strong=sure)
        for row, (cand, score, fit, sure) in enumerate(
            zip(kept, scores.tolist(), fits.tolist(), confident, strict=True)
        )
    ]
    out.sort(key=lambda s: (-s.score, s.id))
    return out
