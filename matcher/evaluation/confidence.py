"""Calibrated confidence on the judgments: the examples it is fitted on, the fit per kind of
result, and how sure „hoch“ is on the held-out half.

An example is one result of a judged query as the service ranks it (the first `DEPTH`), with
the signals its probability reads (a peer or a lead may have several parts: its best project
and its best need, or each matching need; the probability is the largest) and the grades of
both judges. The model of a kind is fitted on the tune half (`judgments.split`), each judge's
grade a row of its own, so a pair both judges graded counts once; the line of „hoch“ is the
loosest that keeps `calibration.WANTED_PRECISION` on the tune half's shown results (`SHOWN`).
Figures are reported on the held-out half: count and precision of „hoch“ among the shown
results, and the expected calibration error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from matcher.evaluation import judgments as judged
from matcher.evaluation import metrics as ev
from matcher.evaluation.agreement import RELEVANT_FROM
from matcher.matching.leads import ranked as ranked_leads
from matcher.matching.peers import peer_signals, rank_peers
from matcher.matching.projects import rank_projects
from matcher.matching.providers import rank_providers
from matcher.matching.reasons import confidence as shown_as
from matcher.ranking import calibration as cal
from matcher.ranking.config import CALIBRATED_KINDS, Calibration, RankingConfig
from matcher.service import MatcherService

SHOWN = 10  # results a list shows: „hoch“ is judged on these
DEPTH = judged.DEPTH  # results per query the model is fitted on
# The signals each kind's model reads (a signal that is 0 everywhere is left out by the fit).
FEATURES: dict[str, tuple[str, ...]] = {
    "projects": ("dense", "lexical", "category", "topic", "title", "behind", "sentence", "margin"),
    "providers": (
        "dense",
        "lexical",
        "topic",
        "title",
        "behind",
        "offering",
        "reference",
        "margin",
    ),
    "municipalities": ("dense", "lexical", "topic", "title", "behind", "need", "together"),
    "leads": ("dense", "lexical", "topic", "title", "behind", "sentence"),
}
# Kinds whose results have a middle level (`mittel`, shown without a mark) below „hoch“.
UNFOLDED_KINDS = ("projects", "providers", "municipalities")
# The order in which kinds are fitted: a provider reads its reference projects' probability.
ORDER = ("projects", "providers", "municipalities", "leads")
# While a kind is fitted, its list still needs signals: a model that reads nothing and
# confirms nothing (the ranking then orders it by score alone).
UNFITTED = Calibration(features=[], coef=[], intercept=0.0, line=1.0, trained_on="unfitted")


@dataclass
class Example:
    """One shown result of a judged query."""

    qid: str
    kind: str
    item_id: str
    rank: int
    parts: list[dict[str, float]]
    grades: list[float]  # the first judge's grade (0 when ungraded), the second's if any
    confident: bool
    probability: float | None = None
    shown: bool = False  # „hoch“ or `mittel`: not folded away as „unsicher“
    extra: dict = field(default_factory=dict)

    @property
    def relevant(self) -> bool:
        """Relevant by the first judge (as the metrics count it)."""
        return self.grades[0] >= RELEVANT_FROM


def with_unfitted(config: RankingConfig, kinds: Sequence[str] = CALIBRATED_KINDS) -> RankingConfig:
    """The config with a placeholder model for each of `kinds` that has none (signals are
    computed, nothing is confident by it)."""
    models = {k: config.calibration.get(k, UNFITTED) for k in kinds}
    return config.model_copy(update={"calibration": {**config.calibration, **models}})


def without(config: RankingConfig) -> RankingConfig:
    """The config with no calibration: confidence by the old rules."""
    return config.model_copy(update={"calibration": {}})


def _results(service: MatcherService, config: RankingConfig, kind: str, text: str, asker):
    """(id, parts, confident, probability, strong) of the first `DEPTH` results of one query
    (a lead is never strong: it is „hoch“ or „niedrig“)."""
    matcher = service.matcher(config)
    if kind == "leads":
        found = matcher.lead_matches(text)[3]
        return [
            (
                x.town.id,
                [n.scored.signals for n in x.needs if n.scored.signals] or [{}],
                x.confident,
                x.probability,
                False,
            )
            for x in ranked_leads(found, DEPTH)
        ]
    ctx = matcher.context(service.query(text, asker))
    if kind == "projects":
        return [
            (s.id, [s.signals], s.confident, s.probability, bool(s.strong))
            for s in rank_projects(ctx)[:DEPTH]
        ]
    if kind == "providers":
        return [
            (r.provider_id, [r.signals], r.confident, r.probability, r.strong)
            for r in rank_providers(ctx)[:DEPTH]
        ]
    return [
        (r.town.id, list(peer_signals(r).values()) or [{}], r.confident, r.probability, r.strong)
        for r in rank_peers(ctx)[:DEPTH]
    ]


def examples(
    service: MatcherService,
    judgments: ev.Judgments,
    second: Mapping[str, Mapping[str, float]],
    config: RankingConfig,
    qids: Sequence[str],
) -> list[Example]:
    """The first `DEPTH` results of each query under `config`, with both judges' grades."""
    out = []
    for q in qids:
        kind, text, asker = judgments.kinds[q], judgments.queries[q], judgments.askers[q]
        shown_from = cal.shown_line(config.calibration.get(kind), config.shown_probability)
        with service.exclusive():
            found = _results(service, config, kind, text, asker)
        for rank, (item_id, parts, confident, chance, strong) in enumerate(found):
            grades = [judgments.relevant[q].get(item_id, 0.0)]
            if q in second and item_id in second[q]:
                grades.append(second[q][item_id])
            # (A lead is never strong: „hoch“ or „unsicher“, as `reasons.lead_result` shows it.)
            shown = shown_as(confident, strong, chance, shown_from) != "niedrig"
            out.append(Example(q, kind, item_id, rank, parts, grades, confident, chance, shown))
    return out


