"""The `matcher` command: build the demo index, search, import, evaluate."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

from matcher.cli.show import (
    json_of,
    print_results,
    show_joint,
    show_leads,
    show_peers,
    show_similar,
)
from matcher.config import SERVING_STATEMENT_TIMEOUT, Settings, load_settings
from matcher.domain.errors import MatcherError
from matcher.domain.schema import KINDS, Category, Filters
from matcher.matching.results import JointProjects

# Key in the click context's `meta` under which a caller running the CLI in-process (the fault
# harness, tools/fault_writer.py) may put an observer of the service's writes (MatcherService).
OBSERVER = "matcher.observer"


def _service(settings: Settings):
    from matcher.service import MatcherService

    ctx = click.get_current_context(silent=True)
    return MatcherService(settings, observer=ctx.meta.get(OBSERVER) if ctx else None)


def _store_is_empty(settings: Settings) -> bool:
    from matcher.store import Store

    store = Store(settings.database_url)
    try:
        return store.is_empty()
    finally:
        store.close()


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
    return Filters(
        **{
            name: kw.pop(name)
            for name in (
                "categories",
                "district",
                "region",
                "min_population",
                "max_population",
                "max_distance_km",
            )
        }
    )


def _open(ctx: click.Context):
    service = _service(_settings(ctx))
    service.open()
    return service


@main.command()
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
    try:
        service = _open(ctx)
        if text == "-":
            for line in sys.stdin:
                if line.strip():
                    found = service.search(line.strip(), kind, k, municipality, filters)
                    click.echo(json_of(found, indent=None))
            return
        found = service.search(text, kind, k, municipality, filters)
    except MatcherError as exc:
        _fail(exc)
    if as_json:
        click.echo(json_of(found))
    else:
        print_results(found, kind)


def _direction(ctx: click.Context, call, show, as_json: bool) -> None:
    """Run one matching direction and print it as JSON or as German text."""
    try:
        found = call(_open(ctx))
    except MatcherError as exc:
        _fail(exc)
    if as_json:
        click.echo(json_of(found.items if isinstance(found, JointProjects) else found))
    else:
        show(found)


@main.command()
@click.argument("municipality_id")
@filter_options
@click.pass_context
def peers(ctx, municipality_id, k, as_json, **kw) -> None:
    """Peer municipalities of MUNICIPALITY_ID and its open needs with matches."""
    filters = _filters(kw)
    _direction(ctx, lambda svc: svc.peers(municipality_id, k, filters), show_peers, as_json)


@main.command()
@click.argument("item_id")
@filter_options
@click.pass_context
def leads(ctx, item_id, k, as_json, **kw) -> None:
    """Municipalities that need what provider or offering ITEM_ID offers."""
    filters = _filters(kw)
    _direction(
        ctx,
        lambda svc: svc.leads(item_id, k, filters),
        show_leads,
        as_json,
    )


@main.command()
@click.argument("project_id")
@filter_options
@click.pass_context
def similar(ctx, project_id, k, as_json, **kw) -> None:
    """Projects like PROJECT_ID elsewhere, and municipalities that could adopt it."""
    filters = _filters(kw)
    _direction(ctx, lambda svc: svc.similar(project_id, k, filters), show_similar, as_json)


@main.command("joint-projects")
@filter_options
@click.pass_context
def joint_projects(ctx, k, as_json, **kw) -> None:
    """Suggested joint projects: nearby smaller towns with the same open need."""
    filters = _filters(kw)
    _direction(ctx, lambda svc: svc.joint_projects(k, filters), show_joint, as_json)


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
@click.option(
    "--candidate",
    "candidates",
    multiple=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="A ranking config to compare with the current one (demo judgments).",
)
@click.option("--limit", type=click.IntRange(1), help="External set: only this many queries.")
@click.option(
    "--encoders",
    help="Compare encoders instead, comma-separated (e.g. use-multilingual-v3,e5-small,use+e5): "
    "dense and hybrid with each, the first as the baseline.",
)
@click.option(
    "--split",
    type=click.Choice(["held-out", "tune", "all"]),
    default="held-out",
    show_default=True,
    help="With --encoders: the half of the demo judgments reported (choose on tune).",
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def eval_(
    ctx,
    external: Path | None,
    candidates,
    limit: int | None,
    encoders: str | None,
    split: str,
    as_json: bool,
) -> None:
    """Relevance side by side with baselines: on the demo judgments (data/judgments/),
    or with --external on a labelled corpus indexed in memory; with --encoders, encoders side
    by side (each with a service of its own under the home's encoders/)."""
    settings = _settings(ctx)
    if encoders is not None:
        _eval_encoders(
            settings,
            [s.strip() for s in encoders.split(",") if s.strip()],
            external,
            split,
            limit,
            as_json,
        )
        return
    try:
        if external is not None:
            from matcher.evaluation.external import external_table, format_table

            rows = external_table(external, settings, limit=limit)
            click.echo(json.dumps(rows, indent=2) if as_json else format_table(rows))
            return
        from matcher.evaluation import judgments as judged
        from matcher.ranking.config import load_ranking_config

        service = _service(settings)
        service.build()  # the judgments are about the demo corpus: import it into an empty store
        extra = {p.stem: load_ranking_config(p).for_encoder(settings.encoder) for p in candidates}
        judgments = judged.load(settings.demo_dir)
        tables = judged.table(service, judgments, extra)
        agreeing = _agreement(service, judgments)
    except (MatcherError, ValueError) as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps({**tables, "agreement": agreeing}, indent=2))
        return
    from matcher.evaluation import agreement

    click.echo(judged.format_table(tables))
    if agreeing:
        click.echo("\n" + agreement.format_table(agreeing, list(judged.baselines(service.ranking))))


