"""Structured features of a candidate besides its text: topic, place, size, evidence.

Each feature is a number in [0, 1]; the fusion weights them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def category_overlap(item: Iterable[str], wanted: Iterable[str]) -> float:
    """Share of the wanted categories that the item has (0 when nothing is wanted)."""
    wanted = set(wanted)
    if not wanted:
        return 0.0
    return len(wanted & set(item)) / len(wanted)


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
