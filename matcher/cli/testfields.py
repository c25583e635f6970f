"""`matcher testfields`: the test fields (with their call's state), the open ones for an
offering, the providers for a test field, and a test field's applications (local, trusted:
the CLI acts as an admin, as for imports)."""

from __future__ import annotations

import datetime as dt

import click

from matcher.cli.base import opened
from matcher.cli.show import json_of
from matcher.domain.access import SYSTEM
from matcher.domain.schema import Browse, TestField
from matcher.domain.testfields import FACILITY_LABELS, PLACE_TYPE_LABELS, call_label
from matcher.matching.results import OfferingTestFields

# A list prints at most this many test fields (the demo has ten; a real programme dozens).
LIST_LIMIT = 500


@click.group("testfields")
def testfields() -> None:
    """Testfelder: Orte zum Erproben, passende Anbieter und Bewerbungen."""


@testfields.command("list")
@click.option("--topic", "category", default=None, help="Only this category (e.g. energie).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_fields(ctx, category, as_json) -> None:
    """Every test field with its place and the state of its call."""
    wanted = Browse(categories=[category] if category else [], by_name=True, limit=LIST_LIMIT)
    items, _ = opened(ctx.find_root()).list_items("testfields", wanted)
    if as_json:
        click.echo(json_of([i for i in items]))
        return
    today = dt.date.today()
    for item in items:
        assert isinstance(item, TestField)  # the kind's model
        place = PLACE_TYPE_LABELS[item.place_type]
        click.echo(
            f"{item.id}  {item.title}  [{place}, {item.municipality}; {call_label(item, today)}]"
        )


def match_lines(found: OfferingTestFields) -> list[str]:
    """An offering's test fields as people read them."""
    needs = ", ".join(FACILITY_LABELS[n] for n in found.needs) or "nichts Besonderes"
    lines = [f"Offene Testfelder für „{found.offering.title}“ (braucht vor Ort: {needs}):"]
    if not found.testfields:
        lines.append("  keine")
    for rank, t in enumerate(found.testfields, start=1):
        lines.append(f"{rank:2d}. {t.title}  [{t.id}, {t.town}]  {t.score:.3f}  {t.confidence}")
        lines += [f"    - {r}" for r in t.explanation.reasons[:4]]
    return lines


@testfields.command("match")
@click.argument("offering_id")
@click.option("-k", default=5, show_default=True, help="How many test fields.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def match(ctx, offering_id, k, as_json) -> None:
    """Open test fields for an offering, with reasons."""
    found = opened(ctx.find_root()).testfields.for_offering(offering_id, k)
    click.echo(json_of(found) if as_json else "\n".join(match_lines(found)))


@testfields.command("providers")
@click.argument("testfield_id")
@click.option("-k", default=5, show_default=True, help="How many providers.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def providers(ctx, testfield_id, k, as_json) -> None:
    """Providers whose offerings fit a test field."""
    found = opened(ctx.find_root()).testfields.providers(testfield_id, k)
    if as_json:
        click.echo(json_of(found))
        return
    click.echo(f"Passende Anbieter für „{found.testfield.title}“:")
    for rank, p in enumerate(found.providers, start=1):
        click.echo(f"{rank:2d}. {p.name}  {p.score:.3f}  {p.confidence}")
        for reason in p.explanation.reasons[:3]:
            click.echo(f"    - {reason}")


@testfields.command("applications")
@click.argument("testfield_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def applications(ctx, testfield_id, as_json) -> None:
    """A test field's applications and where they stand."""
    found = opened(ctx.find_root()).testfields.applications(testfield_id, SYSTEM)
    if as_json:
        click.echo(json_of(found))
        return
    for a in found:
        click.echo(f"{a.id}  {a.provider_name}  {a.status_label}  ({a.created[:10]})")
    if not found:
        click.echo("Keine Bewerbungen.")
