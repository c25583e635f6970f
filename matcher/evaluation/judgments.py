"""Relevance on the hand-graded demo judgments: systems side by side, sweeps, and the
training data of the learned ranker. The systems are ranking configs run through the real
service, so what is measured is what users get."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from matcher.domain.errors import MatcherError
from matcher.evaluation import metrics as ev
from matcher.evaluation.agreement import RELEVANT_FROM
from matcher.matching.matcher import Matcher
from matcher.matching.results import MunicipalityResult, ProjectResult, ProviderResult
from matcher.ranking.config import RankingConfig, Weights
from matcher.ranking.features import FEATURES
from matcher.ranking.fusion import feature_vector
from matcher.service import MatcherService

AT = {"ndcg": 10, "mrr": 10, "recall": 10, "precision": 5}
KINDS = ("projects", "providers", "municipalities", "leads")
DEPTH = 20


def _draw(qid: str) -> int:
    """A stable pseudo-random number of a query id (the same on every machine and run, and
    unchanged when other queries are added)."""
    return int(hashlib.sha256(qid.encode("utf-8")).hexdigest()[:8], 16)


def split(qids: Sequence[str]) -> tuple[list[str], list[str]]:
    """(tune, held_out): weights are chosen on the first half and reported on the second.
    A query's side depends on its id alone."""
    tune = [q for q in qids if _draw(q) % 2 == 0]
    held_out = [q for q in qids if _draw(q) % 2 == 1]
    return tune, held_out


def second_judge_share(qids: Sequence[str], share: float = 0.4) -> list[str]:
    """The queries a second judge grades: a fixed pseudo-random `share` of them (at least
    one), drawn by id so that the choice does not depend on the order or on the results."""
    ranked = sorted(qids, key=lambda q: (_draw("second:" + q), q))
    return sorted(ranked[: max(1, round(len(ranked) * share + 0.4999))])


def judgment_files(data_dir: Path) -> list[Path]:
    """The judgment CSVs of a corpus directory."""
    return sorted((Path(data_dir) / "judgments").glob("*.csv"))


def load(data_dir: Path) -> ev.Judgments:
    """All judgments of a corpus directory."""
    files = judgment_files(data_dir)
    if not files:
        raise MatcherError(f"no judgments in {Path(data_dir) / 'judgments'}")
    return ev.read_judgments(files)


def baselines(current: RankingConfig) -> dict[str, RankingConfig]:
    """BM25 only and dense only (no features, no floor), and the current hybrid."""
    off = {"min_score": -1.0, "item_min_score": -1.0, "ranker": "weights"}
    no_features = dict.fromkeys(FEATURES, 0.0)
    return {
        "bm25": current.model_copy(
            update={**off, "weights": Weights(dense=0.0, lexical=1.0, **no_features)}
        ),
        "dense": current.model_copy(
            update={**off, "weights": Weights(dense=1.0, lexical=0.0, **no_features)}
        ),
        "hybrid": current,
    }


def ranked(
    service: MatcherService,
    matcher: Matcher,
    kind: str,
    query: str,
    asker: str | None,
    k: int = DEPTH,
) -> list[str]:
    """Ids a matcher returns for one judged query (the query encoded by the service)."""
    if kind == "leads":
        return [lead.id for lead in matcher.leads(query, k).leads]
    found = matcher.match(service.query(query, asker), [kind], k)
    items: list[ProjectResult] | list[MunicipalityResult] | list[ProviderResult] = getattr(
        found, kind
    )
    return [r.id for r in items]


def run(
    service: MatcherService, judgments: ev.Judgments, config: RankingConfig, qids: list[str]
) -> dict[str, list[str]]:
    """The ranking of each query under a config, by a matcher of its own (the service's
    config, and what its users get, stay as they are). Each query holds the service's lock
    alone, over the data as it is then: in a server, writes and other requests go on between
    the queries of an evaluation instead of waiting for all of it (about 20 s)."""
    found = {}
    for q in qids:
        with service.exclusive():
            matcher = service.matcher(config)
            kind, text, asker = judgments.kinds[q], judgments.queries[q], judgments.askers[q]
            found[q] = ranked(service, matcher, kind, text, asker)
    return found


