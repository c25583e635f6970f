"""How far two independent judges agree, and whether the figures hold under the second one.

The second judge graded a fixed share of each kind's queries blind (`tools/second_judge.py`
writes the pools: the top 10 of BM25, dense and the hybrid plus everything the first judge
graded, shuffled, without grades). Agreement is Cohen's kappa over every pooled (query, item)
pair, an item the first judge did not grade counting as 0 for the first judge.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from sklearn.metrics import cohen_kappa_score

from matcher.evaluation import metrics as ev

SECOND_DIR = "second"
SECOND_COLUMNS = {"query_id", "item_id", "grade"}
# A grade from here on counts as relevant in the binary kappa (as in the metrics' recall).
RELEVANT_FROM = 2


def read_second(data_dir: Path) -> dict[str, dict[str, float]]:
    """The second judge's grades {qid: {item id: grade}} (empty if there are none)."""
    out: dict[str, dict[str, float]] = {}
    for path in sorted((Path(data_dir) / "judgments" / SECOND_DIR).glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = SECOND_COLUMNS - set(reader.fieldnames or [])
            if missing:
                raise ValueError(f"{path}: missing columns {sorted(missing)}")
            for row in reader:
                grade = float(row["grade"])
                if not 0 <= grade <= 3:
                    raise ValueError(f"{path}: grade {grade} of {row['query_id']} not within 0–3")
                out.setdefault(row["query_id"], {})[row["item_id"]] = grade
    return out


def kappa(first: Mapping[str, Mapping[str, float]], second: Mapping[str, Mapping[str, float]]):
    """Agreement over every pair the second judge graded: pairs, exact agreement, Cohen's kappa
    on the four grades, quadratic-weighted kappa, and kappa on relevant (≥ 2) or not."""
    a, b = [], []
    for qid, grades in second.items():
        for item, grade in grades.items():
            a.append(int(first.get(qid, {}).get(item, 0)))
            b.append(int(grade))
    if not a:
        return {"pairs": 0}
    x, y = np.array(a), np.array(b)
    both_binary = (x >= RELEVANT_FROM).astype(int), (y >= RELEVANT_FROM).astype(int)
    return {
        "queries": len(second),
        "pairs": len(a),
        "exact": float(np.mean(x == y)),
        "kappa": float(cohen_kappa_score(x, y, labels=[0, 1, 2, 3])),
        "kappa_quadratic": float(cohen_kappa_score(x, y, labels=[0, 1, 2, 3], weights="quadratic")),
        "kappa_relevant": float(cohen_kappa_score(*both_binary, labels=[0, 1])),
    }


def table(
    judgments: ev.Judgments,
    second: Mapping[str, Mapping[str, float]],
    runs: Mapping[str, Mapping[str, list[str]]],
    kinds: tuple[str, ...],
) -> list[dict]:
    """Per kind: agreement, and nDCG@10 of each system's run under either judge on the
    queries both graded. `runs[system][qid]` are the systems' rankings."""
    rows = []
    for kind in kinds:
        qids = [q for q in judgments.of_kind(kind) if q in second]
        if not qids:
            continue
        row: dict = {"kind": kind, **kappa(judgments.relevant, {q: second[q] for q in qids})}
        for system, run in runs.items():
            for judge, qrels in (("first", judgments.relevant), ("second", second)):
                values = ev.per_query(run, {q: qrels.get(q, {}) for q in qids}, "ndcg", 10)
                row[f"{system}_{judge}"] = float(np.mean(list(values.values())))
        rows.append(row)
    return rows


def format_table(rows: list[dict], systems: list[str]) -> str:
    """The agreement table as text."""
    if not rows:
        return "no second judgments (matcher/data/judgments/second/)"
    head = (
        f"{'kind':15s} {'queries':>7s} {'pairs':>6s} {'exact':>6s} {'kappa':>6s} "
        f"{'κ quadr.':>8s} {'κ ≥2':>6s}   " + "  ".join(f"{s + ' 1st/2nd':>15s}" for s in systems)
    )
    lines = ["nDCG@10 under the first and the second judge, and their agreement", head]
    lines.append("-" * len(head))
    for r in rows:
        lines.append(
            f"{r['kind']:15s} {r['queries']:7d} {r['pairs']:6d} {r['exact']:6.2f} "
            f"{r['kappa']:6.2f} {r['kappa_quadratic']:8.2f} {r['kappa_relevant']:6.2f}   "
            + "  ".join(f"{r[f'{s}_first']:7.3f}/{r[f'{s}_second']:.3f}".rjust(15) for s in systems)
        )
    return "\n".join(lines)
