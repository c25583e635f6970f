"""`matcher serve`: the HTTP API and its pages (matcher/web/server.py runs gunicorn)."""

from __future__ import annotations

import click

from matcher.cli.base import service_of, settings_of
from matcher.config import Settings


def _store_is_empty(settings: Settings) -> bool:
    from matcher.store import Store

    store = Store(settings.database_url)
    try:
        return store.is_empty()
    finally:
        store.close()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", type=click.IntRange(1, 64), help="Worker processes (MATCHER_WORKERS).")
@click.pass_context
def serve(ctx, host: str, port: int, workers: int | None) -> None:
    """Build the index if needed, then serve the API and docs with gunicorn."""
    from matcher.web import server

    settings = settings_of(ctx)
    # First, before the store's imports load numpy: the workers' share of the cores.
    serving = server.prepare(settings, workers)
    # Only the demo import here, into an empty store: the gunicorn master opens the service
    # (indexes reconciled and saved) once for its workers (matcher/web/preload.py). A store
    # with items is not even opened as a service here (its imports alone take seconds).
    imported: dict[str, int] = {}
    if _store_is_empty(settings):
        service = service_of(settings)  # batch work: the settings without the serving bounds
        try:
            imported = service.import_demo()
        finally:
            service.close()
    if imported:
        click.echo("Demo-Daten importiert: " + ", ".join(f"{n} {k}" for k, n in imported.items()))
    click.echo(f"API: http://{host}:{port}/api/v1 – Dokumentation: http://{host}:{port}/docs")
    server.serve(serving, host, port)


COMMANDS = [serve]
