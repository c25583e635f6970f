"""Providers: offerings and descriptions that fit, backed by matching references."""

import pytest

from matcher.domain.geography import serves
from matcher.domain.schema import Filters
from matcher.matching.providers import rank_providers


@pytest.mark.slow
def test_provider_evidence_is_true(demo_service):
    catalog = demo_service.catalog
    providers = demo_service.search("LED-Straßenbeleuchtung mit Dimmung nachts", "providers", k=5)
    assert providers[0].id == "lichtwerk"
    for p in providers:
        for ref in p.references:
            project = catalog.get("projects", ref.id)
            cited = {o.provider for o in catalog.offerings_citing.get(ref.id, [])}
            assert p.id in set(project.providers) | cited


def test_provider_region_filter_uses_references_or_served_regions(service):
    assert serves(["Hessen"], "Kassel") and serves(["Südhessen"], "Darmstadt")
    assert not serves(["Nordhessen"], "Darmstadt")
    found = service.search("Rufbus App Buchung", "providers", 5, filters=Filters(region="Kassel"))
    assert [p.id for p in found] == ["mobilfluss"]  # serves Hessen
    assert (
        service.search(
            "Rufbus App Buchung", "providers", 5, filters=Filters(district="Landkreis Fulda")
        )
        == []
    )


def test_references_are_confident_project_hits_and_make_a_provider_confident(service):
    matcher = service.matcher()
    ctx = matcher.context(service.query("Smarte Straßenbeleuchtung mit Dimmung LED"))
    ranked = rank_providers(ctx)
    assert ranked[0].provider_id == "lichtwerk"
    hits = {sc.id for sc in ctx.projects if sc.confident}
    assert any(r.references for r in ranked)
    for r in ranked:
        assert {p.id for p in r.references} <= hits
        if r.references:
            # A reference makes a provider confident; its count adds `providers.references`
            # per reference (0 in the tuned config, as reference_fit carries the evidence).
            assert r.confident and "references" in r.components
            assert (r.components["references"] > 0) == (service.ranking.providers.references > 0)
    flags = [r.confident for r in ranked]
    assert flags == sorted(flags, reverse=True)  # confident ones first


def test_a_thin_profile_with_a_strong_reference_still_ranks(service):
    """A real vendor often has a one-line profile but a delivered project that clearly fits:
    the reference's fit counts for the provider (providers.reference_fit)."""
    from matcher.domain.schema import Project, Provider

    service.upsert("providers", [Provider(id="knapp", name="Knapp GmbH", description="GmbH")])
    service.upsert(
        "projects",
        [
            Project(
                id="p-glatt",
                title="Glättemeldeanlage an der Talbrücke",
                description="Sensoren melden Eisglätte an den Winterdienst des Bauhofs.",
                categories=["mobilitaet"],
                municipalities=["kassel"],
                providers=["knapp"],
            )
        ],
    )
    text = "Glättemeldeanlage für die Talbrücke, Eisglätte an den Winterdienst melden"
    ranked = service.search(text, "providers", 5)
    assert ranked and ranked[0].id == "knapp"
    assert ranked[0].references[0].id == "p-glatt"
    without = service.matcher(
        service.ranking.model_copy(
            update={"providers": service.ranking.providers.model_copy(update={"reference_fit": 0})}
        )
    )
    ctx = without.context(service.query(text))
    assert "knapp" not in [p.id for p in without.providers(ctx, 5)][:1]


def test_a_providers_margin_is_its_own_in_the_list_of_providers(demo_service):
    from matcher.matching.providers import rank_providers

    matcher = demo_service.matcher(demo_service.ranking)
    ctx = matcher.context(demo_service.query("Straßenbeleuchtung nachts dimmen und Energie sparen"))
    found = rank_providers(ctx)
    assert len(found) >= 2
    best = max(r.score for r in found)
    runner_up = sorted((r.score for r in found), reverse=True)[1]
    for r in found:
        expected = r.score - (runner_up if r.score == best else best)
        assert abs(r.signals["margin"] - expected) < 1e-9
