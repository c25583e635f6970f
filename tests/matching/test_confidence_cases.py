"""The cases users met: no result is confident, and no tag is shown, on incidental words."""

import pytest

pytestmark = pytest.mark.slow


def _confidence(results, item_id):
    return next((r.confidence for r in results if r.id == item_id), None)


def test_a_parking_firm_is_no_confident_lighting_provider(demo_service):
    found = demo_service.search(
        "Unsere Straßenbeleuchtung soll auf LED umgestellt werden.", "providers", 10
    )
    assert found[0].id == "lichtwerk" and found[0].confidence == "hoch"
    # Its parking guidance mentions "LED" and "Straßenbeleuchtung" in passing.
    assert _confidence(found, "parkpilot") in (None, "niedrig")


def test_a_company_car_pool_is_no_confident_lead_for_an_on_demand_bus(demo_service):
    leads = demo_service.leads("off-mobilfluss-1", 20).leads
    assert leads[0].confidence == "hoch"
    seligenstadt = next((x for x in leads if x.id == "seligenstadt"), None)
    assert seligenstadt is None or seligenstadt.confidence == "niedrig"


def test_charging_at_street_lamps_is_no_tag_for_empty_shops(demo_service):
    towns = demo_service.search(
        "In unserer Innenstadt stehen immer mehr Läden leer. Was tun andere dagegen?",
        "municipalities",
        20,
    )
    gross_gerau = next((t for t in towns if t.id == "gross-gerau"), None)
    assert gross_gerau is None or not gross_gerau.relations


def test_ordinary_words_make_no_confident_provider_for_the_elderly(demo_service):
    found = demo_service.search(
        "Was können wir für die Älteren tun, die allein zu Hause sind?", "providers", 10
    )
    # A tree register shares "älteren" (old trees): no confidence from that.
    assert _confidence(found, "baumpuls") in (None, "niedrig")
    for r in found:
        assert not any(reason.startswith("gemeinsame Begriffe") for reason in r.explanation.reasons)
