"""`matcher documents`: the Toolbox from the command line (local and trusted, as an admin):
attach a file to a project, list documents, find the templates for a challenge."""

from __future__ import annotations

from pathlib import Path

import click

from matcher.cli.base import opened
from matcher.cli.show import json_of
from matcher.domain.documents import KINDS, LICENCE_IDS


@click.group("documents")
def documents() -> None:
    """Documents of projects to reuse (concepts, tender texts, contracts …)."""


@documents.command("add")
@click.argument("project")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", required=True, type=click.Choice(KINDS), help="What the document is.")
@click.option("--title", required=True, help="Its title.")
@click.option(
    "--licence", required=True, type=click.Choice(LICENCE_IDS), help="Its licence (required)."
)
@click.option("--language", default="de", show_default=True, help="ISO 639-1 code.")
@click.option("--procedure", default="", help="The procedure it was used in.")
@click.option("--source-url", default="", help="Published source code (https).")
@click.pass_context
def add(ctx, project, file, kind, title, licence, language, procedure, source_url) -> None:
    """Attach FILE (PDF, ODT, DOCX, UTF-8 text) to PROJECT; a bad file stores nothing."""
    fields = {
        "kind": kind,
        "title": title,
        "licence": licence,
        "language": language,
        "procedure": procedure,
        "source_url": source_url,
    }
    made = opened(ctx).add_document(project, fields, file.read_bytes(), file.name)
    click.echo(f"{made.id}: „{made.title}“ ({made.file_type}, {made.passages} Abschnitte)")


@documents.command("list")
@click.option("--project", help="Only this project's documents.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_documents(ctx, project, as_json) -> None:
    """Every document (of one project), newest first."""
    svc = opened(ctx)
    found = svc.project_documents(project) if project else svc.all_documents()
    if as_json:
        click.echo(json_of(found))
        return
    for d in found:
        click.echo(f"{d.id}  {d.project}  [{d.kind_label}; {d.licence_label}]  {d.title}")


@documents.command("match")
@click.argument("text")
@click.option("-k", default=3, show_default=True, help="How many documents.")
@click.option("-m", "--municipality", help="The asking municipality's id.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def match(ctx, text, k, municipality, as_json) -> None:
    """„Vorlagen zu Ihrer Herausforderung“: documents that fit TEXT, with the passage."""
    found = opened(ctx).document_matches(text, k, municipality)
    if as_json:
        click.echo(json_of(found))
        return
    if not found:
        click.echo("Keine passende Vorlage.")
    for rank, d in enumerate(found, start=1):
        click.echo(f"{rank}. {d.title}  [{d.kind_label}; {d.licence_label}; {d.confidence}]")
        click.echo(f"   aus {d.project_title} ({', '.join(d.municipalities)})")
        click.echo(f"   „{d.passage}“")
