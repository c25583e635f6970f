"""Commands that match: search a text, and the directions (peers, leads, similar projects,
joint projects)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from matcher.cli.base import opened
from matcher.cli.show import (
    json_of,
    print_results,
    show_joint,
    show_leads,
    show_peers,
    show_similar,
)
from matcher.domain.schema import Category, Filters
from matcher.matching.results import JointProjects

# The options of `filter_options` that make up the Filters.
FILTERS = (
    "categories",
    "district",
    "region",
    "min_population",
    "max_population",
    "max_distance_km",
)


def filter_options(fn):
    """The filters every list takes."""
    options = [
        click.option(
            "--category",
            "categories",
            multiple=True,
            type=click.Choice([c.value for c in Category]),
            help="Only these categories.",
        ),
        click.option("--district", help="Only this district (Kreis)."),
        click.option("--region", help="Only this region (Regierungsbezirk)."),
        click.option("--min-population", type=click.IntRange(0)),
        click.option("--max-population", type=click.IntRange(0)),
        click.option(
            "--max-distance",
            "max_distance_km",
            type=click.FloatRange(min=0, min_open=True),
            help="km from the asking municipality.",
        ),
        click.option("-k", "k", type=click.IntRange(1, 100), default=10, show_default=True),
        click.option("--json", "as_json", is_flag=True, help="Print JSON."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _filters(kw: dict) -> Filters:
    return Filters(**{name: kw.pop(name) for name in FILTERS})


@click.command()
@click.argument("text")
@click.option(
    "--kind",
    type=click.Choice(["projects", "providers", "municipalities"]),
    default="projects",
    show_default=True,
)
@click.option("--municipality", "-m", help="Id of the asking municipality.")
@filter_options
@click.pass_context
def search(ctx, text, kind, municipality, k, as_json, **kw) -> None:
    """Search for TEXT, or with '-' one query per line from standard input (JSON per line)."""
    filters = _filters(kw)
    service = opened(ctx)
    if text == "-":
        for line in sys.stdin:
            if line.strip():
                found = service.search(line.strip(), kind, k, municipality, filters)
                click.echo(json_of(found, indent=None))
        return
    found = service.search(text, kind, k, municipality, filters)
    if as_json:
        click.echo(json_of(found))
    else:
        print_results(found, kind)


def _direction(ctx: click.Context, call: Callable[[Any], Any], show, as_json: bool) -> None:
    """Run one matching direction and print it as JSON or as German text."""
    found = call(opened(ctx))
    if as_json:
        click.echo(json_of(found.items if isinstance(found, JointProjects) else found))
    else:
        show(found)


@click.command()
@click.argument("municipality_id")
@filter_options
@click.pass_context
def peers(ctx, municipality_id, k, as_json, **kw) -> None:
    """Peer municipalities of MUNICIPALITY_ID and its open needs with matches."""
    filters = _filters(kw)
    _direction(ctx, lambda svc: svc.peers(municipality_id, k, filters), show_peers, as_json)


@click.command()
@click.argument("item_id")
@filter_options
@click.pass_context
def leads(ctx, item_id, k, as_json, **kw) -> None:
    """Municipalities that need what provider or offering ITEM_ID offers."""
    filters = _filters(kw)
    _direction(ctx, lambda svc: svc.leads(item_id, k, filters), show_leads, as_json)


@click.command()
@click.argument("project_id")
@filter_options
@click.pass_context
def similar(ctx, project_id, k, as_json, **kw) -> None:
    """Projects like PROJECT_ID elsewhere, and municipalities that could adopt it."""
    filters = _filters(kw)
    _direction(ctx, lambda svc: svc.similar(project_id, k, filters), show_similar, as_json)


@click.command("joint-projects")
@filter_options
@click.pass_context
def joint_projects(ctx, k, as_json, **kw) -> None:
    """Suggested joint projects: nearby smaller towns with the same open need."""
    filters = _filters(kw)
    _direction(ctx, lambda svc: svc.joint_projects(k, filters), show_joint, as_json)


COMMANDS = [search, peers, leads, similar, joint_projects]
