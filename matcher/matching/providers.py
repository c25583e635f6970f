"""Providers for a query: how well their offerings (or self-description) fit, backed by
reference projects that match too; a reference in a town like the asker's counts more."""

from __future__ import annotations

from dataclasses import dataclass, field

from matcher.domain import geography
from matcher.domain.schema import Project
from matcher.matching.context import QueryContext
from matcher.ranking import features as feat
from matcher.ranking.calibration import probability, score_margins
from matcher.ranking.fusion import Scored


@dataclass
class ProviderMatch:
    """A ranked provider with its fitting offerings and matching references."""

    provider_id: str
    score: float = 0.0
    offerings: list[Scored] = field(default_factory=list)
    description: Scored | None = None
    references: list[Project] = field(default_factory=list)
    components: dict[str, float] = field(default_factory=dict)
    confident: bool = False  # shown as „hoch“
    strong: bool = False  # a strong offering or description, or a matching reference
    probability: float | None = None  # calibrated, where providers are (`signals`)
    signals: dict[str, float] = field(default_factory=dict)


def _passes_place(ctx: QueryContext, provider_id: str) -> bool:
    """A provider passes place and size filters with a reference in such a town, or (for a
    region alone) by serving it."""
    f, catalog = ctx.q.filters, ctx.catalog
    for project in catalog.reference_projects(provider_id):
        if any(
            geography.passes(catalog.municipality(m), f, ctx.q.asker)
            for m in project.municipalities
        ):
            return True
    provider = catalog.providers.get(provider_id)
    return bool(
        f.only_region() and provider and f.region and geography.serves(provider.regions, f.region)
    )


def _deliverers(ctx: QueryContext, project_id: str) -> list[str]:
    """Providers that delivered a project: named on it, or citing it in an offering."""
    project = ctx.catalog.projects[project_id]
    citing = [o.provider for o in ctx.catalog.offerings_citing.get(project_id, [])]
    return [p for p in dict.fromkeys([*project.providers, *citing]) if p in ctx.catalog.providers]


def provider_signals(
    ctx: QueryContext, r: ProviderMatch, hits: dict[str, Scored]
) -> dict[str, float]:
    """What a provider's probability reads: the signals of what makes its fit (its best
    offering or its self-description, whichever scores more as weighted), and the probability
    of its best matching reference project."""
    w = ctx.data.config.providers
    parts = [(sc.score * w.offering, sc) for sc in r.offerings[:1]]
    parts += [(r.description.score * w.description, r.description)] if r.description else []
    best = max(parts, key=lambda x: x[0], default=(0.0, None))[1]
    reference = max(
        (hits[p.id].probability or 0.0 for p in r.references if p.id in hits), default=0.0
    )
    return {**(best.signals if best else {}), "reference": reference}


def rank_providers(ctx: QueryContext) -> list[ProviderMatch]:
    """Every provider with a fitting offering or description, best first."""
    w, catalog, q = ctx.data.config.providers, ctx.catalog, ctx.q
    groups: dict[str, ProviderMatch] = {}
    for sc in ctx.offerings:
        provider = catalog.offerings[sc.id].provider
        groups.setdefault(provider, ProviderMatch(provider)).offerings.append(sc)
    for sc in ctx.provider_descriptions:
        groups.setdefault(sc.id, ProviderMatch(sc.id)).description = sc
    hits = {sc.id: sc for sc in ctx.projects if sc.strong}
    if w.reference_fit > 0:
        # A provider whose delivered project fits ranks by it, however thin its own profile.
        for project_id in hits:
            for pid in _deliverers(ctx, project_id):
                groups.setdefault(pid, ProviderMatch(pid))
    results = []
    for pid, r in groups.items():
        if pid in q.exclude or (q.filters.has_place() and not _passes_place(ctx, pid)):
            continue
        r.references = sorted(
            (p for p in catalog.reference_projects(pid) if p.id in hits),
            key=lambda p: -hits[p.id].score,
        )
        fit = max(
            r.offerings[0].score * w.offering if r.offerings else 0.0,
            r.description.score * w.description if r.description else 0.0,
            hits[r.references[0].id].score * w.reference_fit if r.references else 0.0,
        )
        r.components = {
            "fit": round(fit, 4),
            "references": round(w.references * feat.evidence(len(r.references)), 4),
        }
        if q.asker is not None and r.references:
            alike = max(
                ctx.data.alike(q.asker, catalog.municipality(m))
                for p in r.references
                for m in p.municipalities
            )
            r.components["similar_customers"] = round(w.reference_similarity * alike, 4)
        r.score = sum(r.components.values())
        # Strong if an offering or the self-description fits well, or a matching reference
        # (a strong project hit) backs it; confident by the calibration, if there is one.
        r.strong = r.confident = (
            bool(r.references)
            or any(sc.strong for sc in r.offerings)
            or bool(r.description and r.description.strong)
        )
        results.append(r)
    model = ctx.calibration("providers")
    if model is not None:
        # The margin is the provider's own, in the list of providers (not its offering's).
        for r, margin in zip(results, score_margins([r.score for r in results]), strict=True):
            r.signals = {**provider_signals(ctx, r, hits), "margin": margin}
            r.probability = probability(model, r.signals)
            r.confident = r.probability >= model.line
    results.sort(key=lambda r: (not r.strong, -r.score, r.provider_id))
    return results
