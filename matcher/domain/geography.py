"""Where municipalities are, how far apart, and whether they pass a user's place filters."""

from __future__ import annotations

import math

from matcher.domain.schema import Filters, Municipality

EARTH_RADIUS_KM = 6371.0088

# Served regions that cover a Regierungsbezirk (providers name areas as they market them).
COVERS: dict[str, set[str]] = {
    "Darmstadt": {"Südhessen", "Rhein-Main"},
    "Gießen": {"Mittelhessen"},
    "Kassel": {"Nordhessen", "Osthessen"},
}
EVERYWHERE = {"Hessen", "bundesweit"}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def distance_km(a: Municipality | None, b: Municipality | None) -> float | None:
    """Distance between two municipalities, None when a position is unknown."""
    if a is None or b is None:
        return None
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return None
    return haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)


def passes(m: Municipality | None, filters: Filters, asker: Municipality | None) -> bool:
    """True if a municipality meets the place and size filters (distance only with an asker)."""
    if m is None:
        return False
    if filters.district and m.district != filters.district:
        return False
    if filters.region and m.region != filters.region:
        return False
    if filters.min_population is not None and (m.population or 0) < filters.min_population:
        return False
    if filters.max_population is not None and (
        m.population is None or m.population > filters.max_population
    ):
        return False
    if filters.max_distance_km is not None and asker is not None:
        km = distance_km(asker, m)
        if km is None or km > filters.max_distance_km:
            return False
    return True


def serves(regions: list[str], region: str) -> bool:
    """True if a provider's served regions include a Regierungsbezirk."""
    named = set(regions)
    return bool(named & EVERYWHERE or region in named or named & COVERS.get(region, set()))
