"""Structured features of a candidate besides its text: topic, place, size, evidence.

Each feature is a number in [0, 1]; the fusion weights them. `FEATURES` is the one list of
them: the fusion, the learned ranker and the evaluation baselines all read it, and the ranking
config has one weight per name (a test checks that).
"""

from __future__ import annotations

import math

FEATURES: tuple[str, ...] = ("category", "proximity", "population", "evidence", "recency")
# The inputs of a ranking: the two text scores, then the structured features.
TEXT_INPUTS: tuple[str, ...] = ("dense", "lexical")
INPUTS: tuple[str, ...] = TEXT_INPUTS + FEATURES
# What the calibrated confidence of a result reads (`matcher.ranking.calibration`): the
# inputs, then the evidence of its text (topic words shared, one in its title, the best
# sentence's cosine), its place in the list (its score, 1 / (1 + rank), its cosine behind the
# best candidate's, its score's margin over the best other result of the list), and what a
# result of several items adds (a matching reference project's probability; backed by an
# offering, by a need, by a project the asker already runs with the town).
SIGNALS: tuple[str, ...] = INPUTS + (
    "text_fit",
    "score",
    "rank",
    "topic",
    "title",
    "sentence",
    "behind",
    "margin",
    "reference",
    "offering",
    "need",
    "together",
)


def proximity(km: float | None, scale_km: float) -> float:
    """1 next door, 0.37 at `scale_km`, towards 0 far away; 0 when unknown."""
    if km is None:
        return 0.0
    return math.exp(-km / scale_km)


def population_similarity(a: int | None, b: int | None) -> float:
    """1 for equal size, 0.5 for a factor of ~3, 0 for a factor of 10 or more; 0 when unknown."""
    if not a or not b:
        return 0.0
    return max(0.0, 1.0 - abs(math.log10(a / b)))


def evidence(count: int, saturation: int = 3) -> float:
    """More proof (references, named providers) counts, with diminishing returns."""
    if count <= 0:
        return 0.0
    return min(1.0, math.log1p(count) / math.log1p(saturation))


def recency(year: int | None, current_year: int, half_life: float = 4.0) -> float:
    """1 for this year, 0.5 for `half_life` years ago; 0.5 when unknown."""
    if year is None:
        return 0.5
    age = max(0, current_year - year)
    return 0.5 ** (age / half_life)
