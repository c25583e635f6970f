"""Commands that fill the store: build the index, import files, create API keys."""

from __future__ import annotations

from pathlib import Path

import click

from matcher.cli.base import opened, service_of, settings_of
from matcher.domain.schema import KINDS


@click.command()
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    help="Corpus to import when the store is empty (default: the demo in matcher/data/).",
)
@click.pass_context
def build(ctx: click.Context, data_dir: Path | None) -> None:
    """Import the demo corpus (if the store is empty), encode and index."""
    settings = settings_of(ctx)
    report = service_of(settings).build(data_dir)
    for kind, n in report["imported"].items():
        click.echo(f"importiert: {n:5d} {kind}")
    for kind, change in report["indexed"].items():
        click.echo(
            f"Index {kind:9s}: {change['items']:5d} Einträge, "
            f"{change['encoded_or_updated']} neu kodiert/aktualisiert, "
            f"{change['dropped']} entfernt"
        )
    click.echo(f"Datenbank: {settings.database_url.split('://')[0]}, Index: {settings.index_dir}")


@click.command("import")
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.pass_context
def import_(ctx, kind: str, file: Path) -> None:
    """Import KIND from FILE (CSV or JSONL; municipalities also from a Destatis directory)."""
    report = opened(ctx).import_file(kind, file)
    for warning in report.warnings:
        click.echo(f"Warnung: {warning}", err=True)
    click.echo(f"importiert: {report.imported} {kind}")
    if report.created_municipalities:
        click.echo(
            "neu angelegte Kommunen (aus dem Ortsverzeichnis): "
            + ", ".join(report.created_municipalities)
        )


@click.group()
def keys() -> None:
    """API keys (stored hashed in the keys file)."""


@keys.command("add")
@click.argument("role")
@click.pass_context
def keys_add(ctx, role: str) -> None:
    """Create a key for ROLE (admin, municipality:<id>, provider:<id>) and print it once."""
    from matcher.keys import add_key

    path = settings_of(ctx).keys_path
    click.echo(add_key(path, role))
    click.echo(f"(nur der Hash ist gespeichert, in {path})", err=True)


COMMANDS = [build, import_, keys]
