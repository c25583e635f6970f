"""Indexing speed: import + encode + index of the demo corpus from empty, as a ratio to the
encoder's raw batch throughput on the same texts, and the time to add one item live."""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.stats import percentiles, timed
from matcher.config import Settings
from matcher.domain.schema import Need, text_of
from matcher.matching.retrieval import SEARCHABLE
from matcher.service import MatcherService


def run(settings: Settings, data_dir: Path, home: Path, added: int = 20) -> dict:
    """Figures for a build in a fresh `home` (empty store and embedding cache)."""
    fresh = settings.model_copy(
        update={"home": home, "db_url": None, "data_dir": data_dir, "progress": False}
    )
    service = MatcherService(fresh)
    try:
        raw = service.encoder.encoder
        raw.encode_query("Aufwärmen")  # load the model outside the timings
        start = time.perf_counter()
        report = service.build(data_dir)
        build_s = time.perf_counter() - start
        texts = [
            text_of(item) for kind in SEARCHABLE for item in service.catalog.items[kind].values()
        ]
        start = time.perf_counter()
        for i in range(0, len(texts), settings.batch_size):
            raw.encode(texts[i : i + settings.batch_size])
        raw_s = time.perf_counter() - start
        # One new need at a time, as a town enters it in the web form.
        town = next(iter(service.catalog.items["municipalities"]))
        add_ms = []
        for i in range(added):
            need = Need(
                id=f"bench-need-{i}",
                municipality=town,
                title=f"Messung Nummer {i}: Bedarf an digitaler Bürgerbeteiligung",
                description=f"Wir suchen Lösung {i} für die Beteiligung am Haushalt online.",
                categories=["verwaltung"],
            )
            _, ms = timed(service.upsert, "needs", [need])
            add_ms.append(ms)
    finally:
        service.close()
    items = len(texts)
    return {
        "items": items,
        "build_s": build_s,
        "items_per_s": items / build_s,
        "encoder_items_per_s": items / raw_s,
        "ratio_to_encoder": (items / build_s) / (items / raw_s),
        "imported": report["imported"],
        "add_one_item_ms": percentiles(add_ms),
    }
