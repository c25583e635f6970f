"""Providers for a challenge: how well their offerings (or self-description) fit, backed by
reference projects that match too; a reference in a town like the asker's counts more."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from matcher.domain.schema import Project
from matcher.ranking import features as feat
from matcher.ranking.fusion import Scored, fuse

if TYPE_CHECKING:
    from matcher.search import Query, Searcher

# Served regions that cover a Regierungsbezirk (providers name areas as they market them).
COVERS = {
    "Darmstadt": {"Südhessen", "Rhein-Main"},
    "Gießen": {"Mittelhessen"},
    "Kassel": {"Nordhessen", "Osthessen"},
}
EVERYWHERE = {"Hessen", "bundesweit"}


@dataclass
class ProviderResult:
    """A ranked provider with its fitting offerings and matching references."""

    provider_id: str
    score: float
    offerings: list[Scored] = field(default_factory=list)
    description: Scored | None = None
    references: list[Project] = field(default_factory=list)
    components: dict[str, float] = field(default_factory=dict)
    confident: bool = False


def serves(regions: list[str], region: str) -> bool:
    """True if a provider's served regions include a Regierungsbezirk."""
    named = set(regions)
    return bool(named & EVERYWHERE or region in named or named & COVERS.get(region, set()))


def _place_filtered(q: Query) -> bool:
    f = q.filters
    return bool(
        f.district
        or f.region
        or f.min_population is not None
        or f.max_population is not None
        or f.max_distance_km is not None
    )


def _passes_place(s: Searcher, q: Query, provider_id: str) -> bool:
    """A provider passes place and size filters with a reference in such a town, or (for a
    region alone) by serving it."""
    f = q.filters
    for project in s.catalog.reference_projects(provider_id):
        if any(
            s.catalog.municipality_passes(s.catalog.municipality(m), f, q.asker)
            for m in project.municipalities
        ):
            return True
    only_region = f.region and not (
        f.district
        or f.min_population is not None
        or f.max_population is not None
        or f.max_distance_km
    )
    provider = s.catalog.get("providers", provider_id)
    return bool(only_region and provider and serves(provider.regions, f.region))


def rank_providers(s: Searcher, q: Query) -> list[ProviderResult]:
    """Every provider with a fitting offering or description, best first."""
    w = s.config.providers
    offers = s.retrieve("offerings", q)
    for cand in offers.values():
        o = s.catalog.get("offerings", cand.id)
        cand.features = {"evidence": feat.evidence(len(o.references))} if o else {}
    groups: dict[str, ProviderResult] = {}
    config = s.config_for(q)
    for sc in fuse(list(offers.values()), config):
        o = s.catalog.get("offerings", sc.id)
        if o is None or (
            q.filters.categories and not set(q.filters.categories) & set(o.categories)
        ):
            continue
        if not q.shares_topic(o.categories):
            continue
        groups.setdefault(o.provider, ProviderResult(o.provider, 0.0)).offerings.append(sc)
    if not q.filters.categories and q.item_categories is None:
        for sc in fuse(list(s.retrieve("providers", q).values()), config):
            if sc.id in s.catalog.items["providers"]:
                groups.setdefault(sc.id, ProviderResult(sc.id, 0.0)).description = sc
    hits = {sc.id: sc for sc in s.scored_projects(q) if sc.confident}
    results = []
    for pid, r in groups.items():
        if pid in q.exclude or (_place_filtered(q) and not _passes_place(s, q, pid)):
            continue
        r.references = sorted(
            (p for p in s.catalog.reference_projects(pid) if p.id in hits),
            key=lambda p: -hits[p.id].score,
        )
        fit = max(
            r.offerings[0].score * w.offering if r.offerings else 0.0,
            r.description.score * w.description if r.description else 0.0,
        )
        r.components = {
            "fit": round(fit, 4),
            "references": round(w.references * feat.evidence(len(r.references)), 4),
        }
        if q.asker is not None and r.references:
            alike = max(
                s.structure_similarity(q.asker, s.catalog.municipality(m))
                for p in r.references
                for m in p.municipalities
            )
            r.components["similar_customers"] = round(w.reference_similarity * alike, 4)
        r.score = sum(r.components.values())
        # Confident if an offering or the self-description fits well, or a matching reference
        # (a confident project hit) backs it.
        r.confident = (
            bool(r.references)
            or any(sc.confident for sc in r.offerings)
            or bool(r.description and r.description.confident)
        )
        results.append(r)
    results.sort(key=lambda r: (not r.confident, -r.score, r.provider_id))
    return results
