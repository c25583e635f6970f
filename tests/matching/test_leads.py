"""Leads for providers and adopters of projects: matching open needs, then look-alikes."""

import pytest


@pytest.mark.slow
def test_leads_for_a_provider_are_open_needs_or_lookalikes_of_customers(demo_service):
    cat = demo_service.catalog
    found = demo_service.leads("lichtwerk", 10)
    ids = [lead.id for lead in found.leads]
    assert "mossautal" in ids[:3]  # reported exactly this need
    customers = {m for p in cat.reference_projects("lichtwerk") for m in p.municipalities}
    for lead in found.leads:
        for need in lead.needs:
            n = cat.get("needs", need.id)
            assert n.municipality == lead.id and n.status != "erledigt"
        if lead.basis == "aehnliche_kommune":
            assert lead.similar_to in customers and lead.id not in customers
    one = demo_service.leads("off-mobilfluss-1", 5)
    assert [o.model_dump() for o in one.offerings] == [
        {"id": "off-mobilfluss-1", "title": cat.get("offerings", "off-mobilfluss-1").title}
    ]


@pytest.mark.slow
def test_similar_projects_are_elsewhere(demo_service):
    cat = demo_service.catalog
    project = cat.get("projects", "prj-en-01")
    found = demo_service.similar("prj-en-01", 5)
    assert found.similar and all(p.id != "prj-en-01" for p in found.similar)
    for p in found.similar:
        assert not set(p.municipality_ids) <= set(project.municipalities)
    assert all(a.id not in project.municipalities for a in found.adopters)
    assert {"brensbach", "mossautal"} & {a.id for a in found.adopters}


def test_leads_for_the_same_town_merge_needs_once_and_keep_the_better_score():
    from matcher.domain.schema import Municipality
    from matcher.matching.leads import LeadMatch, NeedHit, ranked
    from matcher.ranking.config import RankingConfig
    from matcher.ranking.fusion import Scored

    def hit(i: str, score: float) -> NeedHit:
        return NeedHit(Scored(i, score, score, {}, True, RankingConfig()), "Angebot")

    town = Municipality(id="t", name="T")
    a = LeadMatch(town, 0.4, [hit("n1", 0.4)])
    b = LeadMatch(town, 0.6, [hit("n1", 0.6), hit("n2", 0.5)], confident=True)
    a.absorb(b)
    assert [n.scored.id for n in a.needs] == ["n1", "n2"]
    assert a.score == 0.6 and a.confident
    other = LeadMatch(Municipality(id="a", name="A"), 0.6)
    assert [x.town.id for x in ranked({"t": a, "a": other}, 2)] == ["a", "t"]


def test_leads_on_the_fixture_corpus_skip_existing_customers(service):
    found = service.leads("lichtwerk", 10)
    customers = {
        m for p in service.catalog.reference_projects("lichtwerk") for m in p.municipalities
    }
    assert found.leads and not customers & {lead.id for lead in found.leads}


def test_a_lead_that_is_already_a_customer_says_so(service):
    from tests.helpers import lighting_need_of_mossautal

    # Mossautal has LichtWerk's project p-licht, and now reports a matching open need.
    service.upsert(
        "needs",
        [lighting_need_of_mossautal()],
    )
    found = service.leads("lichtwerk", 10)
    marks = {lead.id: lead.existing_customer for lead in found.leads}
    assert marks.get("mossautal") is True
    assert not any(v for k, v in marks.items() if k != "mossautal")
    mossautal = next(lead for lead in found.leads if lead.id == "mossautal")
    assert mossautal.explanation.reasons[0].startswith("bereits Kunde")
