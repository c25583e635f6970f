"""`matcher exchange`: exchange groups („Erfas“) and events — for a town the groups to join and
the towns to meet, for a group the towns to invite, for an event whom to invite (as CSV with
contacts for staff), the lists, and importing the staff's records."""

from __future__ import annotations

from pathlib import Path

import click

from matcher.cli.base import opened, service_of, settings_of
from matcher.cli.show import json_of
from matcher.domain.access import SYSTEM
from matcher.domain.exchange import (
    FORMAT_LABELS,
    ExchangeSuggestions,
    GroupCandidates,
    Invitations,
)


@click.group("exchange")
def exchange() -> None:
    """Erfa-Gruppen und Termine: wer sich treffen, wer beitreten, wen man einladen sollte."""


def town_lines(found: ExchangeSuggestions) -> list[str]:
    """A town's suggestions as people read them."""
    lines = [f"Austausch für {found.municipality.name}:"]
    if found.member_of:
        lines.append("  Mitglied in: " + ", ".join(g.title for g in found.member_of))
    lines.append("Passende Erfa-Gruppen:")
    if not found.groups:
        lines.append("  keine weitere Gruppe passt")
    for rank, fit in enumerate(found.groups, start=1):
        lines.append(f"{rank:2d}. {fit.group.title}  [{fit.group.id}]")
        lines += [f"    - {r}" for r in fit.reasons]
    lines.append("Kommunen, die Sie treffen sollten (nahe zuerst):")
    if not found.meet:
        lines.append("  keine Vorschläge")
    for rank, meet in enumerate(found.meet, start=1):
        km = f", {meet.distance_km:.0f} km" if meet.distance_km is not None else ""
        lines.append(f"{rank:2d}. {meet.town.name}  [{meet.town.id}{km}]")
        lines += [f"    - {r}" for r in meet.reasons]
    if found.asked_by:
        lines.append(
            "Sie haben umgesetzt, was diese planen: " + ", ".join(t.name for t in found.asked_by)
        )
    return lines


def candidate_lines(found: GroupCandidates) -> list[str]:
    lines = [f"Kommunen für „{found.group.title}“:"]
    if not found.towns:
        lines.append("  keine")
    for rank, fit in enumerate(found.towns, start=1):
        lines.append(f"{rank:2d}. {fit.town.name}  [{fit.town.id}]")
        lines += [f"    - {r}" for r in fit.reasons]
    return lines


def invitation_lines(found: Invitations) -> list[str]:
    lines = [
        f"Einladungen zu „{found.event.title}“ am {found.date:%d.%m.%Y} "
        f"({FORMAT_LABELS[found.format]}):",
        "Kommunen:",
    ]
    for rank, row in enumerate(found.towns, start=1):
        lines.append(f"{rank:2d}. {row.name}  [{row.id}; {row.role}]")
        lines += [f"    - {r}" for r in row.reasons]
    lines.append("Anbieter:")
    for rank, row in enumerate(found.providers, start=1):
        lines.append(f"{rank:2d}. {row.name}  [{row.id}]")
        lines += [f"    - {r}" for r in row.reasons]
    return lines


@exchange.command("town")
@click.argument("municipality")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def town(ctx, municipality, as_json) -> None:
    """Groups a town should join and towns it should meet."""
    found = opened(ctx.find_root()).exchange.suggestions(municipality)
    click.echo(json_of(found) if as_json else "\n".join(town_lines(found)))


@exchange.command("group")
@click.argument("group_id")
@click.option("-k", default=10, show_default=True, help="How many towns.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def group(ctx, group_id, k, as_json) -> None:
    """Towns that should join a group."""
    found = opened(ctx.find_root()).exchange.group_candidates(group_id, k)
    click.echo(json_of(found) if as_json else "\n".join(candidate_lines(found)))


@exchange.command("invitations")
@click.argument("event_id")
@click.option("-k", default=20, show_default=True, help="How many towns and providers each.")
@click.option("--csv", "as_csv", is_flag=True, help="The list with contacts, as CSV.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def invitations(ctx, event_id, k, as_csv, as_json) -> None:
    """Whom to invite to an event (a local call is staff's: CSV with contacts)."""
    svc = opened(ctx.find_root()).exchange
    if as_csv:
        click.echo(svc.invitation_csv(event_id, SYSTEM, k).lstrip("\ufeff"), nl=False)
        return
    found = svc.invitations(event_id, k)
    click.echo(json_of(found) if as_json else "\n".join(invitation_lines(found)))


@exchange.command("list")
@click.pass_context
def list_records(ctx) -> None:
    """The groups and the events."""
    svc = service_of(settings_of(ctx.find_root())).exchange
    for g in svc.groups():
        members = f"{len(g.members)} {'Mitglied' if len(g.members) == 1 else 'Mitglieder'}"
        click.echo(f"Gruppe  {g.id}: {g.name} ({members})")
    for e in svc.events():
        click.echo(f"Termin  {e.id}: {e.date:%d.%m.%Y} {e.title} – {e.place}")


@exchange.command("import")
@click.argument("kind", type=click.Choice(["groups", "events"]))
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_records(ctx, kind, path) -> None:
    """Create or replace groups or events from JSONL, all or nothing."""
    svc = service_of(settings_of(ctx.find_root()))
    svc.open()  # member towns are checked against the data
    load = svc.exchange.import_groups if kind == "groups" else svc.exchange.import_events
    click.echo(f"importiert: {load(path.read_bytes(), SYSTEM)} {kind}")


COMMANDS = (exchange,)
