"""Distances and place filters."""

from __future__ import annotations

import pytest

from matcher.domain.geography import distance_km, haversine_km, passes, serves
from matcher.domain.schema import Filters, Municipality

ERBACH = Municipality(id="e", name="Erbach", latitude=49.66, longitude=8.99, population=13_000)
KASSEL = Municipality(id="k", name="Kassel", latitude=51.31, longitude=9.48, population=200_000)
NOWHERE = Municipality(id="n", name="Nirgendwo")


def test_distances():
    assert haversine_km(0, 0, 0, 1) == pytest.approx(111.2, abs=0.1)
    assert distance_km(ERBACH, KASSEL) == pytest.approx(187, abs=3)
    assert distance_km(ERBACH, NOWHERE) is None and distance_km(None, KASSEL) is None


def test_filters_on_size_and_distance_need_what_they_name():
    assert passes(ERBACH, Filters(max_population=20_000), None)
    assert not passes(NOWHERE, Filters(max_population=20_000), None)  # size unknown
    assert not passes(KASSEL, Filters(max_distance_km=50), ERBACH)
    assert passes(KASSEL, Filters(max_distance_km=50), None)  # no asker: no distance
    assert not passes(None, Filters(), None)


def test_filter_helpers():
    assert not Filters().has_place() and Filters(min_population=0).has_place()
    assert Filters(region="Kassel").only_region()
    assert not Filters(region="Kassel", max_distance_km=5).only_region()
    assert Filters().allows(["energie"]) and not Filters(categories=["mobilitaet"]).allows(
        ["energie"]
    )


def test_served_regions():
    assert serves(["bundesweit"], "Gießen") and serves(["Mittelhessen"], "Gießen")
    assert not serves(["Nordhessen"], "Gießen")