def _agreement(service, judgments) -> list[dict]:
    """The second judge's agreement and the systems under either judge (empty without one)."""
    from matcher.evaluation import agreement
    from matcher.evaluation import judgments as judged

    second = agreement.read_second(service.settings.demo_dir)
    if not second:
        return []
    qids = [q for q in judgments.queries if q in second]
    systems = judged.baselines(service.ranking)
    runs = {name: judged.run(service, judgments, cfg, qids) for name, cfg in systems.items()}
    return agreement.table(judgments, second, runs, judged.KINDS)


def _eval_encoders(
    settings: Settings,
    specs: list[str],
    external: Path | None,
    split: str,
    limit: int | None,
    as_json: bool,
) -> None:
    """`matcher eval --encoders …`: the demo judgments' chosen half, or the external set."""
    from matcher.evaluation import encoders as compared
    from matcher.evaluation import judgments as judged

    try:
        if external is not None:
            rows = compared.external_table(external, settings, specs, limit=limit)
            click.echo(json.dumps(rows, indent=2) if as_json else compared.format_external(rows))
            return
        tables = compared.demo_table(settings, specs, judged.load(settings.demo_dir), split)
    except (MatcherError, ValueError) as exc:
        _fail(exc)
    click.echo(json.dumps(tables, indent=2) if as_json else compared.format_demo(tables, split))


