"""The `matcher` command: build the demo index, search, import, evaluate."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

from matcher.config import Settings, load_settings
from matcher.errors import MatcherError
from matcher.schema import KINDS, Category, Filters


def _service(settings: Settings):
    from matcher.service import MatcherService

    return MatcherService(settings)


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


def _fail(exc: Exception) -> None:
    click.echo(f"Fehler: {exc}", err=True)
    sys.exit(2)


@click.group()
@click.option("--home", type=click.Path(path_type=Path), help="Data directory (MATCHER_HOME).")
@click.option("--db-url", help="Database URL (MATCHER_DB_URL); default SQLite in the home.")
@click.option("--encoder", help="Encoder (MATCHER_ENCODER), e.g. use-multilingual-v3 or minilm.")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens.")
@click.pass_context
def main(ctx: click.Context, home, db_url, encoder, verbose) -> None:
    """Smart Region Matcher: similar projects, peer municipalities and providers."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        settings = load_settings(home=home, db_url=db_url, encoder=encoder)
    except MatcherError as exc:
        _fail(exc)
    ctx.obj = {"settings": settings}


@main.command()
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    help="Corpus to import when the store is empty (default: the demo in data/).",
)
@click.pass_context
def build(ctx: click.Context, data_dir: Path | None) -> None:
    """Import the demo corpus (if the store is empty), encode and index."""
    settings = _settings(ctx)
    try:
        service = _service(settings)
        report = service.build(data_dir)
    except MatcherError as exc:
        _fail(exc)
    for kind, n in report["imported"].items():
        click.echo(f"importiert: {n:5d} {kind}")
    for kind, change in report["indexed"].items():
        click.echo(
            f"Index {kind:9s}: {change['items']:5d} Einträge, "
            f"{change['encoded_or_updated']} neu kodiert/aktualisiert, "
            f"{change['dropped']} entfernt"
        )
    click.echo(f"Datenbank: {settings.database_url.split('://')[0]}, Index: {settings.index_dir}")


def _print_results(results: list[dict], kind: str) -> None:
    if not results:
        click.echo("Keine passenden Ergebnisse gefunden – versuchen Sie andere Begriffe.")
        return
    for rank, r in enumerate(results, start=1):
        flag = "" if r["confidence"] == "hoch" else "  (unsicher)"
        cats = ", ".join(r.get("categories", [])[:3])
        click.echo(f"{rank:2d}. {r['title']}  [{cats}]  {r['score']:.3f}{flag}")
        if kind == "projects":
            click.echo(f"    {' / '.join(r['municipalities'])}")
        for reason in r["explanation"]["reasons"][:4]:
            click.echo(f"    – {reason}")


@main.command()
@click.argument("text")
@click.option(
    "--kind",
    type=click.Choice(["projects", "providers", "municipalities"]),
    default="projects",
    show_default=True,
)
@click.option("-k", "k", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--municipality", "-m", help="Id of the asking municipality.")
@click.option(
    "--category",
    "categories",
    multiple=True,
    type=click.Choice([c.value for c in Category]),
    help="Only these categories.",
)
@click.option("--district", help="Only this district (Kreis).")
@click.option("--region", help="Only this region (Regierungsbezirk).")
@click.option("--min-population", type=click.IntRange(0))
@click.option("--max-population", type=click.IntRange(0))
@click.option(
    "--max-distance",
    "max_distance_km",
    type=click.FloatRange(min=0, min_open=True),
    help="km from the asking municipality.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def search(
    ctx,
    text,
    kind,
    k,
    municipality,
    categories,
    district,
    region,
    min_population,
    max_population,
    max_distance_km,
    as_json,
) -> None:
    """Search for TEXT, or with '-' one query per line from standard input (JSON per line)."""
    filters = Filters(
        categories=list(categories),
        district=district,
        region=region,
        min_population=min_population,
        max_population=max_population,
        max_distance_km=max_distance_km,
    )
    try:
        service = _service(_settings(ctx))
        service.open()
        if text == "-":
            for line in sys.stdin:
                if line.strip():
                    found = service.search(line.strip(), kind, k, municipality, filters)
                    click.echo(json.dumps(found, ensure_ascii=False))
            return
        found = service.search(text, kind, k, municipality, filters)
    except MatcherError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        _print_results(found, kind)


@main.command("import")
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.pass_context
def import_(ctx, kind: str, file: Path) -> None:
    """Import KIND from FILE (CSV or JSONL; municipalities also from a Destatis directory)."""
    try:
        service = _service(_settings(ctx))
        service.open()
        report = service.import_file(kind, file)
    except MatcherError as exc:
        _fail(exc)
    for warning in report.warnings:
        click.echo(f"Warnung: {warning}", err=True)
    click.echo(f"importiert: {report.imported} {kind}")
    if report.created_municipalities:
        click.echo(
            "neu angelegte Kommunen (aus dem Ortsverzeichnis): "
            + ", ".join(report.created_municipalities)
        )


@main.command("eval")
@click.option(
    "--external",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="A labelled corpus in the Musterdatenkatalog format.",
)
@click.option("--limit", type=click.IntRange(1), help="Evaluate only this many queries.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def eval_(ctx, external: Path | None, limit: int | None, as_json: bool) -> None:
    """Relevance figures: hybrid against BM25 and dense alone, in the same run."""
    from matcher.relevance import external_table, format_table

    if external is None:
        _fail(MatcherError("--external PATH is needed (demo judgments come with a later release)"))
    try:
        rows = external_table(external, _settings(ctx), limit=limit)
    except MatcherError as exc:
        _fail(exc)
    click.echo(json.dumps(rows, indent=2) if as_json else format_table(rows))


if __name__ == "__main__":
    main()
