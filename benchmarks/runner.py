"""`matcher bench`: every benchmark in one run, printed as a table and written as JSON."""

from __future__ import annotations

import datetime as dt
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks import indexing, query_path, scale, serving
from benchmarks.queries import challenge_texts
from matcher.config import Settings
from matcher.matching.retrieval import SEARCHABLE
from matcher.service import MatcherService

QUICK_SIZES = [10_000]
FULL_SIZES = [10_000, 100_000, 1_000_000]


def run(
    settings: Settings,
    quick: bool = False,
    sizes: list[int] | None = None,
    peer: bool = False,
    log=print,
) -> dict:
    """Run the benchmarks; `log` receives a line as each part starts."""
    started = time.perf_counter()
    data_dir = settings.demo_dir
    n_queries = 60 if quick else 300
    result: dict = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "quick": quick,
        "encoder": settings.encoder,
    }
    log("Demo-Index bauen …")
    service = MatcherService(settings)
    try:
        service.build(data_dir)
        texts = challenge_texts(data_dir, n_queries)
        log(f"Anfragepfad im Prozess ({len(texts)} Anfragen) …")
        result["query_path"] = query_path.run(service, texts)
        reference = np.vstack(
            [service.indexes.vectors[k].vectors(service.indexes.vectors[k].ids) for k in SEARCHABLE]
        )
    finally:
        service.close()
    log("/match über HTTP (gunicorn) …")
    result["http"] = serving.run(
        settings.home,
        texts,
        workers=settings.workers,
        seconds=4 if quick else 30,
        db_url=settings.db_url,
    )
    encode = result["query_path"]["stages"]["encode"]["p50"]
    result["http"]["ratios"] = {
        "match_p50 / encode_p50": result["http"]["latency_new_text"]["p50"] / encode,
        "match_p99 / encode_p50": result["http"]["latency_new_text"]["p99"] / encode,
    }
    log("Indexieren (leerer Speicher) …")
    with tempfile.TemporaryDirectory(prefix="matcher-bench-") as tmp:
        result["indexing"] = indexing.run(settings, data_dir, Path(tmp), added=5 if quick else 20)
    sizes = sizes or (QUICK_SIZES if quick else FULL_SIZES)
    result["scale"] = []
    for n in sizes:
        log(f"Skalierung: {n:,} synthetische Vektoren …")
        result["scale"].append(scale.measure_size(n, reference, 50 if quick else 200))
    if peer:
        from benchmarks import peer as peer_bench

        log("Vergleich mit txtai …")
        result["peer"] = peer_bench.run(settings)
    result["seconds"] = time.perf_counter() - started
    return result


def _ms(figures: dict) -> str:
    return f"{figures['p50']:7.2f} {figures['p95']:7.2f} {figures['p99']:7.2f}"


def format_report(r: dict) -> str:
    """The figures as a plain-text table."""
    qp = r["query_path"]
    lines = [
        f"matcher bench – {r['date']} – {r['machine']['cpus']} CPUs – encoder {r['encoder']}"
        + (" – quick" if r["quick"] else ""),
        "",
        f"Query path in process ({qp['queries']} queries), ms:   p50     p95     p99",
    ]
    for name, figures in qp["stages"].items():
        lines.append(f"  {name:<26}{_ms(figures)}")
    for name, value in qp["ratios"].items():
        lines.append(f"  {name:<34}{value:6.2f}×")
    h = r["http"]
    lines += [
        "",
        f"/match over HTTP (gunicorn, {h['workers']} workers), ms:  p50     p95     p99",
        f"  {'new text':<26}{_ms(h['latency_new_text'])}",
        f"  {'repeated text':<26}{_ms(h['latency_repeated_text'])}",
    ]
    for name, value in h["ratios"].items():
        lines.append(f"  {name:<34}{value:6.2f}×")
    for label, key in (
        ("repeated texts", "throughput_repeated_texts"),
        ("new texts", "throughput_new_texts"),
    ):
        t = h[key]
        lines.append(
            f"  throughput, {label:<15} {t['per_second']:7.1f}/s ({t['clients']} clients, "
            f"{t['requests']} requests, {t['errors']} errors, p50 {t['latency']['p50']:.1f} ms, "
            f"p99 {t['latency']['p99']:.1f} ms)"
        )
    workers = h["memory"]["workers"]
    lines.append(
        f"  start-up to first answer {h['startup_s']:.1f} s; worker memory "
        + ", ".join(
            f"RSS {w.get('rss_mib', 0):.0f} MiB / PSS {w.get('pss_mib', 0):.0f} MiB"
            for w in workers
        )
    )
    ix = r["indexing"]
    lines += [
        "",
        f"Indexing the demo corpus from empty ({ix['items']} texts):",
        f"  import + encode + index {ix['items_per_s']:.1f} items/s; encoder alone "
        f"{ix['encoder_items_per_s']:.1f} items/s; ratio {ix['ratio_to_encoder']:.2f}",
        f"  add one item to the live index (store + encode + index + save): "
        f"p50 {ix['add_one_item_ms']['p50']:.1f} ms, p99 {ix['add_one_item_ms']['p99']:.1f} ms",
    ]
    for s in r["scale"]:
        lines += [
            "",
            f"Scale: {s['items']:,} synthetic vectors, {s['queries']} queries "
            f"(raw {s['raw_bytes_per_item']:.0f} B/item)",
            f"  {'index':<48}{'build s':>8}{'mem ×raw':>9}{'recall':>8}{'p50 ms':>8}{'p99 ms':>8}",
        ]
        for row in s["rows"]:
            lines.append(
                f"  {row['type']:<48}{row['build_s']:8.1f}{row['memory_ratio']:9.3f}"
                f"{row['recall']:8.3f}{row['ms_p50']:8.2f}{row['ms_p99']:8.2f}"
            )
        sweep = ", ".join(
            f"{x['nprobe']}: {x['recall']:.3f}/{x['ms_p50']:.2f}" for x in s["ivf_sweep"]
        )
        lines.append(f"  IVF nprobe: recall/p50 ms – {sweep}")
    if "peer" in r:
        from benchmarks import peer as peer_bench

        lines += ["", *peer_bench.format_rows(r["peer"])]
    lines += ["", f"total {r['seconds']:.0f} s"]
    return "\n".join(lines)
