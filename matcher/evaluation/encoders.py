"""Encoders side by side: the current ranking with each encoder, dense alone and hybrid, with
bootstrap CIs and the paired difference to the first encoder.

On the demo judgments each encoder gets a service of its own (its own home under
`<home>/encoders/`, SQLite store, index and embedding cache), built from the demo corpus: what
is measured is what that encoder would serve, and no serving object is changed. A home whose
store was built from other demo files is built anew. Every service ranks with the one ranking
config read at the start. Figures are reported on one half of the judgments
(`judgments.split`): choose on "tune", report "held-out".
On an external labelled corpus every encoder indexes it in memory (vectors cached in
`<home>/encoders/external-vectors.sqlite3`, so a second run does not encode again).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from matcher.config import Settings
from matcher.embeddings import CachedEncoder, Encoder, create_encoder
from matcher.evaluation import agreement, confidence
from matcher.evaluation import external as ext
from matcher.evaluation import judgments as judged
from matcher.evaluation import metrics as ev
from matcher.ranking.config import load_ranking_config
from matcher.service import DEMO_FILES, MatcherService
from matcher.store import Store

SPLITS = ("held-out", "tune", "all")
FINGERPRINT = "demo.sha256"  # in an encoder's home: the demo files its store was built from
SYSTEMS = ("dense", "hybrid")
ROOT_NAME = "encoders"

PerQuery = dict[str, dict[str, float]]  # metric → {qid: value}
MakeEncoder = Callable[[str], Encoder]


def home_of(root: Path, spec: str) -> Path:
    """The directory of one encoder's service (a spec made safe as a folder name)."""
    name = re.sub(r"[^A-Za-z0-9.+=-]", "_", spec)
    return root / (name if name.strip(".") else "_" * len(name) or "_")


def chosen(qids: Sequence[str], split: str) -> list[str]:
    """The queries of one half (or all)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, not {split!r}")
    tune, held_out = judged.split(qids)
    return {"held-out": held_out, "tune": tune, "all": list(qids)}[split]


def demo_fingerprint(data_dir: Path) -> str:
    """A digest of the demo corpus files (not the judgments, which are read at each run)."""
    digest = hashlib.sha256()
    for _, name in DEMO_FILES:
        path = Path(data_dir) / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b""))
    return digest.hexdigest()


def _fresh_home(home: Path, fingerprint: str) -> None:
    """Empty an encoder's home when its store holds another version of the demo corpus (the
    store imports the corpus only when empty)."""
    mark = home / FINGERPRINT
    if home.exists() and (not mark.exists() or mark.read_text().strip() != fingerprint):
        shutil.rmtree(home)


def _runs(
    service: MatcherService, judgments: ev.Judgments, split: str
) -> dict[str, dict[str, PerQuery]]:
    """kind → system → per-query metrics of one encoder's service."""
    configs = judged.baselines(service.ranking)
    out: dict[str, dict[str, PerQuery]] = {}
    for kind in judged.KINDS:
        qids = chosen(judgments.of_kind(kind), split)
        if qids:
            out[kind] = {
                system: judged.per_query(
                    judged.run(service, judgments, configs[system], qids), judgments, qids
                )
                for system in SYSTEMS
            }
    return out


def _rows(per_encoder: Mapping[str, Mapping[str, PerQuery]], specs: Sequence[str]) -> list[dict]:
    """Rows per system, each encoder against the first with the same system."""
    rows = []
    for system in SYSTEMS:
        compared = ev.compare({s: per_encoder[s][system] for s in specs}, baseline=specs[0])
        rows += [{**r, "encoder": r["system"], "system": system} for r in compared]
    return rows


