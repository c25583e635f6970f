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

from matcher.evaluation import judgments as judged
from matcher.evaluation import metrics as ev
from matcher.ranking.config import RankingConfig
from matcher.service import MatcherService

METRIC = "ndcg@10"


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
