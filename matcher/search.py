"""Ranking of projects, providers and municipalities for a challenge.

Composes the retrievers (FAISS, BM25), the structured features, the fusion and the
diversity rule; every result carries its score components and reasons (see explain.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from matcher import explain
from matcher.domain.catalog import Catalog
from matcher.domain.schema import Filters, Municipality, Need, Project
from matcher.matching.retrieval import SearchIndexes
from matcher.peers import rank_municipalities
from matcher.ranking import features as feat
from matcher.ranking.analysis import GermanAnalyzer
from matcher.ranking.config import RankingConfig
from matcher.ranking.diversity import cap_per_group
from matcher.ranking.fusion import Candidate, Scored, fuse
from matcher.suppliers import rank_providers

_PROFILE_DEPTH = 10
_COMMON_SHARE = 0.2
_MAX_WORDS = 6


@dataclass
class Query:
    """A challenge, analysed once for all result lists."""

    text: str
    vector: np.ndarray
    terms: list[str]
    words: list[str]
    asker: Municipality | None = None
    filters: Filters = field(default_factory=Filters)
    # Items never to show (e.g. the project asked about); projects only in these towns are
    # not "elsewhere".
    exclude: frozenset[str] = frozenset()
    home_towns: frozenset[str] = frozenset()
    # Set when an item is the query: its categories (a match must share one) and a stricter
    # floor, since two descriptions are more alike than a short challenge and a description.
    item_categories: frozenset[str] | None = None

    def shares_topic(self, categories) -> bool:
        """True unless this is an item query and the categories share nothing with it."""
        if not self.item_categories:
            return True
        return bool(self.item_categories & {str(c) for c in categories})


class Searcher:
    """Ranked, explained results of each kind for a query."""

    def __init__(
        self,
        catalog: Catalog,
        indexes: SearchIndexes,
        config: RankingConfig,
        analyzer: GermanAnalyzer,
        today: dt.date | None = None,
    ) -> None:
        self.catalog = catalog
        self.indexes = indexes
        self.config = config
        self.analyzer = analyzer
        self.year = (today or dt.date.today()).year
        self._item_config = config.model_copy(
            update={
                "min_score": config.item_min_score,
                "confident_score": config.item_confident_score,
            }
        )
        # Projects are ranked once per query and reused by the provider and peer lists; the
        # terms of each query word are worked out once for all explanations.
        self._scored_projects: dict[int, list[Scored]] = {}
        self._word_terms: dict[int, dict[str, list[str]]] = {}

    # -- retrieval ---------------------------------------------------------------------------

    def config_for(self, q: Query) -> RankingConfig:
        """The ranking config, with the item floors when an item is the query."""
        if q.item_categories is None:
            return self.config
        return self._item_config

    def retrieve(self, kind: str, q: Query) -> dict[str, Candidate]:
        """Union of dense and lexical top candidates, each with both raw scores."""
        n = self.config.candidates
        dense = dict(self.indexes.dense(kind, q.vector, n))
        lexical = self.indexes.lexical[kind].query(q.terms)
        missing = [i for i, _ in lexical.top(n) if i not in dense]
        if missing:
            dense.update(
                zip(
                    missing,
                    self.indexes.vectors[kind].scores(q.vector, missing).tolist(),
                    strict=True,
                )
            )
        return {i: Candidate(i, dense=s, lexical=lexical.of(i)) for i, s in dense.items()}

    def matched_words(self, q: Query, kind: str, item_id: str) -> list[str]:
        """Query words that the item's text shares (after stemming and compound splitting),
        rarest first; words found in most items say nothing and are left out."""
        lexical = self.indexes.lexical[kind]
        item_terms = set(lexical.terms_of(item_id))
        common = max(3, int(_COMMON_SHARE * len(lexical)))
        if id(q) not in self._word_terms:
            self._word_terms[id(q)] = {w: self.analyzer.word_terms(w) for w in q.words}
        found: dict[str, int] = {}
        for word, terms in self._word_terms[id(q)].items():
            shared = [t for t in terms if t in item_terms]
            if shared:
                rarity = min(lexical.document_frequency(t) for t in shared)
                if rarity <= common:
                    found[word] = rarity
        return sorted(found, key=found.get)[:_MAX_WORDS]

    # -- projects ----------------------------------------------------------------------------

    def _category_profile(self, candidates: dict[str, Candidate], kind: str) -> dict[str, float]:
        """The query's likely categories: shares among its nearest items by text."""
        best = sorted(candidates.values(), key=lambda c: -c.dense)[:_PROFILE_DEPTH]
        profile: dict[str, float] = defaultdict(float)
        for cand in best:
            cats = getattr(self.catalog.get(kind, cand.id), "categories", [])
            for cat in cats[:1]:
                profile[str(cat)] += 1.0 / len(best)
        return profile

    def _place_features(self, municipality_ids: list[str], asker: Municipality | None) -> dict:
        if asker is None:
            return {}
        towns = [self.catalog.municipality(m) for m in municipality_ids]
        towns = [t for t in towns if t is not None and t.id != asker.id]
        if not towns:
            return {}
        km = [d for d in (self.catalog.distance_km(asker, t) for t in towns) if d is not None]
        return {
            "proximity": feat.proximity(min(km), self.config.distance_scale_km) if km else 0.0,
            "population": max(
                feat.population_similarity(asker.population, t.population) for t in towns
            ),
        }

    def _project_passes(self, p: Project, q: Query) -> bool:
        f = q.filters
        if p.id in q.exclude or (q.home_towns and set(p.municipalities) <= q.home_towns):
            return False
        if not q.shares_topic(p.categories):
            return False
        if f.categories and not set(f.categories) & set(p.categories):
            return False
        if (
            f.district
            or f.region
            or f.min_population is not None
            or f.max_population is not None
            or f.max_distance_km is not None
        ):
            return any(
                self.catalog.municipality_passes(self.catalog.municipality(m), f, q.asker)
                for m in p.municipalities
            )
        return True

    def scored_projects(self, q: Query) -> list[Scored]:
        """All projects above the relevance floor, fused and ordered (before diversity)."""
        if id(q) not in self._scored_projects:
            self._scored_projects[id(q)] = self._score_projects(q)
        return self._scored_projects[id(q)]

    def _score_projects(self, q: Query) -> list[Scored]:
        return fuse(self.project_candidates(q), self.config_for(q))

    def project_candidates(self, q: Query, include: tuple[str, ...] = ()) -> list[Candidate]:
        """Retrieved projects that pass the filters, with their features (before fusion);
        `include` adds projects even if retrieval did not find them (e.g. rated ones)."""
        cands = self.retrieve("projects", q)
        profile = self._category_profile(cands, "projects")
        extra = [i for i in include if i not in cands and i in self.catalog.items["projects"]]
        if extra:
            lexical = self.indexes.lexical["projects"].query(q.terms)
            dense = self.indexes.vectors["projects"].scores(q.vector, extra).tolist()
            for item_id, d in zip(extra, dense, strict=True):
                cands[item_id] = Candidate(item_id, dense=d, lexical=lexical.of(item_id))
        kept = []
        for cand in cands.values():
            p: Project = self.catalog.get("projects", cand.id)
            if p is None or not self._project_passes(p, q):
                continue
            evidence = len(p.providers) + len(self.catalog.offerings_citing.get(p.id, []))
            cand.features = {
                "category": sum(profile.get(str(c), 0.0) for c in p.categories[:1]),
                "evidence": feat.evidence(evidence),
                "recency": feat.recency(p.year, self.year, self.config.recency_half_life),
                **self._place_features(p.municipalities, q.asker),
            }
            kept.append(cand)
        return kept

    def projects(self, q: Query, k: int) -> list[dict]:
        """The k best projects, diversified by municipality, with explanations."""
        scored = self.scored_projects(q)
        groups = {s.id: self.catalog.get("projects", s.id).municipalities for s in scored}
        ranked = cap_per_group(scored, groups, lambda s: s.id, self.config.max_per_municipality)
        return [explain.project(self, q, s) for s in ranked[:k]]

    # -- needs -------------------------------------------------------------------------------

    def scored_needs(self, q: Query, open_only: bool = False) -> list[Scored]:
        """Needs above the relevance floor (open ones only if asked), best first."""
        cands = []
        for cand in self.retrieve("needs", q).values():
            n: Need = self.catalog.get("needs", cand.id)
            if n is None or n.id in q.exclude or (open_only and n.status == "erledigt"):
                continue
            if q.filters.categories and not set(q.filters.categories) & set(n.categories):
                continue
            if q.shares_topic(n.categories):
                cands.append(cand)
        return fuse(cands, self.config_for(q))

    # -- providers ---------------------------------------------------------------------------

    def providers(self, q: Query, k: int) -> list[dict]:
        """Providers by the fit of their offerings and self-description, backed by references
        (a reference in a town like the asker's counts more)."""
        return [explain.provider(self, q, r) for r in rank_providers(self, q)[:k]]

    def structure_similarity(self, a: Municipality | None, b: Municipality | None) -> float:
        """How alike two towns are by place and size, in [0, 1]."""
        if a is None or b is None:
            return 0.0
        near = feat.proximity(self.catalog.distance_km(a, b), self.config.distance_scale_km)
        return 0.5 * near + 0.5 * feat.population_similarity(a.population, b.population)

    # -- municipalities ----------------------------------------------------------------------

    def municipalities(self, q: Query, k: int) -> list[dict]:
        """Towns that already solved the challenge or reported the same need; with an asker,
        closeness, size and district count too."""
        return [explain.municipality(self, q, r) for r in rank_municipalities(self, q)[:k]]