def demo_table(
    settings: Settings,
    specs: Sequence[str],
    judgments: ev.Judgments,
    split: str = "held-out",
    root: Path | None = None,
    make_encoder: MakeEncoder | None = None,
) -> dict[str, list[dict]]:
    """Per kind of judgment: rows (system, encoder) with metrics, CIs and the difference to
    the first encoder. `make_encoder(spec)` replaces the factory (tests)."""
    if not specs:
        raise ValueError("name at least one encoder")
    root = root or settings.home / ROOT_NAME
    ranking = load_ranking_config(settings.ranking_path)
    fingerprint = demo_fingerprint(settings.demo_dir)
    per_kind: dict[str, dict[str, dict[str, PerQuery]]] = {}
    sure: dict[str, dict[str, dict]] = {}  # kind → encoder → confidence figures
    for spec in specs:
        home = home_of(root, spec)
        _fresh_home(home, fingerprint)
        own = settings.model_copy(update={"encoder": spec, "home": home, "db_url": ""})
        encoder = make_encoder(spec) if make_encoder else None
        service = MatcherService(own, encoder=encoder, ranking=ranking.for_encoder(spec))
        try:
            service.build(settings.demo_dir)
            (home / FINGERPRINT).write_text(fingerprint + "\n")
            for kind, systems in _runs(service, judgments, split).items():
                per_kind.setdefault(kind, {})[spec] = systems
            second = agreement.read_second(settings.demo_dir)
            for kind, figures in confidence.table(
                service, judgments, second, service.ranking, split
            ).items():
                sure.setdefault(kind, {})[spec] = figures
        finally:
            service.close()
    tables = {kind: _rows(per, specs) for kind, per in per_kind.items()}
    for kind, rows in tables.items():
        for row in rows:
            if row["system"] == "hybrid" and row["encoder"] in sure.get(kind, {}):
                row["confidence"] = sure[kind][row["encoder"]]
    return tables


def external_table(
    path: Path,
    settings: Settings,
    specs: Sequence[str],
    limit: int | None = None,
    root: Path | None = None,
    make_encoder: MakeEncoder | None = None,
    half: str = "all",
) -> list[dict]:
    """Rows (system, encoder) on an external labelled corpus: the queries of one half by
    publisher (`external.split`), or all."""
    if not specs:
        raise ValueError("name at least one encoder")
    corpus = ext.read_musterdatenkatalog(path)
    qrels = ext.judgments(corpus)
    qids = ext.half(corpus, list(qrels), half)
    qids = qids[:limit] if limit else qids
    qrels = {q: qrels[q] for q in qids}
    position = {i: n for n, i in enumerate(corpus.ids)}
    config = load_ranking_config(settings.ranking_path)
    root = root or settings.home / ROOT_NAME
    root.mkdir(parents=True, exist_ok=True)
    cache = Store(f"sqlite:///{(root / 'external-vectors.sqlite3').resolve()}")
    per_encoder: dict[str, dict[str, PerQuery]] = {}
    try:
        for spec in specs:
            raw = (make_encoder or _factory(settings))(spec)
            encoder = CachedEncoder(
                raw, cache, batch_size=settings.batch_size, progress=settings.progress
            )
            systems = ext.Systems(corpus, encoder, config.for_encoder(spec))
            per_encoder[spec] = {
                system: {
                    f"{m}@{k}": ev.per_query(
                        {q: systems.rank(system, position[q]) for q in qids}, qrels, m, k
                    )
                    for m, k in ext.AT.items()
                }
                for system in SYSTEMS
            }
    finally:
        cache.close()
    return _rows(per_encoder, specs)


def _factory(settings: Settings) -> MakeEncoder:
    return lambda spec: create_encoder(spec, settings.threads, settings.batch_size)


_LABELS = (("system", "system", 7), ("encoder", "encoder", 22))


def format_demo(tables: Mapping[str, list[dict]], split: str) -> str:
    """The per-kind tables as text."""
    lines = []
    metrics = (("mrr@10", "MRR@10", 7), ("recall@10", "R@10", 6), ("precision@5", "P@5", 6))
    for kind, rows in tables.items():
        lines.append(f"\n{kind} ({rows[0]['queries']} queries, {split})")
        heading = f"ΔnDCG vs {rows[0]['encoder']} [95% CI]"
        lines += ev.format_comparison(rows, _LABELS, metrics, "ndcg@10_delta", heading)
        for row in rows:
            if "confidence" in row:
                lines += confidence.format_lines(row["confidence"], split, f"{row['encoder']}: ")
    return "\n".join(lines)


def format_external(rows: list[dict]) -> str:
    """The external table as text."""
    heading = f"ΔnDCG vs {rows[0]['encoder'] if rows else ''} [95% CI]"
    metrics = (("mrr@10", "MRR@10", 7), ("recall@50", "R@50", 6))
    lines = ev.format_comparison(rows, _LABELS, metrics, "ndcg@10_delta", heading)
    lines.append(f"queries: {rows[0]['queries'] if rows else 0}")
    return "\n".join(lines)