def per_query(
    run_: Mapping[str, list[str]], judgments: ev.Judgments, qids: list[str]
) -> dict[str, dict[str, float]]:
    """metric@k → {qid: value}."""
    rel = {q: judgments.relevant[q] for q in qids}
    return {f"{m}@{k}": ev.per_query(run_, rel, m, k) for m, k in AT.items()}


def score(
    service: MatcherService, judgments: ev.Judgments, config: RankingConfig, kind: str = "projects"
) -> dict[str, float]:
    """Mean metrics of a config on one kind's queries (for sweeps)."""
    qids = judgments.of_kind(kind)
    values = per_query(run(service, judgments, config, qids), judgments, qids)
    return {m: float(np.mean(list(v.values()))) for m, v in values.items()}


def table(
    service: MatcherService,
    judgments: ev.Judgments,
    candidates: Mapping[str, RankingConfig] | None = None,
) -> dict[str, list[dict]]:
    """Per kind: baselines, the current hybrid and any candidates, with differences to the
    hybrid and bootstrap CIs."""
    systems = {**baselines(service.ranking), **(candidates or {})}
    out = {}
    for kind in KINDS:
        qids = judgments.of_kind(kind)
        if not qids:
            continue
        per_system = {
            name: per_query(run(service, judgments, cfg, qids), judgments, qids)
            for name, cfg in systems.items()
        }
        out[kind] = ev.compare(per_system, baseline="hybrid")
    return out


def format_table(tables: Mapping[str, list[dict]]) -> str:
    """The side-by-side text table."""
    lines = []
    metrics = (("mrr@10", "MRR@10", 7), ("recall@10", "R@10", 6), ("precision@5", "P@5", 6))
    for kind, rows in tables.items():
        lines.append(f"\n{kind} ({rows[0]['queries']} queries)")
        lines += ev.format_comparison(
            rows, (("system", "system", 10),), metrics, "ndcg@10_delta", "ΔnDCG vs hybrid [95% CI]"
        )
    return "\n".join(lines)


# -- learned ranker -------------------------------------------------------------------------


def project_examples(
    service: MatcherService, text: str, asker: str | None, include: tuple[str, ...] = ()
) -> dict[str, dict[str, float]]:
    """Feature vectors of the retrieved project candidates of a query (and of `include`)."""
    ctx = service.matcher().context(service.query(text, asker))
    return {c.id: feature_vector(c, ctx.config) for c in ctx.project_candidates(include)}


def training_data(
    service: MatcherService,
    judgments: ev.Judgments,
    qids: list[str],
    feedback: list[dict] | None = None,
) -> tuple[list[dict], list[int]]:
    """(feature rows, labels) from project judgments (grade ≥ 2 relevant; unjudged retrieved
    candidates irrelevant) and from feedback on projects."""
    rows, labels = [], []
    for q in qids:
        rel = judgments.relevant[q]
        for item_id, x in project_examples(
            service, judgments.queries[q], judgments.askers[q]
        ).items():
            rows.append(x)
            labels.append(int(rel.get(item_id, 0) >= RELEVANT_FROM))
    for fb in feedback or []:
        if fb["item_kind"] != "projects" or len(fb["query"].strip()) < 3:
            continue
        rated = project_examples(service, fb["query"], None, (fb["item_id"],)).get(fb["item_id"])
        if rated is not None:
            rows.append(rated)
            labels.append(int(fb["verdict"] == "passt"))
    return rows, labels


def cross_validated_learned(
    service: MatcherService,
    judgments: ev.Judgments,
    folds: int = 5,
    feedback: list[dict] | None = None,
    seed: int = 0,
) -> dict[str, dict[str, float]]:
    """Per-query metrics of the learned ranker on project queries, each query ranked by a
    model trained without it (k-fold by query), so the figures are honest."""
    from matcher.ranking.learn import fit_ranker

    qids = judgments.of_kind("projects")
    order = np.random.default_rng(seed).permutation(len(qids))
    groups = [[qids[i] for i in order[f::folds]] for f in range(folds)]
    merged: dict[str, list[str]] = {}
    for held_out in groups:
        train = [q for q in qids if q not in held_out]
        rows, labels = training_data(service, judgments, train, feedback)
        config = service.ranking.model_copy(
            update={"ranker": "learned", "learned": fit_ranker(rows, labels)}
        )
        merged.update(run(service, judgments, config, held_out))
    return per_query(merged, judgments, qids)
