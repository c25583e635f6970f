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
from matcher.catalog import Catalog
from matcher.indexing import SearchIndexes
from matcher.ranking import features as feat
from matcher.ranking.analysis import GermanAnalyzer
from matcher.ranking.config import RankingConfig
from matcher.ranking.diversity import cap_per_group
from matcher.ranking.fusion import Candidate, Scored, fuse
from matcher.schema import Filters, Municipality, Project

_PROFILE_DEPTH = 10


@dataclass
class Query:
    """A challenge, analysed once for all result lists."""

    text: str
    vector: np.ndarray
    terms: list[str]
    words: list[str]
    asker: Municipality | None = None
    filters: Filters = field(default_factory=Filters)


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
        # Projects are ranked once per query and reused by the provider and peer lists.
        self._scored_projects: dict[int, list[Scored]] = {}

    # -- retrieval ---------------------------------------------------------------------------

    def retrieve(self, kind: str, q: Query) -> dict[str, Candidate]:
        """Union of dense and lexical top candidates, each with both raw scores."""
        n = self.config.candidates
        dense = dict(self.indexes.dense(kind, q.vector, n))
        lexical_index = self.indexes.lexical[kind]
        ids, scores = lexical_index.scores(q.terms)
        lex = dict(zip(ids, scores.tolist(), strict=True))
        if len(scores):
            k = min(n, len(scores))
            top = np.argpartition(-scores, k - 1)[:k]
            lex_top = [ids[i] for i in top if scores[i] > 0]
        else:
            lex_top = []
        missing = [i for i in lex_top if i not in dense]
        if missing:
            dense.update(
                zip(
                    missing,
                    self.indexes.vectors[kind].scores(q.vector, missing).tolist(),
                    strict=True,
                )
            )
        return {i: Candidate(i, dense=s, lexical=lex.get(i, 0.0)) for i, s in dense.items()}

    def matched_words(self, q: Query, kind: str, item_id: str) -> list[str]:
        """Query words that the item's text shares (after stemming and compound splitting)."""
        item_terms = set(self.indexes.lexical[kind].terms_of(item_id))
        out = [
            w
            for w in dict.fromkeys(q.words)
            if any(t in item_terms for t in self.analyzer.word_terms(w))
        ]
        return out[:8]

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
        cands = self.retrieve("projects", q)
        profile = self._category_profile(cands, "projects")
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
        return fuse(kept, self.config)

    def projects(self, q: Query, k: int) -> list[dict]:
        """The k best projects, diversified by municipality, with explanations."""
        scored = self.scored_projects(q)
        groups = {s.id: self.catalog.get("projects", s.id).municipalities for s in scored}
        ranked = cap_per_group(scored, groups, lambda s: s.id, self.config.max_per_municipality)
        return [explain.project(self, q, s) for s in ranked[:k]]

    # -- providers ---------------------------------------------------------------------------

    def providers(self, q: Query, k: int) -> list[dict]:
        """Providers by the fit of their offerings and self-description, backed by references."""
        w = self.config.providers
        offers = self.retrieve("offerings", q)
        for cand in offers.values():
            o = self.catalog.get("offerings", cand.id)
            cand.features = {"evidence": feat.evidence(len(o.references))} if o else {}
        offer_scores = [
            s for s in fuse(list(offers.values()), self.config) if self._offering_passes(s.id, q)
        ]
        desc_scores = fuse(list(self.retrieve("providers", q).values()), self.config)
        project_hits = {s.id: s for s in self.scored_projects(q) if s.confident}

        per_provider: dict[str, dict] = defaultdict(lambda: {"offerings": [], "description": None})
        for s in offer_scores:
            per_provider[self.catalog.get("offerings", s.id).provider]["offerings"].append(s)
        for s in desc_scores:
            if s.id in self.catalog.items["providers"]:
                per_provider[s.id]["description"] = s
        results = []
        for provider_id, parts in per_provider.items():
            if q.filters.categories and not parts["offerings"]:
                continue
            refs = [p for p in self.catalog.reference_projects(provider_id) if p.id in project_hits]
            refs.sort(key=lambda p: -project_hits[p.id].score)
            best_offer = parts["offerings"][0].score * w.offering if parts["offerings"] else 0.0
            best_desc = parts["description"].score * w.description if parts["description"] else 0.0
            base = max(best_offer, best_desc)
            score = base + w.references * feat.evidence(len(refs))
            confident = any(s.confident for s in parts["offerings"]) or bool(
                parts["description"] and parts["description"].confident
            )
            results.append((score, provider_id, parts, refs, confident))
        results.sort(key=lambda r: (-r[0], r[1]))
        return [explain.provider(self, q, *r) for r in results[:k]]

    def _offering_passes(self, offering_id: str, q: Query) -> bool:
        o = self.catalog.get("offerings", offering_id)
        if o is None:
            return False
        return not q.filters.categories or bool(set(q.filters.categories) & set(o.categories))

    # -- municipalities ----------------------------------------------------------------------

    def municipalities(self, q: Query, k: int) -> list[dict]:
        """Municipalities that already solved the challenge or reported the same need."""
        w = self.config.municipalities
        found: dict[str, dict[str, list[Scored]]] = defaultdict(
            lambda: {"projects": [], "needs": []}
        )
        for s in self.scored_projects(q):
            for m in self.catalog.get("projects", s.id).municipalities:
                found[m]["projects"].append(s)
        need_cands = self.retrieve("needs", q)
        for cand in need_cands.values():
            n = self.catalog.get("needs", cand.id)
            if n is not None and (
                not q.filters.categories or set(q.filters.categories) & set(n.categories)
            ):
                cand.features = self._place_features([n.municipality], q.asker)
        for s in fuse(list(need_cands.values()), self.config):
            need = self.catalog.get("needs", s.id)
            if need is None or (
                q.filters.categories and not set(q.filters.categories) & set(need.categories)
            ):
                continue
            found[need.municipality]["needs"].append(s)
        results = []
        for mid, parts in found.items():
            town = self.catalog.municipality(mid)
            if town is None or (q.asker is not None and mid == q.asker.id):
                continue
            if not self.catalog.municipality_passes(town, q.filters, q.asker):
                continue
            best_p = parts["projects"][0].score * w.project if parts["projects"] else 0.0
            best_n = parts["needs"][0].score * w.need if parts["needs"] else 0.0
            count = len(parts["projects"]) + len(parts["needs"])
            score = max(best_p, best_n) + w.breadth * feat.evidence(count - 1)
            confident = any(s.confident for s in parts["projects"] + parts["needs"])
            results.append((score, town, parts, confident))
        results.sort(key=lambda r: (-r[0], r[1].id))
        return [explain.municipality(self, q, *r) for r in results[:k]]