def fit_kind(found: Sequence[Example], kind: str, note: str = "") -> Calibration:
    """The model of one kind from its examples: every part of a result a row, weighted so
    that each result counts once per judge; the line chosen on the shown results."""
    rows, labels, weights = [], [], []
    for x in found:
        for part in x.parts:
            for grade in x.grades:
                rows.append(part)
                labels.append(int(grade >= RELEVANT_FROM))
                weights.append(1.0 / (len(x.parts) * len(x.grades)))
    names = [f for f in FEATURES[kind] if any(r.get(f) for r in rows)]
    model = cal.fit(rows, labels, names, weights, note)
    shown = [x for x in found if x.rank < SHOWN]
    chances = [max(cal.probability(model, p) for p in x.parts) for x in shown]
    relevant = [x.relevant for x in shown]
    line = cal.choose_line(chances, relevant)
    sure = cal.sure(chances, relevant, line)
    # The line of what is shown at all lies at or below „hoch“'s.
    shown_from = (
        min(line, cal.choose_line(chances, relevant, wanted=cal.SHOWN_PRECISION))
        if kind in UNFOLDED_KINDS
        else None
    )
    unfolded = cal.sure(chances, relevant, line if shown_from is None else shown_from)
    metrics = {
        "tune_hoch": float(sure["count"]),
        "tune_hoch_precision": round(sure["precision"], 4),
        "tune_shown": float(unfolded["count"]),
        "tune_shown_precision": round(unfolded["precision"], 4),
        "tune_ece": round(cal.expected_calibration_error(chances, relevant), 4),
    }
    return model.model_copy(update={"line": line, "shown": shown_from, "metrics": metrics})


def fit(
    service: MatcherService,
    judgments: ev.Judgments,
    second: Mapping[str, Mapping[str, float]],
    config: RankingConfig,
    note: str = "",
) -> RankingConfig:
    """`config` with every kind's calibration fitted on the tune half (kinds in `ORDER`, each
    with the ones before it in force)."""
    fitted = without(config)
    for kind in ORDER:
        tune, _ = judged.split(judgments.of_kind(kind))
        if not tune:
            continue
        found = examples(service, judgments, second, with_unfitted(fitted, [kind]), tune)
        fitted = _with(fitted, kind, fit_kind(found, kind, note))
    return fitted


