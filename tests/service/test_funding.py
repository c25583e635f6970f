"""The funding check through the service: applicants, shares and estimates, line 2 only with a
funded reference, bad ids refused by field; programmes kept by staff, all or nothing; joint
groups with their programmes and a suggested lead."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest

from matcher.domain.access import Actor
from matcher.domain.errors import PermissionDenied, ValidationError
from matcher.domain.funding import FundingRequest
from matcher.matching.results import (
    Explanation,
    JointMember,
    JointProject,
    JointProjects,
    Likeness,
    Spread,
)
from matcher.service.funding import shipped_programmes, suggest_lead

SHH = "starke-heimat-hessen-smarte-kommunen"
OPEN = dt.date(2025, 10, 15)
LIGHT = "Straßenbeleuchtung auf LED umrüsten und nachts dimmen"


def _check(service, *towns, cost=300_000, day=OPEN, **kw):
    kw.setdefault("text", LIGHT)
    request = FundingRequest(municipalities=towns, cost_eur=cost, date=day, **kw)
    return service.funding_check(request)


def _fit(found, programme_id):
    return next(p for p in found.programmes if p.id == programme_id)


def _funded(service, project_id="p-licht2", funding="Starke Heimat Hessen"):
    project = service.get("projects", project_id)
    service.upsert("projects", [project.model_copy(update={"funding": funding})])


def test_two_towns_300000_get_90_percent_270000_and_30000_own(service):
    fit = _fit(_check(service, "mossautal", "brensbach"), SHH)
    assert fit.fits and fit.share.percent == 90
    assert (fit.estimate.grant_eur, fit.estimate.own_eur) == (270_000, 30_000)
    assert fit.status.state == "offen" and fit.status.days_left == 23
    assert {c.name for c in fit.checks} == {
        "antragsberechtigt",
        "land",
        "verbund",
        "thema",
        "betrag",
        "frist",
    }
    assert fit.disclaimer == "Angaben ohne Gewähr, Stand 06.12.2026"


def test_a_single_town_gets_80_percent_and_the_range(service):
    found = _check(service, "mossautal")
    fit = _fit(found, SHH)
    assert not found.joint and fit.share.percent == 80
    assert (fit.share.min_percent, fit.share.max_percent) == (70, 90)
    assert fit.estimate.grant_eur == 240_000


def test_after_the_deadline_the_programme_does_not_fit_and_says_geschlossen(service):
    fit = _fit(_check(service, "mossautal", "brensbach", day=dt.date(2025, 11, 8)), SHH)
    assert not fit.fits and fit.status.label.startswith("geschlossen")
    assert [c.ok for c in fit.checks if c.name == "frist"] == [False]


def test_a_programme_fitting_the_topic_ranks_before_those_of_other_topics(service):
    found = _check(service, "mossautal", "brensbach")
    ids = [p.id for p in found.programmes if p.fits]
    assert "kommunalrichtlinie-strassenbeleuchtung" in ids
    assert "energie" in found.categories
    closed = _fit(found, "modellprojekte-smart-cities")
    assert not closed.fits and closed.status.state == "geschlossen"


def test_line_2_only_with_a_project_the_programme_funded(service):
    without = _fit(_check(service, "mossautal", "brensbach"), SHH)
    assert without.reuse == [] and all(not line.reuse for line in without.lines)
    _funded(service)
    with_ref = _fit(_check(service, "mossautal", "brensbach"), SHH)
    (offer,) = with_ref.reuse
    assert offer.project == "p-licht2" and offer.municipalities == ["Erbach (Odenwald)"]
    assert "Erbach (Odenwald) fragen" in offer.reason
    assert any(line.reuse for line in with_ref.lines)


def test_a_project_funded_by_another_programme_is_no_line_2_reference(service):
    _funded(service, funding="Eigenmittel")
    assert _fit(_check(service, "mossautal", "brensbach"), SHH).reuse == []


def test_a_need_brings_its_town_and_topics(service):
    found = _check(service, need="n-licht", text=None)
    assert found.municipality_ids == ["brensbach"] and found.categories[0] == "energie"


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"municipalities": ("gibt-es-nicht",)}, "municipalities.0"),
        ({"municipalities": ()}, "municipalities"),
        ({"need": "n-gibt-es-nicht", "text": None, "municipalities": ()}, "need"),
        ({"project": "p-gibt-es-nicht", "text": None}, "project"),
        ({"cost_eur": 0}, "cost_eur"),
        ({"cost_eur": -300_000}, "cost_eur"),
        ({"cost_eur": 5e12}, "cost_eur"),
        ({"date": dt.date(2040, 1, 1)}, "date"),
        ({"text": "x"}, "text"),
    ],
)
def test_bad_input_is_a_validation_error_naming_the_field(service, kw, field):
    request = {"text": LIGHT, "municipalities": ("mossautal",), "cost_eur": 300_000, **kw}
    with pytest.raises(ValidationError) as caught:
        service.funding_check(FundingRequest(**request))
    assert caught.value.problems[0][0] == field


def test_the_shipped_programmes_fill_a_new_store_once(service):
    assert [p.id for p in service.programmes()] == sorted(p.id for p in shipped_programmes())
    service.delete_programme("leader-hessen")
    assert "leader-hessen" not in [p.id for p in service.programmes()]


def test_only_staff_write_programmes(service):
    town = Actor("municipality:mossautal")
    with pytest.raises(PermissionDenied):
        service.delete_programme(SHH, town)
    record = service.programme(SHH)
    with pytest.raises(PermissionDenied):
        service.replace_programme(SHH, record, town)


def test_an_import_with_one_contradictory_line_writes_nothing(service):
    good = service.programme(SHH).model_copy(update={"title": "Neu"}).model_dump(mode="json")
    bad = {**good, "id": "kaputt", "min_grant_eur": 5_000_000}
    data = "\n".join(json.dumps(x) for x in (good, bad)).encode()
    with pytest.raises(ValidationError) as caught:
        service.import_programmes(data)
    assert caught.value.problems[0][0] == "Zeile 2: min_grant_eur"
    assert service.programme(SHH).title != "Neu"
    assert service.import_programmes(json.dumps(good).encode()) == 1
    assert service.programme(SHH).title == "Neu"


def _town(town_id, district, population):
    return SimpleNamespace(
        id=town_id, name=town_id.title(), district=district, population=population
    )


def test_the_lead_is_the_member_that_ran_a_fitting_project(service):
    towns = [_town("a", "Kreis X", 900), _town("b", "Kreis X", 5000)]
    group = SimpleNamespace(
        projects=[SimpleNamespace(municipality_ids=["zz", "a"], title="Rufbus")]
    )
    lead = suggest_lead(group, towns, service.catalog)
    assert (lead.id, lead.reason) == ("a", "A hat „Rufbus“ schon umgesetzt")


def test_else_the_shared_district_else_the_largest(service):
    group = SimpleNamespace(projects=[])
    shared = suggest_lead(
        group, [_town("a", "Kreis X", 900), _town("b", "Kreis X", 5000)], service.catalog
    )
    assert shared.name == "Kreis X" and "alle Mitglieder liegen im Kreis X" in shared.reason
    apart = suggest_lead(
        group, [_town("a", "Kreis X", 900), _town("b", "Kreis Y", 5000)], service.catalog
    )
    assert apart.id == "b" and "5.000 Einwohnern" in apart.reason


def _member(town_id, name, population):
    return JointMember(
        id=town_id,
        name=name,
        title=name,
        district="Odenwaldkreis",
        region="Darmstadt",
        population=population,
        latitude=49.7,
        longitude=8.9,
        need="n",
        need_title="Licht",
    )


def test_joint_groups_keep_their_order_and_gain_programmes_and_a_lead(service):
    group = JointProject(
        id="jp-1",
        title="Straßenlaternen brennen die ganze Nacht",
        theme="Energie",
        categories=["energie"],
        score=0.7,
        members=[_member("mossautal", "Mossautal", 2500), _member("brensbach", "Brensbach", 5200)],
        distances_km=Spread(max=10, mean=10),
        similarity=Likeness(min=0.7, mean=0.7),
        providers=[],
        projects=[],
        explanation=Explanation(),
    )
    other = group.model_copy(update={"id": "jp-2"})
    found = service.funding.with_programmes(JointProjects(items=[group, other]), OPEN)
    assert [g.id for g in found.items] == ["jp-1", "jp-2"]
    first = found.items[0]
    assert first.lead is not None and first.lead.name == "Odenwaldkreis"
    assert all(p.fits for p in first.programmes)
    shh = next(p for p in first.programmes if p.id == SHH)
    assert shh.share.percent == 90 and shh.estimate is None and shh.max_grant_eur == 2_500_000


def test_the_service_adds_programmes_without_changing_the_groups(service):
    plain = service.answers.joint_projects(10, None)
    assert [g.id for g in service.joint_projects(10).items] == [g.id for g in plain.items]


def test_a_town_above_a_programmes_population_limit_is_not_eligible(service):
    found = _check(service, "kassel", text="Digitaler Dorfladen für die Grundversorgung")
    fit = _fit(found, "dorfentwicklung-hessen")
    (kinds,) = [c for c in fit.checks if c.name == "antragsberechtigt"]
    assert not fit.fits and kinds.reason == "nur Orte bis 10.000 Einwohner: nicht Kassel"


def test_a_programme_lists_the_projects_it_funded(service):
    assert service.funded_projects(SHH) == []
    _funded(service)
    assert [p.id for p in service.funded_projects(SHH)] == ["p-licht2"]
