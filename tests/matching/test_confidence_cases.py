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


# The cases of issue 26: a word the query and the item share in another sense, or a cosine
# just over a line set for another encoder, made these „hoch“. The calibrated probability
# (`RankingConfig.calibration`) must not; each test names the query as users wrote it.


def test_empty_shops_are_no_confident_match_for_charging(demo_service):
    query = "In der Ortsmitte stehen immer mehr Läden leer"
    projects = demo_service.search(query, "projects", 10)
    assert _confidence(projects, "prj-mob-19") in (None, "niedrig")  # Laden für Urlaubsgäste
    providers = demo_service.search(query, "providers", 10)
    assert _confidence(providers, "ladepunkt") in (None, "niedrig")


def test_overflowing_park_bins_are_no_confident_match_for_parking(demo_service):
    query = "Parkbänke und Mülleimer im Park quellen über"
    providers = demo_service.search(query, "providers", 10)
    assert _confidence(providers, "parkpilot") in (None, "niedrig")
    projects = demo_service.search(query, "projects", 10)
    assert _confidence(projects, "prj-mob-04") in (None, "niedrig")  # parking-space sensors


def test_charging_at_street_lamps_is_no_confident_project_for_lamps_burning_all_night(
    demo_service,
):
    found = demo_service.search(
        "Unsere Laternen brennen die ganze Nacht, obwohl um 2 Uhr niemand mehr unterwegs ist.",
        "projects",
        10,
    )
    assert _confidence(found, "prj-mob-20") in (None, "niedrig")  # Laternenladen


def test_only_the_lighting_firm_is_sure_for_dimming_street_lights(demo_service):
    found = demo_service.search(
        "Wir wollen die Straßenbeleuchtung nachts dimmen und Energie sparen", "providers", 10
    )
    assert found[0].id == "lichtwerk"
    # Bus-stop displays („LED-Großanzeiger“), glaze-ice sensors, water-leak detection and
    # charging points share words, not the need.
    for other in ("haltestelle-live", "strassenwetter", "aquadigital", "ladepunkt"):
        assert _confidence(found, other) in (None, "niedrig"), other


def test_a_glaze_ice_warning_is_no_confident_provider_for_heavy_rain(demo_service):
    found = demo_service.search(
        "Bei Starkregen laufen bei uns die Keller voll, wir wollen früher gewarnt werden.",
        "providers",
        10,
    )
    assert _confidence(found, "strassenwetter") in (None, "niedrig")


def test_a_power_cut_is_no_confident_lead_for_a_street_lighting_firm(demo_service):
    leads = demo_service.leads("lichtwerk", 20).leads
    riedstadt = next((x for x in leads if x.id == "riedstadt"), None)
    assert riedstadt is None or riedstadt.confidence == "niedrig"


@pytest.mark.xfail(
    strict=True,
    reason="issue 26, not reached: Erbach is first, but its Anrufsammeltaxi's probability "
    "(cosine 0.25 with the query under use+e5) stays under the line of peers, so it is "
    "„unsicher“ and has no `partner` tag",
)
def test_the_partner_on_the_bus_stays_first_and_is_sure(demo_service):
    towns = demo_service.search(
        "Der Bus kommt bei uns nur zweimal am Tag, die Älteren kommen nicht mehr zum Arzt. "
        "Was können wir tun?",
        "municipalities",
        10,
        municipality="mossautal",
    )
    assert towns[0].id == "erbach-odenwald"
    assert towns[0].confidence == "hoch" and "partner" in towns[0].relations


def test_results_carry_their_probability_where_the_kind_is_calibrated(demo_service):
    found = demo_service.search("Rufbus für die Dörfer", "projects", 5)
    assert all(r.probability is not None and 0 <= r.probability <= 1 for r in found)
    line = _line("projects")
    for r in found:  # (probabilities are shown to 3 digits)
        assert (
            r.probability >= line - 5e-4 if r.confidence == "hoch" else r.probability < line + 5e-4
        )


def _line(kind):
    from matcher.config import FAST_ENCODER, PACKAGE_DATA
    from matcher.ranking.config import load_ranking_config

    stored = load_ranking_config(PACKAGE_DATA / "ranking.json")
    return stored.for_encoder(FAST_ENCODER).calibration[kind].line
