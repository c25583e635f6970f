"""The matcher over the demo corpus: lists linked by ids, filters on every list (real encoder)."""

import pytest

from matcher.domain.schema import Filters

pytestmark = pytest.mark.slow


def test_challenge_lists_are_linked_by_ids(demo_service):
    found = demo_service.match(
        "Straßenbeleuchtung nachts dimmen, Strom sparen", None, 5, municipality="mossautal"
    )
    cat = demo_service.catalog
    assert found.projects and found.municipalities and found.providers
    for p in found.projects:
        for prov in p.providers:
            assert prov.id in cat.providers
        assert all(m in cat.municipalities for m in p.municipality_ids)
    top = found.providers[0]
    assert top.id == "lichtwerk" and top.references
    assert "similar_customers" in top.explanation.components
    for town in found.municipalities:
        assert town.id != "mossautal" and town.distance_km is not None
        assert "km entfernt" in " ".join(town.explanation.reasons)
        for pid in town.projects:
            assert town.id in cat.get("projects", pid).municipalities


def test_filters_apply_to_every_list(demo_service):
    cat = demo_service.catalog
    f = Filters(region="Kassel", categories=["energie"])
    found = demo_service.match("Energie sparen in der Gemeinde", None, 10, filters=f)
    for p in found.projects:
        assert "energie" in p.categories
        assert any(cat.municipality(m).region == "Kassel" for m in p.municipality_ids)
    for t in found.municipalities:
        assert t.region == "Kassel"
    for prov in found.providers:
        offerings = [cat.get("offerings", o.id) for o in prov.offerings]
        assert offerings and all("energie" in o.categories for o in offerings)
    near = demo_service.search(
        "Rufbus oder Anrufsammeltaxi für die Ortsteile",
        "municipalities",
        10,
        municipality="mossautal",
        filters=Filters(max_distance_km=25),
    )
    assert near and all(t.distance_km <= 25 for t in near)
