"""`matcher bench`: every benchmark in one run, printed as a table and written as JSON."""

from __future__ import annotations

import datetime as dt
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks import encoder_alone, goals, indexing, query_path, scale, serving, startup
from benchmarks.queries import challenge_texts
from matcher.config import Settings
from matcher.embeddings import create_encoder
from matcher.matching.retrieval import SEARCHABLE
from matcher.service import MatcherService

QUICK_SIZES = [10_000]
FULL_SIZES = [10_000, 100_000, 1_000_000]
# `matcher serve` start-up and memory on a catalog of this many synthetic projects (the goal is
# judged at 100k; --quick measures a small catalog, which it reports but cannot judge).
QUICK_STARTUP_SIZES = [10_000]
FULL_STARTUP_SIZES = [100_000]


def run(
    settings: Settings,
    quick: bool = False,
    sizes: list[int] | None = None,
    peer: bool = False,
    log=print,
    startup_sizes: list[int] | None = None,
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
    log("/match über HTTP (gunicorn), daneben der Encoder allein …")
    seconds = 4 if quick else 30
    # The encoder as a worker has it (cores ÷ workers threads), timed beside each request,
    # and as many encoder processes as workers, in rounds between the server's.
    threads = settings.encoder_threads or max(1, (os.cpu_count() or 1) // settings.workers)
    worker_encoder = create_encoder(settings.encoder, threads)
    worker_encoder.encode_query("Aufwärmen")
    alone = encoder_alone.EncoderProcesses(settings.encoder, texts, settings.workers, threads)
    try:
        result["http"] = serving.run(
            settings.home,
            texts,
            workers=settings.workers,
            seconds=seconds,
            db_url=settings.db_url,
            encoder=worker_encoder,
            alone=alone,
            encoder_name=settings.encoder,
        )
    finally:
        alone.close()
    del worker_encoder
    encode = result["http"]["encode_side_by_side"]["p50"]
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
    result["startup"] = []
    for n in startup_sizes or (QUICK_STARTUP_SIZES if quick else FULL_STARTUP_SIZES):
        log(f"Start von `matcher serve` mit {n:,} synthetischen Projekten …")
        with tempfile.TemporaryDirectory(prefix="matcher-bench-start-") as tmp:
            result["startup"].append(
                startup.measure(settings, Path(tmp), n, reference, texts[0], settings.workers)
            )
    if peer:
        from benchmarks import peer as peer_bench

        log("Vergleich mit txtai …")
        result["peer"] = peer_bench.run(settings)
    result["seconds"] = time.perf_counter() - started
    result["goals"] = [g.as_dict() for g in goals.evaluate(result)]
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
        f"  {'encoder, beside each':<26}{_ms(h['encode_side_by_side'])}",
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
    alone = h["encoder_alone"]
    lines.append(
        f"  encoder alone, new texts    {alone['per_second']:7.1f}/s ({alone['processes']} "
        f"processes × {alone['threads']} threads, one text at a time, in rounds between "
        "the server's)"
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
    for st in r.get("startup", []):
        lines += [
            "",
            f"`matcher serve` on {st['items']:,} synthetic projects ({st['workers']} workers): "
            f"first answer after {st['startup_s']:.1f} s",
            "  worker memory "
            + ", ".join(
                f"RSS {w.get('rss_mib', 0):.0f} MiB / PSS {w.get('pss_mib', 0):.0f} MiB"
                for w in st["memory"]["workers"]
            )
            + f" (preparing: store {st['store_s']:.0f} s, index {st['index_s']:.0f} s)",
        ]
    if "peer" in r:
        from benchmarks import peer as peer_bench

        lines += ["", *peer_bench.format_rows(r["peer"])]
    lines += ["", *goals.format_goals(goals.evaluate(r))]
    lines += ["", f"total {r['seconds']:.0f} s"]
    return "\n".join(lines)
