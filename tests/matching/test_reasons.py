"""German reasons: numbers, status phrases and the words that explain a match."""

from __future__ import annotations

from matcher.domain.schema import Project
from matcher.matching import reasons


def test_numbers_and_status_in_german():
    assert reasons.german_int(12000) == "12.000"
    p = Project(id="x", title="T", status="laufend", year=2022)
    assert reasons.status_phrase(p) == "läuft seit 2022"
    assert reasons.status_phrase(p.model_copy(update={"status": "geplant"})) == "geplant (2022)"
    assert reasons.status_phrase(p.model_copy(update={"status": None, "year": None})) == ""


def test_a_weak_project_says_so_and_a_project_names_its_towns_and_status(service):
    matcher = service.matcher()
    found = matcher.match(service.query("LED Beleuchtung dimmen", "mossautal"), ["projects"], 5)
    top = found.projects[0]
    text = " ".join(top.explanation.reasons)
    project = service.catalog.projects[top.id]
    assert f"{' und '.join(top.municipalities)}: {reasons.status_phrase(project)}" in text
    assert top.explanation.text_fit is not None and top.explanation.components
    for r in found.projects:
        weak = reasons.WEAK in r.explanation.reasons
        assert weak == (r.confidence == "niedrig")


def test_the_askers_own_project_is_marked_and_others_are_not(service):
    matcher = service.matcher()
    found = matcher.match(service.query("Rufbus für die Dörfer", "mossautal"), ["projects"], 5)
    bus = next(p for p in found.projects if p.id == "p-bus")  # Brensbach and Mossautal
    assert bus.own and bus.explanation.reasons[0] == "Ihr eigenes Projekt"
    assert all(not p.own for p in found.projects if "mossautal" not in p.municipality_ids)
    anonymous = matcher.match(service.query("Rufbus für die Dörfer"), ["projects"], 5)
    assert not any(p.own for p in anonymous.projects)


def test_a_provider_that_worked_for_the_asker_is_marked(service):
    matcher = service.matcher()
    found = matcher.match(service.query("LED Beleuchtung dimmen", "mossautal"), ["providers"], 5)
    licht = next(p for p in found.providers if p.id == "lichtwerk")  # delivered p-licht there
    assert licht.existing_partner
    assert licht.explanation.reasons[0] == "arbeitet bereits mit Mossautal zusammen"
    others = matcher.match(service.query("LED Beleuchtung dimmen", "kassel"), ["providers"], 5)
    assert not any(p.existing_partner for p in others.providers)


def test_a_card_and_its_reason_show_the_same_distance(service):
    for km in (4.46, 4.5, 4.54, 81.49, 81.5, 82.04):
        # As the pages (Jinja) format distance_km.
        card = "%.0f km" % round(km, reasons.DISTANCE_DIGITS)  # noqa: UP031
        assert reasons.km_text(km) == card
    found = service.matcher().match(
        service.query("Rufbus für die Dörfer", "erbach"), ["municipalities"], 5
    )
    for town in found.municipalities:
        if town.distance_km is not None:
            shown = "%.0f km" % town.distance_km  # noqa: UP031
            assert any(shown in r for r in town.explanation.reasons), town.explanation.reasons


def test_names_are_listed_as_people_write_them():
    assert reasons.and_list(["Schotten"]) == "Schotten"
    assert reasons.and_list(["Schotten", "Ulrichstein", "Grebenhain"]) == (
        "Schotten, Ulrichstein und Grebenhain"
    )


def test_similar_size_says_whose_size(service):
    found = service.matcher().match(
        service.query("LED Beleuchtung dimmen", "brensbach"), ["projects"], 5
    )
    sizes = [r for p in found.projects for r in p.explanation.reasons if "groß" in r]
    assert sizes and all("Brensbach" in r and "Einwohner" in r for r in sizes)


def test_a_result_is_shown_when_strong_by_the_rules_and_likely_by_its_probability():
    assert reasons.confidence(True, False, 0.9, 0.3) == "hoch"
    assert reasons.confidence(False, True, 0.35, 0.3) == "mittel"
    assert reasons.confidence(False, True, 0.25, 0.3) == "niedrig"  # strong, but unlikely
    assert reasons.confidence(False, False, 0.9, 0.3) == "niedrig"  # likely, but no match
    # Without a probability (a kind with no judgments to fit on) the rules alone decide.
    assert reasons.confidence(False, True) == "mittel"
    assert reasons.confidence(False, False) == "niedrig"