def _with(config: RankingConfig, kind: str, model: Calibration) -> RankingConfig:
    return config.model_copy(update={"calibration": {**config.calibration, kind: model}})


def report(found: Sequence[Example]) -> dict[str, float]:
    """Count and precision of „hoch“ among the shown results and of those not folded away
    („hoch“ or `mittel`), and the expected calibration error of those that have a
    probability."""
    shown = [x for x in found if x.rank < SHOWN]
    sure = [x for x in shown if x.confident]
    unfolded = [x for x in shown if x.shown]
    out = {
        "results": float(len(shown)),
        "hoch": float(len(sure)),
        "hoch_precision": sum(x.relevant for x in sure) / len(sure) if sure else 0.0,
        "shown": float(len(unfolded)),
        "shown_precision": sum(x.relevant for x in unfolded) / len(unfolded) if unfolded else 0.0,
    }
    known = [x for x in shown if x.probability is not None]  # (a look-alike lead has none)
    if known:
        out["ece"] = cal.expected_calibration_error(
            [x.probability or 0.0 for x in known], [x.relevant for x in known]
        )
    return out


def ndcg(found: Sequence[Example], judgments: ev.Judgments) -> float:
    """Mean nDCG@10 of the queries of the examples, in the order they were ranked (the same
    lists the metrics read: `judgments.ranked`)."""
    runs: dict[str, list[str]] = {}
    for x in sorted(found, key=lambda x: (x.qid, x.rank)):
        runs.setdefault(x.qid, []).append(x.item_id)
    qids = sorted({x.qid for x in found})
    values = ev.per_query(runs, {q: judgments.relevant[q] for q in qids}, "ndcg", 10)
    return sum(values.values()) / len(values) if values else 0.0


def measured(
    service: MatcherService,
    judgments: ev.Judgments,
    second: Mapping[str, Mapping[str, float]],
    config: RankingConfig,
    split: str = "held-out",
) -> dict[str, dict[str, float]]:
    """Per kind: `report` of `config` on one half of the judgments."""
    out = {}
    for kind in CALIBRATED_KINDS:
        qids = _half(judgments.of_kind(kind), split)
        if qids:
            out[kind] = report(examples(service, judgments, second, config, qids))
    return out


def table(
    service: MatcherService,
    judgments: ev.Judgments,
    second: Mapping[str, Mapping[str, float]],
    config: RankingConfig,
    split: str = "held-out",
) -> dict[str, dict[str, dict[str, float]]]:
    """Per kind: `report` of the calibrated config and of the old rules (no calibration)."""
    found = {
        name: measured(service, judgments, second, cfg, split)
        for name, cfg in (("calibrated", config), ("rules", without(config)))
    }
    return {
        kind: {name: figures[kind] for name, figures in found.items()}
        for kind in found["calibrated"]
    }


def format_lines(
    figures: Mapping[str, Mapping[str, float]], split: str, label: str = ""
) -> list[str]:
    """The confidence of one kind (`table`) as lines of text."""
    lines = []
    for name, numbers in figures.items():
        lines.append(f"  {label}{name:10s} " + format_line(numbers) + f" ({split})")
    return lines


def _half(qids: Sequence[str], split: str) -> list[str]:
    tune, held_out = judged.split(qids)
    return {"held-out": held_out, "tune": tune, "all": list(qids)}[split]


def format_line(figures: Mapping[str, float], label: str = "") -> str:
    """'„hoch“ 41 of 180 shown, precision 0.93; unfolded 60, precision 0.78; ECE 0.041'."""
    ece = f"; ECE {figures['ece']:.3f}" if "ece" in figures else "; ECE –"
    unfolded = (
        f"; unfolded {int(figures['shown'])}, precision {figures['shown_precision']:.3f}"
        if "shown" in figures
        else ""
    )
    return (
        f"{label}„hoch“ {int(figures['hoch'])} of {int(figures['results'])} shown, "
        f"precision {figures['hoch_precision']:.3f}{unfolded}{ece}"
    )
