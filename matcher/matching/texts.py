"""What explanations need of an item's own text, worked out once per version of the data.

Explaining a result reads the item's analysed terms, the nouns of its title and description
and, for a quotation, every word of every sentence of its description analysed. None of that
depends on the query, so it is kept here across queries. An `ItemTexts` belongs to one version
of the data: the service makes a new one whenever it applies a write (the catalog and the
lexical indexes change in place), carrying over what it knew of the items the write did not
touch, so nothing here outlives the text it was made of. Worked out on first use, an item
costs about 0.7 ms (compound splitting of words new to the process), which is most of a
match's tail; `warm` does it ahead for a bounded number of items. Their nouns need HanTa's
tagging (about 2 ms a sentence: 7 s of the demo's warm-up, in every process): `keep_nouns`, when
the service loads its items, reads those of the first items from a file of the home and tags and
writes there only the sentences new to it (`matcher.ranking.tagging_cache`).

With an encoder, it also holds the vectors of the item's sentences (its title and each sentence
of its description), which tell the sense of a shared word: "Laden" in a sentence about charging
cars is far from a query about empty shops. They come from the embedding cache (`matcher build`
encodes them with the items' vectors, `sentence_texts`); a sentence missing from it (an item
written since) is encoded on first use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Hashable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from matcher.domain.catalog import Catalog
from matcher.domain.schema import Entity, display_name
from matcher.embeddings import CachedEncoder
from matcher.ranking.analysis import GermanAnalyzer
from matcher.ranking.lexical import LexicalIndex

# Items whose derived text is kept per kind of value; beyond it the oldest go first, so a
# worker that explains every item of a million in turn holds a bounded amount.
MAX_ITEMS = 20_000
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_SURFACE = re.compile(r"[^\W_]+", re.UNICODE)

V = TypeVar("V")

# A sentence of a description and, for each term of its words, where the first word with
# that term starts.
Sentence = tuple[str, dict[str, int]]


@dataclass(frozen=True)
class Senses:
    """An item's title and description sentences (`sentence_texts`), each with the topic terms
    of its words and its vector (unit length; one row a sentence)."""

    topics: list[frozenset[str]]
    vectors: np.ndarray


def split_sentences(description: str) -> list[str]:
    """The sentences of a description, whitespace collapsed."""
    return _SENTENCE.split(" ".join(description.split()))


def sentence_texts(item: Entity) -> list[str]:
    """The texts whose vectors tell the sense of an item's words: its title, then each sentence
    of its description (in the order of `ItemTexts.sentences`)."""
    description = getattr(item, "description", "") or ""
    return [display_name(item), *(split_sentences(description) if description else [])]


def noun_texts(item: Entity) -> list[str]:
    """The texts of an item whose nouns explanations read: its title, its description and
    each of the description's sentences (`ItemTexts.nouns` and `ItemTexts.senses`)."""
    description = getattr(item, "description", "") or ""
    return [
        display_name(item),
        *([description, *split_sentences(description)] if description else []),
    ]


def first_items(catalog: Catalog, limit: int) -> Iterator[tuple[str, str, Entity]]:
    """(kind, id, item) of the first `limit` items (at most MAX_ITEMS), in the order
    `ItemTexts.warm` works them out."""
    limit = min(limit, MAX_ITEMS)
    for kind, items in catalog.items.items():
        for item_id, item in list(items.items()):
            if limit <= 0:
                return
            yield kind, item_id, item
            limit -= 1


def keep_nouns(analyzer: GermanAnalyzer, catalog: Catalog, directory: Path, limit: int) -> int:
    """Make `analyzer` hold the tagged nouns of the first `limit` items' texts (those `warm`
    works out), read from the home's file (`directory`) where it has them, else tagged and
    kept there for the next process; returns how many sentences were tagged."""
    texts = (t for _kind, _id, item in first_items(catalog, limit) for t in noun_texts(item))
    return analyzer.keep_nouns(directory, texts)


def sentences(analyzer: GermanAnalyzer, description: str) -> list[Sentence]:
    """The sentences of a description (whitespace collapsed), each with the first position
    of every term of its words."""
    out = []
    for sentence in split_sentences(description):
        first: dict[str, int] = {}
        for match in _SURFACE.finditer(sentence):
            for term in analyzer.word_terms(match.group().lower()):
                first.setdefault(term, match.start())
        out.append((sentence, first))
    return out


