"""Relevance metrics with the contract of sentence-transformers' IR evaluator.

queries {qid: text}, a run {qid: [item ids, best first]}, judgments {qid: {item id: gain}}.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

Run = Mapping[str, Sequence[str]]
Qrels = Mapping[str, Mapping[str, float]]


def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain with exponential gain (2^g − 1)."""
    return sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(gains))


def ndcg_at_k(ranked: Sequence[str], relevant: Mapping[str, float], k: int) -> float:
    """nDCG@k of one ranking."""
    ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([relevant.get(i, 0) for i in ranked[:k]]) / ideal


def mrr_at_k(ranked: Sequence[str], relevant: Mapping[str, float], k: int) -> float:
    """Reciprocal rank of the first relevant item within k."""
    for rank, item in enumerate(ranked[:k], start=1):
        if relevant.get(item, 0) > 0:
            return 1.0 / rank
    return 0.0


def recall_at_k(ranked: Sequence[str], relevant: Mapping[str, float], k: int) -> float:
    """Share of the relevant items found within k."""
    wanted = {i for i, g in relevant.items() if g > 0}
    if not wanted:
        return 0.0
    return len(wanted & set(ranked[:k])) / len(wanted)


def precision_at_k(ranked: Sequence[str], relevant: Mapping[str, float], k: int) -> float:
    """Share of the first k that are relevant."""
    return sum(1 for i in ranked[:k] if relevant.get(i, 0) > 0) / k


METRICS = {"ndcg": ndcg_at_k, "mrr": mrr_at_k, "recall": recall_at_k, "precision": precision_at_k}


def per_query(run: Run, judgments: Qrels, metric: str, k: int) -> dict[str, float]:
    """Metric of each judged query (a query missing from the run scores 0)."""
    fn = METRICS[metric]
    return {q: fn(list(run.get(q, [])), rel, k) for q, rel in judgments.items()}


def evaluate(run: Run, judgments: Qrels, at: Mapping[str, int]) -> dict[str, float]:
    """Mean of each metric, e.g. at={"ndcg": 10, "mrr": 10, "recall": 50} → {"ndcg@10": …}."""
    return {
        f"{m}@{k}": float(
            np.mean(list(per_query(run, judgments, m, k).values())) if judgments else 0.0
        )
        for m, k in at.items()
    }


def bootstrap_ci(
    values: Sequence[float], rounds: int = 1000, level: float = 0.95, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of a mean."""
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return (0.0, 0.0)
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, size=(rounds, data.size))].mean(axis=1)
    lo, hi = np.quantile(means, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(lo), float(hi)


@dataclass
class Judgments:
    """Graded queries: text (or an item id, for leads), kind, asking municipality, and
    relevance {qid: {item id: grade 0–3}}."""

    queries: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    askers: dict[str, str | None] = field(default_factory=dict)
    relevant: dict[str, dict[str, float]] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[str]:
        """Query ids of one kind."""
        return [q for q, k in self.kinds.items() if k == kind]


JUDGMENT_COLUMNS = {"query_id", "query", "kind", "item_id", "grade"}


def read_judgments(paths: Sequence[Path]) -> Judgments:
    """Judgment CSVs with columns query_id, query, kind, item_id, grade (0–3) and an optional
    municipality (the asker)."""
    out = Judgments()
    for path in paths:
        with Path(path).open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = JUDGMENT_COLUMNS - set(reader.fieldnames or [])
            if missing:
                raise ValueError(f"{path}: missing columns {sorted(missing)}")
            for row in reader:
                qid = row["query_id"]
                grade = float(row["grade"])
                if not 0 <= grade <= 3:
                    raise ValueError(f"{path}: grade {grade} of {qid} is not within 0–3")
                out.queries[qid] = row["query"]
                out.kinds[qid] = row["kind"]
                out.askers[qid] = row.get("municipality") or None
                out.relevant.setdefault(qid, {})[row["item_id"]] = grade
    return out


def compare(
    per_system: Mapping[str, Mapping[str, Mapping[str, float]]], baseline: str, rounds: int = 1000
) -> list[dict]:
    """Rows of a side-by-side table: per system the mean of each metric with its bootstrap CI,
    and the paired difference of each metric to `baseline` with its CI.
    `per_system[system][metric][qid]` holds per-query values."""
    rows = []
    for system, metrics in per_system.items():
        row: dict = {"system": system}
        for metric, values in metrics.items():
            qids = list(values)
            vals = [values[q] for q in qids]
            row[metric] = float(np.mean(vals)) if vals else 0.0
            row[f"{metric}_ci"] = bootstrap_ci(vals, rounds)
            base = per_system[baseline][metric]
            diff = [values[q] - base[q] for q in qids]
            row[f"{metric}_delta"] = float(np.mean(diff)) if diff else 0.0
            row[f"{metric}_delta_ci"] = bootstrap_ci(diff, rounds)
        row["queries"] = len(next(iter(metrics.values()), {}))
        rows.append(row)
    return rows


# A column of a comparison table: the row's key, its heading and its width.
Column = tuple[str, str, int]


def format_comparison(
    rows: Sequence[Mapping],
    labels: Sequence[Column],
    metrics: Sequence[Column],
    delta: str,
    delta_heading: str,
) -> list[str]:
    """The lines of a side-by-side table of `compare`-style rows: the label columns, nDCG@10
    with its 95% CI, the other `metrics`, and the difference `delta` (a key of the rows, with
    its CI under `delta`_ci) against the baseline."""
    head = (
        " ".join(f"{title:{width}s}" for _, title, width in labels)
        + f" {'nDCG@10 [95% CI]':>22s}"
        + "".join(f" {title:>{width}s}" for _, title, width in metrics)
        + f"   {delta_heading:>26s}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lo, hi = r["ndcg@10_ci"]
        dlo, dhi = r[f"{delta}_ci"]
        ndcg = f"{r['ndcg@10']:.3f} [{lo:.3f}, {hi:.3f}]"
        lines.append(
            " ".join(f"{r[key]:{width}s}" for key, _, width in labels)
            + f" {ndcg:>22s}"
            + "".join(f" {r[key]:{width}.3f}" for key, _, width in metrics)
            + f"   {r[delta]:+.3f} [{dlo:+.3f}, {dhi:+.3f}]"
        )
    return lines
