"""Weight sweeps that choose on one half of the judgments and report on the other.

A grid over one section of the ranking config (e.g. `providers`, `leads`, `municipalities`)
is scored on the tune split of one kind's queries (`judgments.split`); the best setting is
then measured once on the held-out split, side by side with the current one, so the figure
that is reported was not used to choose it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np

from matcher.evaluation import external as ext
from matcher.evaluation import judgments as judged
from matcher.evaluation import metrics as ev
from matcher.ranking.config import RankingConfig
from matcher.service import MatcherService

METRIC = "ndcg@10"
EXTERNAL_DEPTH = 10  # results of an external query that nDCG@10 reads


def with_section(config: RankingConfig, section: str, values: Mapping[str, float]) -> RankingConfig:
    """A copy of the config with some fields of one section (`weights`, `providers`, …) set."""
    part = getattr(config, section).model_copy(update=dict(values))
    return config.model_copy(update={section: part})


def _mean(
    service: MatcherService, judgments: ev.Judgments, config: RankingConfig, qids: list[str]
) -> float:
    values = judged.per_query(judged.run(service, judgments, config, qids), judgments, qids)
    return float(np.mean(list(values[METRIC].values()))) if qids else 0.0


def grid_search(
    service: MatcherService,
    judgments: ev.Judgments,
    kind: str,
    section: str,
    grid: Mapping[str, Sequence[float]],
) -> dict:
    """Every combination of `grid` scored on the tune split; the best (ties: the current
    config's values win, then the first) measured on the held-out split against the current
    config, with the paired bootstrap CI of the difference."""
    tune, held_out = judged.split(judgments.of_kind(kind))
    current = service.ranking
    base_values = {k: getattr(getattr(current, section), k) for k in grid}
    tried = []
    for combo in itertools.product(*grid.values()):
        values = dict(zip(grid, combo, strict=True))
        score = _mean(service, judgments, with_section(current, section, values), tune)
        tried.append((score, values == base_values, values))
    best_score, _, best = max(tried, key=lambda t: (round(t[0], 6), t[1]))
    base_score = next((s for s, is_base, _ in tried if is_base), None) or _mean(
        service, judgments, current, tune
    )
    chosen = with_section(current, section, best)
    per_system = {
        name: judged.per_query(judged.run(service, judgments, cfg, held_out), judgments, held_out)
        for name, cfg in (("current", current), ("tuned", chosen))
    }
    rows = ev.compare(per_system, baseline="current")
    return {
        "kind": kind,
        "section": section,
        "tune_queries": len(tune),
        "held_out_queries": len(held_out),
        "current": base_values,
        "best": best,
        "tune_best": best_score,
        "tune_current": base_score,
        "held_out": {r["system"]: r for r in rows},
        "tried": [(s, v) for s, _, v in tried],
    }


def _external_mean(
    systems: ext.Systems, qrels: Mapping[str, Mapping[str, float]], config: RankingConfig
) -> dict[str, float]:
    """nDCG@10 of the hybrid on each external query under `config`."""
    ranked = systems.with_config(config)
    position = {i: n for n, i in enumerate(systems.corpus.ids)}
    run = {q: ranked.rank("hybrid", position[q], EXTERNAL_DEPTH) for q in qrels}
    return ev.per_query(run, qrels, "ndcg", 10)


def _external_key(config: RankingConfig) -> tuple:
    """What the external hybrid reads of a config: the text fit and retrieval (its rows have
    no categories, places or providers, so the structured features are 0 there)."""
    w = config.weights
    return (
        w.dense,
        w.lexical,
        config.lexical_saturation,
        config.candidates,
        config.exact_terms_max,
    )


def joint_search(
    service: MatcherService,
    judgments: ev.Judgments,
    systems: ext.Systems,
    qrels: Mapping[str, Mapping[str, float]],
    grid: Mapping[str, Sequence[float]],
    section: str = "weights",
    kind: str = "projects",
) -> dict:
    """One choice on both sets: every combination of `grid` scored on the tune half of the
    demo judgments of `kind` and on the tune half of the external set (`external.split`, by
    publisher), by the mean of the two nDCG@10 (ties: the current values, then the first); the
    current and the chosen config then measured on both held-out halves."""
    tune, held_out = judged.split(judgments.of_kind(kind))
    ext_tune, ext_held = ext.split(systems.corpus, list(qrels))
    current = service.ranking
    base_values = {k: getattr(getattr(current, section), k) for k in grid}
    tried = []
    known: dict[tuple, float] = {}  # the external mean by what its hybrid reads
    for combo in itertools.product(*grid.values()):
        values = dict(zip(grid, combo, strict=True))
        config = with_section(current, section, values)
        demo = _mean(service, judgments, config, tune)
        key = _external_key(config)
        if key not in known:
            outside = _external_mean(systems, {q: qrels[q] for q in ext_tune}, config)
            known[key] = float(np.mean(list(outside.values()))) if outside else 0.0
        external = known[key]
        tried.append(((demo + external) / 2, values == base_values, values, demo, external))
    best = max(tried, key=lambda t: (round(t[0], 6), t[1]))
    chosen = with_section(current, section, best[2])
    held = {
        name: judged.per_query(judged.run(service, judgments, cfg, held_out), judgments, held_out)
        for name, cfg in (("current", current), ("chosen", chosen))
    }
    outside_held = {q: qrels[q] for q in ext_held}
    external_held = {
        name: {"ndcg@10": _external_mean(systems, outside_held, cfg)}
        for name, cfg in (("current", current), ("chosen", chosen))
    }
    return {
        "kind": kind,
        "section": section,
        "current": base_values,
        "best": best[2],
        "tune": {"objective": best[0], "demo": best[3], "external": best[4]},
        "held_out": {r["system"]: r for r in ev.compare(held, baseline="current")},
        "external_held_out": {
            r["system"]: r for r in ev.compare(external_held, baseline="current")
        },
        "tried": [(t[0], t[3], t[4], t[2]) for t in tried],
    }
