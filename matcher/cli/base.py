"""The `matcher` group: settings, domain errors to one exit code, the service of a command."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from matcher.config import Settings, load_settings
from matcher.domain.errors import MatcherError, ValidationError

if TYPE_CHECKING:
    from matcher.service import MatcherService

# Key in the click context's `meta` under which a caller running the CLI in-process (the fault
# harness, tools/fault_writer.py) may put an observer of the service's writes (MatcherService).
OBSERVER = "matcher.observer"
# The exit code of a domain error (bad input, unknown id, a store not ready); click's own usage
# errors have the same.
EXIT_ERROR = 2


class MatcherGroup(click.Group):
    """Commands whose domain errors end the program one way: `Fehler: …` on standard error and
    exit code 2, no traceback. Anything else is a bug and keeps its traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MatcherError as exc:
            click.echo(f"Fehler: {exc}", err=True)
            # SystemExit, not click's Exit: callers that invoke the group in-process
            # (tools/fault_writer.py) see the exit code as a process would.
            sys.exit(EXIT_ERROR)


@contextlib.contextmanager
def malformed_input() -> Iterator[None]:
    """A ValueError while reading the user's files (judgments, ranking configs, a labelled
    corpus) is the user's error, reported as a domain error."""
    try:
        yield
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


@click.group(cls=MatcherGroup)
@click.option("--home", type=click.Path(path_type=Path), help="Data directory (MATCHER_HOME).")
@click.option("--db-url", help="Database URL (MATCHER_DB_URL); default SQLite in the home.")
@click.option("--encoder", help="Encoder (MATCHER_ENCODER), e.g. use-multilingual-v3 or minilm.")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens.")
@click.option(
    "--settings-stdin",
    is_flag=True,
    hidden=True,
    help="Read every setting as JSON from standard input (a server hands its settings to the "
    "`build` it runs first in a process of its own).",
)
@click.pass_context
def main(ctx: click.Context, home, db_url, encoder, verbose, settings_stdin) -> None:
    """Smart Region Matcher: similar projects, peer municipalities and providers."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if settings_stdin:
        settings = Settings.model_validate_json(sys.stdin.read())
    else:
        settings = load_settings(home=home, db_url=db_url, encoder=encoder)
    ctx.obj = {"settings": settings}


def settings_of(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


def service_of(settings: Settings) -> MatcherService:
    """A service on `settings`, not opened yet (with the caller's observer, if any)."""
    from matcher.service import MatcherService

    ctx = click.get_current_context(silent=True)
    return MatcherService(settings, observer=ctx.meta.get(OBSERVER) if ctx else None)


def opened(ctx: click.Context) -> MatcherService:
    """The command's service, opened (indexes reconciled with the database)."""
    service = service_of(settings_of(ctx))
    service.open()
    return service
