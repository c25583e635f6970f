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
