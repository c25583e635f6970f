"""How two municipalities relate by place, size and membership, worked out once per version of
the data: peers, place features and look-alike leads ask the same pairs query after query."""

from __future__ import annotations

from contextlib import suppress

from matcher.domain import geography
from matcher.domain.actors import district_words
from matcher.domain.catalog import Catalog
from matcher.domain.schema import Municipality
from matcher.ranking import features as feat

# Pairs kept per kind of fact; beyond it the oldest go first (a look-alike search over every
# town of a large catalog must not keep them all).
MAX_PAIRS = 200_000


def same_district(a: Municipality, b: Municipality) -> bool:
    """Two municipalities in one district (its label written either way, "Kreis Offenbach" or
    "Landkreis Offenbach"); a district is not "in the same district" as its own towns."""
    if a.kind != "gemeinde" or b.kind != "gemeinde":
        return False
    return bool(district_words(a.district) & district_words(b.district))


class TownPairs:
    """Facts about ordered pairs of municipalities (by id) of one version of `catalog`
    (read-only while this object is in use; the service makes a new one on every write)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._km: dict[tuple[str, str], float | None] = {}
        self._alike: dict[tuple[str, str], tuple[float | None, float, bool]] = {}

    def contains(self, outer: Municipality, inner: Municipality) -> bool:
        """True if `inner` is a member of the district or association `outer`."""
        return outer.kind != "gemeinde" and any(
            m.id == outer.id for m in self.catalog.memberships(inner)
        )

    def distance_km(self, a: Municipality, b: Municipality) -> float | None:
        """`geography.distance_km` of the pair."""
        key = (a.id, b.id)
        if key in self._km:
            return self._km[key]
        km = self._km[key] = geography.distance_km(a, b)
        _bound(self._km)
        return km

    def likeness(self, a: Municipality, b: Municipality) -> tuple[float | None, float, bool]:
        """(km between them, 0 when one lies inside the other; population similarity, 0
        across kinds; same district) — the unweighted parts of how alike they are."""
        key = (a.id, b.id)
        found = self._alike.get(key)
        if found is None:
            inside = self.contains(a, b) or self.contains(b, a)
            km = 0.0 if inside else geography.distance_km(a, b)
            # Sizes compare like with like: a district's population is the sum of its towns'.
            size = (
                feat.population_similarity(a.population, b.population) if a.kind == b.kind else 0.0
            )
            found = self._alike[key] = (km, size, same_district(a, b))
            _bound(self._alike)
        return found


def _bound(pairs: dict) -> None:
    """Drop the oldest pair beyond `MAX_PAIRS` (two request threads may race to drop it: the
    loser has nothing left to do)."""
    if len(pairs) > MAX_PAIRS:
        with suppress(KeyError, RuntimeError, StopIteration):
            del pairs[next(iter(pairs))]
