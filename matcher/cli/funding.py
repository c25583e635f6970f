"""Commands from a match to a project: `funding` (the funding check), `procurement` (the
procedure for an order) and `programmes` (staff's programme records)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from matcher.cli.base import opened, service_of, settings_of
from matcher.cli.show import json_of
from matcher.domain.funding import FundingCheck, FundingRequest, euros
from matcher.domain.procurement import ORDER_KIND_LABELS, ProcurementPath

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


@click.command("funding")
@click.argument("text", required=False)
@click.option("-m", "--municipality", "municipalities", multiple=True, help="Applicant id.")
@click.option("--need", help="A need's id instead of a text.")
@click.option("--project", help="A project's id instead of a text.")
@click.option("--cost", "cost_eur", type=float, help="Estimated eligible cost in EUR.")
@click.option("--date", type=DATE, help="Judge the calls on this day (default today).")
@click.option("--all", "show_all", is_flag=True, help="Also the programmes that do not fit.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def funding(ctx, text, municipalities, need, project, cost_eur, date, show_all, as_json) -> None:
    """Funding programmes for an idea: why each fits, share, grant, own share, deadline."""
    request = FundingRequest(
        text=text,
        need=need,
        project=project,
        municipalities=tuple(municipalities),
        cost_eur=cost_eur,
        date=_day(date),
    )
    found = opened(ctx).funding_check(request)
    click.echo(json_of(found) if as_json else "\n".join(funding_lines(found, show_all)))


def funding_lines(found: FundingCheck, show_all: bool = False) -> list[str]:
    """The check as people read it, fitting programmes first."""
    who = " und ".join(found.municipalities)
    cost = f", Kosten {euros(found.cost_eur)}" if found.cost_eur else ""
    lines = [f"Förderung für {who}{cost}, am {found.date:%d.%m.%Y}:"]
    shown = [p for p in found.programmes if p.fits or show_all]
    if not shown:
        lines.append("  Kein passendes Programm (--all zeigt alle mit Gründen).")
    for rank, fit in enumerate(shown, start=1):
        mark = "passt" if fit.fits else "passt nicht"
        lines.append(f"{rank:2d}. {fit.title}  [{mark}; {fit.status.label}]")
        lines.append(f"    {fit.funder}")
        if fit.estimate:
            e = fit.estimate
            lines.append(
                f"    – Förderquote {e.share_percent:g} %: Zuschuss {euros(e.grant_eur)}, "
                f"Eigenanteil {euros(e.own_eur)}"
            )
        for check in fit.checks:
            sign = {True: "✓", False: "✗", None: "?"}[check.ok]
            lines.append(f"    {sign} {check.reason}")
        for offer in fit.reuse:
            lines.append(f"    – {offer.line.title}: {offer.reason}")
        if fit.unverified:
            lines.append(f"    – nicht belegt: {'; '.join(fit.unverified)}")
        lines.append(f"    {fit.disclaimer} – Quelle: {fit.source_url}")
    return lines


@click.command("procurement")
@click.argument("value_eur", type=float)
@click.option("--kind", type=click.Choice(["supplies", "works"]), default="supplies")
@click.option("--date", type=DATE, help="The day of the order (default today).")
@click.option("--offering", help="An offering's id: suggests the EVB-IT contract type.")
@click.option(
    "--contract",
    type=click.Choice(["lizenz", "wartung", "dienstleistung", "entwicklung", "cloud"]),
    help="The offering's kind, if known.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def procurement(ctx, value_eur, kind, date, offering, contract, as_json) -> None:
    """The procedure for an order of a Hessian municipality (a note, not legal advice)."""
    settings = settings_of(ctx)
    service = opened(ctx) if offering else service_of(settings)
    found = service.procurement(value_eur, kind, _day(date), offering, contract)
    click.echo(json_of(found) if as_json else "\n".join(procurement_lines(found)))


def procurement_lines(found: ProcurementPath) -> list[str]:
    lines = [
        f"{euros(found.value_eur)} ({ORDER_KIND_LABELS[found.kind]}) am {found.date:%d.%m.%Y}: "
        f"{found.label}",
        *(f"  – {r}" for r in found.reasons),
    ]
    if found.alternatives:
        lines.append(f"  – ebenfalls zulässig: {', '.join(found.alternatives)}")
    lines.append(f"  Quelle: {found.rule_source}; EU-Schwellenwert: {found.eu_source}")
    lines += [f"  ! {d.text} ({d.source_url})" for d in found.drafts]
    lines.append("  Gemeinsam beschaffen:")
    lines += [f"  – {h.title}: {h.text}" for h in found.joint_buying]
    if found.contract:
        lines.append(f"  Vertragstyp: {found.contract.evb_it} ({found.contract.text})")
    lines.append(f"  {found.disclaimer}, Stand {found.checked:%d.%m.%Y}")
    return lines


@click.group("programmes")
def programmes() -> None:
    """Funding programme records (staff's data, with sources and „Stand“)."""


@programmes.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_programmes(ctx, as_json) -> None:
    """Every programme record."""
    items = service_of(settings_of(ctx.find_root())).programmes()
    if as_json:
        click.echo(json_of(items))
        return
    for p in items:
        click.echo(f"{p.id}  {p.title}  ({p.funder}; Stand {p.checked:%d.%m.%Y})")


@programmes.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_programmes(ctx, path: Path) -> None:
    """Create or replace programmes from a JSONL file, all or nothing."""
    count = service_of(settings_of(ctx.find_root())).import_programmes(path.read_bytes())
    click.echo(f"importiert: {count:5d} programmes")


COMMANDS = [funding, procurement, programmes]
