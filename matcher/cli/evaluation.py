"""Commands that measure: relevance (`eval`) and speed (`bench`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from matcher.cli.base import malformed_input, service_of, settings_of
from matcher.config import Settings
from matcher.domain.errors import ConfigError


@click.command("eval")
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
    help="The half reported: of the demo judgments with --encoders (and their confidence), of "
    "the external set's publishers with --external (choose on tune).",
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
    """Relevance side by side with baselines: on the demo judgments (matcher/data/judgments/),
    or with --external on a labelled corpus indexed in memory; with --encoders, encoders side
    by side (each with a service of its own under the home's encoders/)."""
    settings = settings_of(ctx)
    if encoders is not None:
        specs = [s.strip() for s in encoders.split(",") if s.strip()]
        _eval_encoders(settings, specs, external, split, limit, as_json)
        return
    if external is not None:
        from matcher.evaluation.external import external_table, format_table

        with malformed_input():
            rows = external_table(external, settings, limit=limit, half=split)
        click.echo(json.dumps(rows, indent=2) if as_json else format_table(rows))
        return
    from matcher.evaluation import agreement, confidence
    from matcher.evaluation import judgments as judged
    from matcher.ranking.config import load_ranking_config

    service = service_of(settings)
    with malformed_input():
        service.build()  # the judgments are about the demo corpus: import it into an empty store
        extra = {p.stem: load_ranking_config(p).for_encoder(settings.encoder) for p in candidates}
        judgments = judged.load(settings.demo_dir)
        tables = judged.table(service, judgments, extra)
        agreeing = _agreement(service, judgments)
        sure = confidence.table(
            service, judgments, agreement.read_second(settings.demo_dir), service.ranking
        )
    if as_json:
        click.echo(json.dumps({**tables, "agreement": agreeing, "confidence": sure}, indent=2))
        return
    click.echo(judged.format_table(tables))
    click.echo("\nconfidence of the hybrid: results shown as „hoch“ (first 10 of each query)")
    for kind, figures in sure.items():
        click.echo(f"{kind}\n" + "\n".join(confidence.format_lines(figures, "held-out")))
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

    if external is not None:
        with malformed_input():
            rows = compared.external_table(external, settings, specs, limit=limit, half=split)
        click.echo(json.dumps(rows, indent=2) if as_json else compared.format_external(rows))
        return
    with malformed_input():
        tables = compared.demo_table(settings, specs, judged.load(settings.demo_dir), split)
    click.echo(json.dumps(tables, indent=2) if as_json else compared.format_demo(tables, split))


class Sizes(click.ParamType):
    """Comma-separated item counts, e.g. `10000,1e5`."""

    name = "sizes"

    def convert(self, value, param, ctx) -> list[int]:
        if isinstance(value, list):
            return value
        try:
            return [int(float(x)) for x in value.split(",")]
        except ValueError:
            self.fail(f"expected numbers like 10000,100000, got {value!r}", param, ctx)


@click.command()
@click.option(
    "--quick", is_flag=True, help="A short run (under two minutes) that checks the harness."
)
@click.option(
    "--sizes",
    type=Sizes(),
    help="Synthetic corpus sizes for the scale part, comma-separated (default 10k,100k,1M; "
    "quick: 10k).",
)
@click.option(
    "--startup-sizes",
    type=Sizes(),
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
    sizes: list[int] | None,
    startup_sizes: list[int] | None,
    peer: bool,
    json_path: Path | None,
) -> None:
    """Benchmarks: query path by stage, /match over HTTP, indexing, scale, optional txtai;
    figures side by side with the encoder's own time, measured in one run."""
    # The harness is a tool, not product: it lives in benchmarks/ of a source checkout, which
    # is not an installed package; so the checkout goes on the import path.
    from matcher.config import REPO_ROOT

    if not (REPO_ROOT / "benchmarks" / "runner.py").is_file():
        raise ConfigError(
            f"`matcher bench` braucht einen Quellcode-Checkout mit benchmarks/ "
            f"(nicht gefunden unter {REPO_ROOT})"
        )
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from benchmarks.runner import format_report, run

    settings = settings_of(ctx)
    result = run(
        settings,
        quick=quick,
        sizes=sizes,
        peer=peer,
        log=lambda m: click.echo(m, err=True),
        startup_sizes=startup_sizes,
    )
    path = json_path or settings.home / "bench.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    click.echo(format_report(result))
    click.echo(f"\nJSON: {path}")


COMMANDS = [eval_, bench]
