"""What the `matcher` command prints: results as German text, or as the API's JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

import click
from pydantic import BaseModel

from matcher.matching.results import (
    JointProjects,
    LeadResult,
    LeadsResult,
    MunicipalityResult,
    PeersResult,
    ProjectResult,
    ProviderResult,
    SimilarResult,
)

Ranked = ProjectResult | MunicipalityResult | ProviderResult


def json_of(found: BaseModel | Sequence[BaseModel], indent: int | None = 2) -> str:
    """Typed results as JSON (the same shape as the HTTP API's)."""
    data = (
        found.model_dump(mode="json")
        if isinstance(found, BaseModel)
        else [r.model_dump(mode="json") for r in found]
    )
    return json.dumps(data, ensure_ascii=False, indent=indent)


def print_results(results: Sequence[Ranked], kind: str) -> None:
    if not results:
        click.echo("Keine passenden Ergebnisse gefunden – versuchen Sie andere Begriffe.")
        return
    for rank, r in enumerate(results, start=1):
        flag = {"hoch": "  (sicher)", "mittel": ""}.get(r.confidence, "  (unsicher)")
        cats = ", ".join(r.categories[:3])
        click.echo(f"{rank:2d}. {r.title}  [{cats}]  {r.score:.3f}{flag}")
        if kind == "projects":
            click.echo(f"    {' / '.join(r.municipalities)}")
        for reason in r.explanation.reasons[:4]:
            click.echo(f"    – {reason}")


def print_named(title: str, results: Sequence[Ranked | LeadResult]) -> None:
    click.echo(f"\n{title}")
    if not results:
        click.echo("  (keine)")
    for rank, r in enumerate(results, start=1):
        flag = {"hoch": "  (sicher)", "mittel": ""}.get(r.confidence, "  (unsicher)")
        click.echo(f"{rank:3d}. {r.title}  {r.score:.3f}{flag}")
        for reason in r.explanation.reasons[:3]:
            click.echo(f"       – {reason}")


def show_peers(found: PeersResult) -> None:
    print_named(f"Partnerkommunen für {found.municipality.name}", found.peers)
    for need in found.needs:
        print_named(f"Bedarf „{need.title}“ – Projekte", need.projects)
        print_named(f"Bedarf „{need.title}“ – Anbieter", need.providers)


def show_similar(found: SimilarResult) -> None:
    print_named(f"Ähnliche Projekte wie „{found.project.title}“", found.similar)
    print_named("Kommunen, die es übernehmen könnten", found.adopters)


def show_joint(found: JointProjects) -> None:
    if not found.items:
        click.echo("Keine Gemeinschaftsprojekte gefunden.")
    for rank, g in enumerate(found.items, start=1):
        click.echo(f"{rank:2d}. {g.theme}: „{g.title}“  {g.score:.3f}")
        for reason in g.explanation.reasons:
            click.echo(f"    – {reason}")
        if g.lead is not None:
            click.echo(f"    – Federführung: {g.lead.name} ({g.lead.reason})")
        for fit in g.programmes[:2]:
            click.echo(f"    – Förderung: {fit.title} ({fit.share.reason}; {fit.status.label})")


def show_leads(found: LeadsResult) -> None:
    print_named(f"Interessierte Kommunen für {found.provider.name}", found.leads)