@main.command()
@click.option(
    "--quick", is_flag=True, help="A short run (under two minutes) that checks the harness."
)
@click.option(
    "--sizes",
    help="Synthetic corpus sizes for the scale part, comma-separated (default 10k,100k,1M; "
    "quick: 10k).",
)
@click.option(
    "--startup-sizes",
    help="Synthetic catalog sizes for timing `matcher serve` start-up and worker memory, "
    "comma-separated (default 100k; quick: 10k).",
)
@click.option("--peer", is_flag=True, help="Also index and query with txtai (own venv in .bench/).")
@click.option(
    "--json",
    "json_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the figures as JSON here (default: bench.json in the home).",
)
@click.pass_context
def bench(
    ctx,
    quick: bool,
    sizes: str | None,
    startup_sizes: str | None,
    peer: bool,
    json_path: Path | None,
) -> None:
    """Benchmarks: query path by stage, /match over HTTP, indexing, scale, optional txtai;
    figures side by side with the encoder's own time, measured in one run."""
    # The harness is a tool, not product: it lives in benchmarks/ of a source checkout.
    from matcher.config import REPO_ROOT

    if not (REPO_ROOT / "benchmarks" / "runner.py").is_file():
        _fail(
            FileNotFoundError(
                f"`matcher bench` braucht einen Quellcode-Checkout mit benchmarks/ "
                f"(nicht gefunden unter {REPO_ROOT})"
            )
        )
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from benchmarks.runner import format_report, run

    settings = _settings(ctx)
    try:
        size_list = [int(float(x)) for x in sizes.split(",")] if sizes else None
        startup_list = [int(float(x)) for x in startup_sizes.split(",")] if startup_sizes else None
    except ValueError:
        _fail(ValueError(f"--sizes: expected numbers like 10000,100000, got {sizes!r}"))
    try:
        result = run(
            settings,
            quick=quick,
            sizes=size_list,
            peer=peer,
            log=lambda m: click.echo(m, err=True),
            startup_sizes=startup_list,
        )
    except MatcherError as exc:
        _fail(exc)
    path = json_path or settings.home / "bench.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    click.echo(format_report(result))
    click.echo(f"\nJSON: {path}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", type=click.IntRange(1, 64), help="Worker processes (MATCHER_WORKERS).")
@click.pass_context
def serve(ctx, host: str, port: int, workers: int | None) -> None:
    """Build the index if needed, then serve the API and docs with gunicorn."""
    settings = _settings(ctx)
    # Only the demo import here, into an empty store: the gunicorn master opens the service
    # (indexes reconciled and saved) once for its workers (api/preload.py). A store with items
    # is not even opened as a service here (its imports alone take seconds).
    imported: dict[str, int] = {}
    try:
        if _store_is_empty(settings):
            service = _service(settings)
            try:
                imported = service.import_demo()
            finally:
                service.close()
    except MatcherError as exc:
        _fail(exc)
    if imported:
        click.echo("Demo-Daten importiert: " + ", ".join(f"{n} {k}" for k, n in imported.items()))
    workers = workers or settings.workers
    # Each worker encodes on its share of the cores: two workers on two threads each made
    # OpenBLAS threads spin against each other (throughput fell six-fold, measured). A worker's
    # request threads (gthread, api/gunicorn_conf.py) take turns at the service's lock, so they
    # encode one at a time and need no share of their own.
    threads = settings.encoder_threads or max(1, (os.cpu_count() or 1) // workers)
    env = dict(
        os.environ,
        MATCHER_HOME=str(settings.home),
        MATCHER_ENCODER=settings.encoder,
        MATCHER_ENCODER_THREADS=str(threads),
    )
    env.setdefault("OPENBLAS_NUM_THREADS", str(threads))
    if settings.db_url:
        env["MATCHER_DB_URL"] = settings.db_url
    # Requests must not wait for a frozen database: workers bound every statement.
    timeout = settings.db_statement_timeout or SERVING_STATEMENT_TIMEOUT
    env["MATCHER_DB_STATEMENT_TIMEOUT"] = str(timeout)
    click.echo(f"API: http://{host}:{port}/api/v1 – Dokumentation: http://{host}:{port}/docs")
    sys.stdout.flush()
    argv = [
        # gunicorn from this interpreter's environment: `.venv/bin/matcher serve` works
        # without the venv's bin on PATH.
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:api.gunicorn_conf",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "120",
        "--graceful-timeout",
        "10",
        "api.wsgi:app",
    ]
    os.execve(sys.executable, argv, env)


@main.group()
def keys() -> None:
    """API keys (stored hashed in the keys file)."""


@keys.command("add")
@click.argument("role")
@click.pass_context
def keys_add(ctx, role: str) -> None:
    """Create a key for ROLE (admin, municipality:<id>, provider:<id>) and print it once."""
    from matcher.keys import add_key

    settings = _settings(ctx)
    path = settings.keys_path
    try:
        key = add_key(path, role)
    except MatcherError as exc:
        _fail(exc)
    click.echo(key)
    click.echo(f"(nur der Hash ist gespeichert, in {path})", err=True)


if __name__ == "__main__":
    main()
