"""Where municipalities are (Land, Regierungsbezirk), how far apart, and whether they pass a
user's place filters."""

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

# The Länder by the first two digits of an official key (AGS, Kreisschlüssel).
LAENDER: dict[str, str] = {
    "01": "Schleswig-Holstein",
    "02": "Hamburg",
    "03": "Niedersachsen",
    "04": "Bremen",
    "05": "Nordrhein-Westfalen",
    "06": "Hessen",
    "07": "Rheinland-Pfalz",
    "08": "Baden-Württemberg",
    "09": "Bayern",
    "10": "Saarland",
    "11": "Berlin",
    "12": "Brandenburg",
    "13": "Mecklenburg-Vorpommern",
    "14": "Sachsen",
    "15": "Sachsen-Anhalt",
    "16": "Thüringen",
}
# Regierungsbezirke (the `region` of a municipality where its Land has them) → their Land, for
# records without an official key. Where a Land has none, the region is the Land itself.
REGION_LAND: dict[str, str] = {
    **{name: "Hessen" for name in ("Darmstadt", "Gießen", "Kassel")},
    **{name: "Baden-Württemberg" for name in ("Stuttgart", "Karlsruhe", "Freiburg", "Tübingen")},
    **{
        name: "Bayern"
        for name in (
            "Oberbayern",
            "Niederbayern",
            "Oberpfalz",
            "Oberfranken",
            "Mittelfranken",
            "Unterfranken",
            "Schwaben",
        )
    },
    **{
        name: "Nordrhein-Westfalen"
        for name in ("Düsseldorf", "Köln", "Münster", "Detmold", "Arnsberg")
    },
    **{land: land for land in LAENDER.values()},
}


def land_of(m: Municipality) -> str:
    """The Land of a municipality, district or association: by its official key, else by its
    region; '' when neither tells."""
    if m.ags:
        return LAENDER.get(m.ags[:2], "")
    return REGION_LAND.get(m.region, "")


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