class ItemTexts:
    """Analysed terms, topic nouns and description sentences of items, computed on first use
    for one version of `catalog` and `lexical` (read-only while this object is in use)."""

    def __init__(
        self,
        catalog: Catalog,
        lexical: Mapping[str, LexicalIndex],
        analyzer: GermanAnalyzer,
        previous: ItemTexts | None = None,
        changed: Collection[tuple[str, str]] = (),
        encoder: CachedEncoder | None = None,
    ) -> None:
        """With `previous` (the object of the version before), what it knew of every item not
        in `changed` ((kind, id) pairs of the write between the two versions) is kept. Without
        an `encoder`, items have no sentence vectors (`senses` is None)."""
        self.catalog = catalog
        self.lexical = lexical
        self.analyzer = analyzer
        self.encoder = encoder
        self._terms: dict[Hashable, frozenset[str]] = {}
        self._nouns: dict[Hashable, frozenset[str] | None] = {}
        self._sentences: dict[Hashable, list[Sentence]] = {}
        self._senses: dict[Hashable, Senses | None] = {}
        if previous is not None:
            # One C-level copy each: request threads may add to the previous ones meanwhile.
            self._terms.update(previous._terms.copy())
            self._nouns.update(previous._nouns.copy())
            self._sentences.update(previous._sentences.copy())
            if previous.encoder is encoder:
                self._senses.update(previous._senses.copy())
            for key in changed:
                for kept in (self._terms, self._nouns, self._sentences, self._senses):
                    kept.pop(key, None)

    def warm(self, limit: int) -> int:
        """Work out the text of up to `limit` items now rather than on a user's request (in
        a server's master before its workers fork, so they share it); returns how many."""
        done = 0
        for kind, item_id, _item in first_items(self.catalog, limit):
            if kind in self.lexical:
                self.terms(kind, item_id)
            self.nouns(kind, item_id)
            self.sentences(kind, item_id)
            done += 1
        return done

    @staticmethod
    def _kept(store: dict[Hashable, V], key: Hashable, make: Callable[[], V]) -> V:
        if key in store:
            return store[key]
        value = store[key] = make()
        if len(store) > MAX_ITEMS:
            # Two request threads may race to drop the oldest: the loser has nothing to do.
            with suppress(KeyError, RuntimeError, StopIteration):
                del store[next(iter(store))]
        return value

    def terms(self, kind: str, item_id: str) -> frozenset[str]:
        """The item's analysed terms (as the lexical index holds them)."""
        lexical = self.lexical[kind]
        return self._kept(
            self._terms, (kind, item_id), lambda: frozenset(lexical.terms_of(item_id))
        )

    def nouns(self, kind: str, item_id: str) -> frozenset[str] | None:
        """Terms of the nouns of the item's title and description; None for an unknown id."""

        def make() -> frozenset[str] | None:
            item = self.catalog.items[kind].get(item_id)
            if item is None:
                return None
            description = getattr(item, "description", "") or ""
            return self.analyzer.noun_terms(display_name(item)) | self.analyzer.noun_terms(
                description
            )

        return self._kept(self._nouns, (kind, item_id), make)

    def sentences(self, kind: str, item_id: str) -> list[Sentence]:
        """The item's description as sentences with their terms (none without one)."""

        def make() -> list[Sentence]:
            item = self.catalog.items[kind].get(item_id)
            description = getattr(item, "description", "") if item is not None else ""
            return sentences(self.analyzer, description) if description else []

        return self._kept(self._sentences, (kind, item_id), make)

    def senses(self, kind: str, item_id: str) -> Senses | None:
        """The item's sentences with their topic terms and vectors; None for an unknown id or
        without an encoder."""

        def make() -> Senses | None:
            item = self.catalog.items[kind].get(item_id)
            if item is None or self.encoder is None:
                return None
            texts = sentence_texts(item)
            return Senses([self.analyzer.noun_terms(t) for t in texts], self.encoder.encode(texts))

        return self._kept(self._senses, (kind, item_id), make)
