"""One query's context: what is asked, and every scored list computed once for it.

A `Query` says what is asked (text, vector, analysed terms, asker, filters, exclusions). A
`QueryContext` pairs it with the data (`MatchData`: catalog, indexes, ranking config) and
computes, each at most once and only when a ranker asks, the fused candidates of every kind.
Rankers and presenters receive the context; none of them calls back into whoever built it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

import numpy as np

from matcher.domain import geography
from matcher.domain.catalog import Catalog
from matcher.domain.schema import Filters, Municipality, Project, display_name
from matcher.matching.retrieval import SearchIndexes, merge_candidates
from matcher.matching.texts import ItemTexts
from matcher.matching.towns import TownPairs
from matcher.ranking import features as feat
from matcher.ranking.analysis import GermanAnalyzer
from matcher.ranking.calibration import probability, score_margins, shown_line
from matcher.ranking.config import Calibration, RankingConfig
from matcher.ranking.features import INPUTS
from matcher.ranking.fusion import Candidate, Scored, fuse

# Explanations name at most this many query words, and only words found in at most this share
# of a kind's items: words found nearly everywhere say nothing about why an item fits.
MAX_MATCHED_WORDS = 6
COMMON_WORD_SHARE = 0.2
MIN_COMMON_DOCUMENTS = 3
# A quotation in an explanation is at most this long (about two lines of a result card); it
# starts this many characters before the first shared word when it has to be cut.
MAX_QUOTE_CHARS = 160
QUOTE_LEAD_CHARS = 40
# The calibrated confidence reads the topic words a match shares up to this many.
TOPIC_WORDS_FULL = 3


def _quote(sentence: str, first: int) -> str:
    """A sentence cut to `MAX_QUOTE_CHARS` at word boundaries, around its first shared word
    (at `first`)."""
    if len(sentence) <= MAX_QUOTE_CHARS:
        return sentence
    start = max(0, first - QUOTE_LEAD_CHARS)
    if start:
        start = sentence.find(" ", start) + 1 or start
    cut = sentence[start : start + MAX_QUOTE_CHARS]
    if start + MAX_QUOTE_CHARS < len(sentence):
        cut = cut[: cut.rfind(" ")] if " " in cut else cut
        cut += " …"
    return ("… " if start else "") + cut


class StructureWeights(Protocol):
    """Weights of how alike two towns are (`TownSimilarity`, or a peer's structure weights)."""

    @property
    def proximity(self) -> float: ...
    @property
    def population(self) -> float: ...
    @property
    def same_district(self) -> float: ...


@dataclass(frozen=True)
class Query:
    """What is asked: a challenge (or an item's own text), analysed once for all lists."""

    text: str
    vector: np.ndarray = field(repr=False, compare=False)
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

    def shares_topic(self, categories: Iterable[str]) -> bool:
        """True unless this is an item query and the categories share nothing with it."""
        if not self.item_categories:
            return True
        return bool(self.item_categories & {str(c) for c in categories})


@dataclass(frozen=True)
class MatchData:
    """What every query is matched against: read-only for the duration of a request."""

    catalog: Catalog
    indexes: SearchIndexes
    config: RankingConfig
    analyzer: GermanAnalyzer
    year: int = field(default_factory=lambda: dt.date.today().year)
    # The items' analysed text of this version of the data, kept across queries: the service
    # passes one that it replaces on its next write; without one, this object makes its own.
    known_texts: ItemTexts | None = field(default=None, compare=False, repr=False)

    known_towns: TownPairs | None = field(default=None, compare=False, repr=False)

    @cached_property
    def texts(self) -> ItemTexts:
        """What explanations need of the items' own text (`ItemTexts`)."""
        return self.known_texts or ItemTexts(
            self.catalog, self.indexes.lexical, self.analyzer, encoder=self.indexes.encoder
        )

    @cached_property
    def towns(self) -> TownPairs:
        """Distances and likeness of pairs of towns (`TownPairs`)."""
        return self.known_towns or TownPairs(self.catalog)

    @cached_property
    def item_config(self) -> RankingConfig:
        """The config with the stricter floors of item queries."""
        return self.config.model_copy(
            update={
                "min_score": self.config.item_min_score,
                "confident_score": self.config.item_confident_score,
            }
        )

    def with_config(self, config: RankingConfig) -> MatchData:
        """The same data ranked by another config (a new object: nothing serving changes)."""
        return MatchData(
            self.catalog, self.indexes, config, self.analyzer, self.year, self.texts, self.towns
        )

    def query(self, text: str, vector: np.ndarray, **kw: object) -> Query:
        """A query of a text whose vector is known."""
        return Query(
            text=text,
            vector=vector,
            terms=self.analyzer.terms(text),
            words=self.analyzer.words(text),
            **kw,  # type: ignore[arg-type]  # Query's own keyword fields, checked at run time
        )

    def town_similarity(
        self, a: Municipality | None, b: Municipality | None, weights: StructureWeights
    ) -> dict[str, float]:
        """Weighted parts of how alike two towns are by place, size and district."""
        if a is None or b is None:
            return {}
        # A district or association and one of its members: the town lies inside it (0 km).
        km, size, same = self.towns.likeness(a, b)
        return {
            "proximity": weights.proximity * feat.proximity(km, self.config.distance_scale_km),
            "population": weights.population * size,
            "same_district": weights.same_district if same else 0.0,
        }

    def contains(self, outer: Municipality, inner: Municipality) -> bool:
        """True if `inner` is a member of the district or association `outer`."""
        return self.towns.contains(outer, inner)

    def alike(self, a: Municipality | None, b: Municipality | None) -> float:
        """How alike two towns are, in [0, 1] (the config's `town_similarity`)."""
        return sum(self.town_similarity(a, b, self.config.town_similarity).values())


class QueryContext:
    """A query with the scored candidates of each kind, computed once when first asked."""

    def __init__(self, data: MatchData, query: Query) -> None:
        self.data = data
        self.q = query
        self.catalog = data.catalog
        self.config = data.item_config if query.item_categories is not None else data.config
        # Per item (kind, id): the query words it shares, and those of them an explanation names.
        self._shared: dict[tuple[str, str], dict[str, list[str]]] = {}
        self._matched: dict[tuple[str, str], list[str]] = {}
        self._topic: dict[tuple[str, str], list[str]] = {}
        # Place features by a project's towns (many projects share their towns).
        self._places: dict[tuple[str, ...], dict[str, float]] = {}

    # -- retrieval ---------------------------------------------------------------------------

    def retrieve(self, kind: str, include: Iterable[str] = ()) -> dict[str, Candidate]:
        """Dense and lexical top candidates of a kind, each with both raw scores."""
        n = self.data.config.candidates
        return merge_candidates(
            self.data.indexes.vectors[kind],
            self.data.indexes.lexical[kind],
            self.q.vector,
            self.q.terms,
            n,
            n,
            include,
            0 if self.q.item_categories is not None else self.data.config.exact_terms_max,
        )

    # -- projects ----------------------------------------------------------------------------

    def _category_profile(self, candidates: dict[str, Candidate]) -> dict[str, float]:
        """The query's likely categories: shares among its nearest projects by text."""
        depth = self.data.config.category_profile_depth
        best = sorted(candidates.values(), key=lambda c: (-c.dense, c.id))[:depth]
        profile: dict[str, float] = defaultdict(float)
        for cand in best:
            project = self.catalog.projects.get(cand.id)
            for cat in (project.categories if project else [])[:1]:
                profile[str(cat)] += 1.0 / len(best)
        return profile

    def _place_features(self, municipality_ids: list[str]) -> dict[str, float]:
        """Proximity and size features of a project's towns to the asker's (read-only: one
        dict serves every project of the same towns)."""
        if self.q.asker is None:
            return {}
        key = tuple(municipality_ids)
        found = self._places.get(key)
        if found is None:
            found = self._places[key] = self._place_features_of(municipality_ids)
        return found

    def _place_features_of(self, municipality_ids: list[str]) -> dict[str, float]:
        asker = self.q.asker
        if asker is None:
            return {}
        towns = [t for t in self.catalog.towns(municipality_ids) if t.id != asker.id]
        if not towns:
            return {}
        km = [d for d in (self.data.towns.distance_km(asker, t) for t in towns) if d is not None]
        return {
            "proximity": feat.proximity(min(km), self.config.distance_scale_km) if km else 0.0,
            "population": max(
                feat.population_similarity(asker.population, t.population) for t in towns
            ),
        }

    def _project_passes(self, p: Project) -> bool:
        q, f = self.q, self.q.filters
        if p.id in q.exclude or (q.home_towns and set(p.municipalities) <= q.home_towns):
            return False
        if not q.shares_topic(p.categories) or not f.allows(p.categories):
            return False
        if f.has_place():
            return any(
                geography.passes(self.catalog.municipality(m), f, q.asker) for m in p.municipalities
            )
        return True

    def project_candidates(self, include: Iterable[str] = ()) -> list[Candidate]:
        """Retrieved projects that pass the filters, with their features (before fusion);
        `include` adds projects even if retrieval did not find them (e.g. rated ones)."""
        cands = self.retrieve("projects", include)
        profile = self._category_profile(cands)
        kept = []
        for cand in cands.values():
            p = self.catalog.projects.get(cand.id)
            if p is None or not self._project_passes(p):
                continue
            evidence = len(p.providers) + len(self.catalog.offerings_citing.get(p.id, []))
            cand.features = {
                "category": sum(profile.get(str(c), 0.0) for c in p.categories[:1]),
                "evidence": feat.evidence(evidence),
                "recency": feat.recency(p.year, self.data.year, self.config.recency_half_life),
                **self._place_features(p.municipalities),
            }
            kept.append(cand)
        return kept

    @cached_property
    def projects(self) -> list[Scored]:
        """Projects above the relevance floor, fused and ordered (before diversity)."""
        return self._vetted("projects", fuse(self.project_candidates(), self.config))

    # -- needs -------------------------------------------------------------------------------

    @cached_property
    def needs(self) -> list[Scored]:
        """Needs above the relevance floor, best first."""
        q, cands = self.q, []
        for cand in self.retrieve("needs").values():
            n = self.catalog.needs.get(cand.id)
            if n is None or n.id in q.exclude or not q.filters.allows(n.categories):
                continue
            if q.shares_topic(n.categories):
                cands.append(cand)
        return self._vetted("needs", fuse(cands, self.config))

    @cached_property
    def open_needs(self) -> list[Scored]:
        """The needs that are not done yet."""
        return [s for s in self.needs if self.catalog.needs[s.id].status != "erledigt"]

    # -- offerings and providers -------------------------------------------------------------

    @cached_property
    def offerings(self) -> list[Scored]:
        """Offerings above the floor that pass the filters, best first."""
        cands = self.retrieve("offerings")
        for cand in cands.values():
            o = self.catalog.offerings.get(cand.id)
            cand.features = {"evidence": feat.evidence(len(o.references))} if o else {}
        kept = []
        for sc in fuse(list(cands.values()), self.config):
            o = self.catalog.offerings.get(sc.id)
            if o is None or not self.q.filters.allows(o.categories):
                continue
            if self.q.shares_topic(o.categories):
                kept.append(sc)
        return self._vetted("offerings", kept)

    @cached_property
    def provider_descriptions(self) -> list[Scored]:
        """Providers by their self-description (not for category filters or item queries,
        which a description has no categories for)."""
        if self.q.filters.categories or self.q.item_categories is not None:
            return []
        found = fuse(list(self.retrieve("providers").values()), self.config)
        return self._vetted("providers", [sc for sc in found if sc.id in self.catalog.providers])

    def _vetted(self, kind: str, scored: list[Scored]) -> list[Scored]:
        """Strength and confidence of each match: strong by the rules of `_ruled` (lists put
        strong matches first); confident where the kind of result this list serves is
        calibrated (`RankingConfig.calibration`) when the probability that it is relevant,
        from its signals (`signals`), reaches the line of „hoch“, else when strong."""
        self._ruled(kind, scored)
        model = self.calibration(self.calibrated_kind(kind) or "")
        if model is None:
            return scored
        best = max((sc.inputs["dense"] for sc in scored), default=0.0)
        margins = score_margins([sc.score for sc in scored])
        for rank, sc in enumerate(scored):
            sc.signals = self.signals(kind, sc, best)
            sc.signals["rank"] = 1.0 / (1 + rank)
            sc.signals["margin"] = margins[rank]
            sc.probability = probability(model, sc.signals)
            sc.confident = sc.probability >= model.line
        return scored

    def calibration(self, result_kind: str) -> Calibration | None:
        """The calibration of a kind of result on this query, if it has one."""
        if self.q.item_categories is not None and result_kind != "leads":
            return None
        return self.data.config.calibration.get(result_kind)

    def shown_from(self, result_kind: str) -> float:
        """The probability from which a result of a kind that is not „hoch“ is still shown
        (`mittel`): its calibration's own line, else the config's `shown_probability`."""
        return shown_line(self.calibration(result_kind), self.data.config.shown_probability)

    def calibrated_kind(self, kind: str) -> str | None:
        """The kind of result a list of `kind` serves here (its calibration): projects for
        projects, providers for offerings and descriptions, peers for needs on a challenge and
        leads for needs on an item; None for projects on an item (no judgments to fit on)."""
        if self.q.item_categories is not None:
            return "leads" if kind == "needs" else None
        return {"needs": "municipalities", "offerings": "providers"}.get(kind, kind)

    def signals(self, kind: str, sc: Scored, best_dense: float) -> dict[str, float]:
        """What the probability of a match reads (`features.SIGNALS`): its inputs, text fit
        and score, the topic words it shares (capped), one of them in its title, its cosine
        behind the best of its list, its closest sentence's cosine, and whether it is an
        offering or a need (its rank is added by `_vetted`)."""
        words = self.topic_words(kind, sc.id)
        return {
            **{name: sc.inputs.get(name, 0.0) for name in INPUTS},
            "text_fit": sc.text_fit,
            "score": sc.score,
            "topic": min(len(words), TOPIC_WORDS_FULL) / TOPIC_WORDS_FULL,
            "title": float(len(words) >= 2 and self._anchored(kind, sc.id)),
            "behind": sc.inputs["dense"] - best_dense,
            "sentence": max(self.sentence_cosines(kind, sc.id), default=0.0),
            "offering": float(kind == "offerings"),
            "need": float(kind == "needs"),
        }

    def _ruled(self, kind: str, scored: list[Scored]) -> None:
        """Take strength (and the confidence it gives) from matches whose text fit rests on
        incidental shared words: a strong match needs a cosine of `confident_dense`
        (`item_confident_dense` when an item is the query), or two topic words (nouns of the
        item) in common with the query, one of them in the item's title (what it is about: a
        parking system that mentions "LED" and "Straßenbeleuchtung" in passing is no lighting
        offer)."""
        config = self.data.config
        item_query = self.q.item_categories is not None
        floor = config.item_confident_dense if item_query else config.confident_dense
        for sc in scored:
            if sc.strong and sc.inputs["dense"] < floor and not self._anchored(kind, sc.id):
                sc.strong = False
            sc.confident = bool(sc.strong)

    def _anchored(self, kind: str, item_id: str) -> bool:
        """Two topic words in common, one of them a noun of the item's title."""
        words = self.topic_words(kind, item_id)
        if len(words) < 2:
            return False
        item = self.catalog.items[kind].get(item_id)
        title = self.data.analyzer.noun_terms(display_name(item)) if item else frozenset()
        return any(title & self._topics[w] for w in words)

    def shared_words(self, kind: str, item_id: str) -> int:
        """How many of the query's words the item's text shares (after analysis)."""
        return len(self._shared_terms(kind, item_id))

    @cached_property
    def _topics(self) -> dict[str, frozenset[str]]:
        """The query's topic words (nouns in context, not common in German), in order, each
        with the terms that carry its meaning (`GermanAnalyzer.topic_terms`)."""
        analyzer = self.data.analyzer
        topics = analyzer.topic_words(self.q.text)
        return {w: analyzer.topic_terms(w) for w in dict.fromkeys(self.q.words) if w in topics}

    def topic_words(self, kind: str, item_id: str) -> list[str]:
        """Query topic words that the item has as a topic word of its own text, by stem or by
        the head of a compound, in the same spelling ("Bus" for "Rufbus"; not "stehen" nor
        "zweimal", and not "Läden" for "Laden" nor "Park" for "Parkplatz"), in a sentence of
        the item that is itself close to the query (`sentence_cosines`): the words that say
        what both are about, in the same sense."""
        key = (kind, item_id)
        found = self._topic.get(key)
        if found is None:
            found = self._topic[key] = self._topic_words(kind, item_id)
        return list(found)

    def _topic_words(self, kind: str, item_id: str) -> list[str]:
        nouns = self.data.texts.nouns(kind, item_id)
        if nouns is None:
            return []
        words = [word for word, terms in self._topics.items() if nouns & terms]
        senses = self.data.texts.senses(kind, item_id)
        if senses is None or not words:
            return words
        floor = self.data.config.sense_min_cosine
        cosines = self.sentence_cosines(kind, item_id)
        close = [t for t, c in zip(senses.topics, cosines, strict=True) if c >= floor]
        return [w for w in words if any(self._topics[w] & t for t in close)]

    def sentence_cosines(self, kind: str, item_id: str) -> list[float]:
        """The cosine of the query with each of the item's sentences (its title first, then its
        description's sentences); empty without sentence vectors."""
        senses = self.data.texts.senses(kind, item_id)
        if senses is None or not len(senses.vectors):
            return []
        return (senses.vectors @ np.asarray(self.q.vector, dtype=np.float32)).tolist()

    # -- explanations ------------------------------------------------------------------------

    @cached_property
    def _word_terms(self) -> dict[str, tuple[str, ...]]:
        return {w: self.data.analyzer.word_terms(w) for w in self.q.words}

    def matched_words(self, kind: str, item_id: str) -> list[str]:
        """Query words that the item's text shares (after stemming and compound splitting),
        rarest first; words found in most items say nothing and are left out."""
        key = (kind, item_id)
        if key not in self._matched:
            self._matched[key] = self._rarest_shared(kind, item_id)
        return list(self._matched[key])

    def _rarest_shared(self, kind: str, item_id: str) -> list[str]:
        lexical = self.data.indexes.lexical[kind]
        common = max(MIN_COMMON_DOCUMENTS, int(COMMON_WORD_SHARE * len(lexical)))
        found: dict[str, int] = {}
        for word, shared in self._shared_terms(kind, item_id).items():
            rarity = min(lexical.document_frequency(t) for t in shared)
            if rarity <= common:
                found[word] = rarity
        return sorted(found, key=lambda w: found[w])[:MAX_MATCHED_WORDS]

    def evidence(self, kind: str, item_id: str) -> str | None:
        """A quotation from the item's description: of the sentences that share two query
        words, one of them a topic word, the one closest to the query (else the one sharing
        the most), shortened around the first of them. It shows why an item fits better than
        a list of words does."""
        words = self.matched_words(kind, item_id)
        if len(words) < 2:
            return None
        topic = set(words) & set(self.topic_words(kind, item_id))
        wanted: dict[str, str] = {}
        for word in words:  # rarest first: a term two words share counts for the rarer one
            for term in self._word_terms[word]:
                wanted.setdefault(term, word)
        # The title comes first among the sentence cosines.
        cosines = self.sentence_cosines(kind, item_id)[1:]
        best: tuple[float, int, int, str, int] | None = None
        for number, (sentence, first_at) in enumerate(self.data.texts.sentences(kind, item_id)):
            terms = [t for t in wanted if t in first_at]
            found = {wanted[t] for t in terms}
            if len(found) >= 2 and found & topic:
                first = min(first_at[t] for t in terms)
                closeness = cosines[number] if number < len(cosines) else 0.0
                key = (closeness, len(found) + len(found & topic), -number, sentence, first)
                if best is None or key[:3] > best[:3]:
                    best = key
        return _quote(best[3], best[4]) if best else None

    def _shared_terms(self, kind: str, item_id: str) -> dict[str, list[str]]:
        """Query word → its terms that the item's text has too (words sharing none left out)."""
        key = (kind, item_id)
        out = self._shared.get(key)
        if out is None:
            item_terms = self.data.texts.terms(kind, item_id)
            out = {}
            for word, terms in self._word_terms.items():
                shared = [t for t in terms if t in item_terms]
                if shared:
                    out[word] = shared
            self._shared[key] = out
        return out
