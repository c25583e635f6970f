"""German text analysis for lexical matching.

Lower-casing, Snowball stemming (which also folds umlauts and ß, so "Strassen" meets "Straßen"),
German stop words, and splitting of compounds, so "Straßenbeleuchtung" also matches "Beleuchtung".
Folding is an alternative, not an identity: a word written with an umlaut also gives its stem as
written ("läd" beside "lad" for "Läden"), so a query written with umlauts meets the same form first
and "Läden" (shops) is no topic word of "Laden" (charging).

Topic words, the nouns that say what a text is about, are decided by part of speech in context
(HanTa's tagger) and by how common a word is in German (wordfreq), not by capitalisation alone.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import Stemmer
import stopwordsiso
from bm25s.stopwords import STOPWORDS_GERMAN

# Only the German n-gram tables of `compound-split` (its char_split module would also load the
# Dutch ones: 110 MiB and seconds of start-up per process for nothing).
from compound_split import de_ngram_probs as _ngrams

from matcher.ranking.tagging_cache import FILE_NAME as TAGGING_FILE
from matcher.ranking.tagging_cache import TaggingCache

_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
_MIN_COMPOUND = 10
_MIN_PART = 4
_SPLIT_SCORE = 0.5
_MAX_WORD = 60

# Tags (STTS, as HanTa gives them) of nouns: common nouns, names, nominalised infinitives and
# foreign words ("LED", "Smart").
_NOUN_TAGS = frozenset({"NN", "NE", "NNI", "FM"})
# A word at least this common in German (Zipf scale of wordfreq: 5.5 is about three times in
# 10,000 words, like "Stadt", "Zeit", "Jahr" or "stehen") says nothing about a topic.
FREQUENT_ZIPF = 5.5
_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*|[.!?:;]", re.UNICODE)
_UMLAUT_FOLD = str.maketrans("äöü", "aou")


def _fold(word: str) -> str:
    return word.replace("ß", "ss")


STOPWORDS = frozenset(_fold(w) for w in (*STOPWORDS_GERMAN, *stopwordsiso.stopwords("de"))) | {
    "bzw",
    "ca",
    "sowie",
    "rund",
    "obwohl",
    "niemand",
    "ganze",
    "ganz",
    "wirklich",
    "leider",
}


def _cut_linking_s(part: str) -> str:
    """Drop a linking "s" (Fugen-s) after these endings, as the n-gram tables were built."""
    if part.endswith(("ts", "gs", "ks", "hls", "ns")) and len(part) > 3:
        return part[:-1]
    return part


def best_split(word: str) -> tuple[float, str, str] | None:
    """The best split point of a lower-case word by the n-gram scores of Tuggener's
    char_split (compound-split): how likely the head ends and the tail starts a word, minus how
    likely the cut runs through a frequent in-word n-gram. None for words under 6 letters."""
    prefix, infix, suffix = _ngrams.prefix, _ngrams.infix, _ngrams.suffix
    best = None
    for n in range(3, len(word) - 2):
        inside = min(infix.get(word[n:k], 1) for k in range(len(word), n + 2, -1))
        score = (
            prefix.get(_cut_linking_s(word[n:]), -1)
            - inside
            + suffix.get(_cut_linking_s(word[:n]), -1)
        )
        candidate = (score, word[:n], word[n:])
        if best is None or candidate > best:
            best = candidate
    return best


@lru_cache(maxsize=200_000)
def split_compound(word: str, min_length: int = _MIN_COMPOUND) -> tuple[str, ...]:
    """Parts of a German compound (lower case), or () if it is not one."""
    if len(word) < min_length or len(word) > _MAX_WORD:
        return ()
    word = word.lower()
    if "-" in word:  # a hyphenated word is split at its last hyphen
        head, _, tail = word.rpartition("-")
        score = 1.0
    else:
        found = best_split(word)
        if found is None:
            return ()
        score, head, tail = found
    if score < _SPLIT_SCORE or len(head) < _MIN_PART or len(tail) < _MIN_PART:
        return ()
    parts: list[str] = []
    for part in (head.lower(), tail.lower()):
        parts.extend(split_compound(part, min_length + 1) or (part,))
    return tuple(parts)


# "ae", "oe", "ue" written for ä, ö, ü ("Fahrgastzaehlung"), but not after a vowel or "q"
# ("Feuer", "Bauer", "Quelle").
_TRANSLITERATED = re.compile(r"(?<![aeiouq])(ae|oe|ue)")
_UMLAUT = {"ae": "ä", "oe": "ö", "ue": "ü"}


def with_umlauts(word: str) -> str:
    """A lower-case word with transliterated umlauts written as umlauts: the compound tables
    know "zählung", not "zaehlung" (the stemmer itself folds both spellings alike)."""
    return _TRANSLITERATED.sub(lambda m: _UMLAUT[m.group(1)], word)


@lru_cache(maxsize=1)
def _tagger() -> tuple[object, threading.Lock]:
    """HanTa's German tagger (its model ships in the wheel: 0.2 s to load, once a process),
    with a lock, as it is not known to be safe for threads."""
    from HanTa import HanoverTagger

    tagger = HanoverTagger.HanoverTagger("morphmodel_ger.pgz")
    # Its morphological analysis of a word (most of the cost of tagging) is the same in every
    # sentence: analyse each word once a process (the result is only read).
    tagger.analyze_forward = lru_cache(maxsize=200_000)(tagger.analyze_forward)
    return tagger, threading.Lock()


def load_resources() -> None:
    """Load the tagger's model and the word frequency list now, not on a first query: a
    server's master does this before it forks, so that its workers share them."""
    _tagger()
    is_frequent("und")


@lru_cache(maxsize=200_000)
def is_frequent(word: str) -> bool:
    """True for a word common in German text at large (wordfreq's German list)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "de") >= FREQUENT_ZIPF


@lru_cache(maxsize=20_000)
def tagged_nouns(sentence: str) -> tuple[str, ...]:
    """The words of one sentence that HanTa tags as nouns in context, as written (about 2 ms
    for ten words new to the process): "Läden" in "stehen immer mehr Läden leer", not
    "stehen"; "Laden" in "Laden für Urlaubsgäste"."""
    tokens = _TOKEN.findall(sentence)
    if not tokens:
        return ()
    tagger, lock = _tagger()
    with lock:
        tags = tagger.tag_sent(tokens, taglevel=0)  # type: ignore[attr-defined]
    # German writes nouns with a capital: a word in lower case is none ("quellen" in "Mülleimer
    # quellen über"), unless the whole sentence is written in lower case.
    lower = sentence.islower()
    return tuple(
        w
        for w, tag in zip(tokens, tags, strict=True)
        if tag in _NOUN_TAGS and (lower or not w[0].islower())
    )


# Raise it when `tagged_nouns` decides otherwise (other tags kept, another rule): nouns saved
# by the earlier rule (`TaggingCache`) are then tagged again.
NOUN_RULE_VERSION = 1
# Tagged for the tagger's fingerprint: a model that tags them otherwise has its own.
_PROBE = (
    "In der Innenstadt stehen immer mehr Läden leer.",
    "Laden für Urlaubsgäste und E-Bikes: LED-Straßenbeleuchtung der Gemeinde.",
    "mülleimer quellen über und der rufbus fährt nur zweimal am tag",
)


def tagger_fingerprint() -> str:
    """A short hash of HanTa's version, the noun rule's and the nouns of the probe sentences:
    what decides `tagged_nouns`."""
    from importlib.metadata import version

    probe = "\x1e".join("\x1f".join(tagged_nouns(sentence)) for sentence in _PROBE)
    named = "\x1d".join(
        (version("HanTa"), str(NOUN_RULE_VERSION), ",".join(sorted(_NOUN_TAGS)), probe)
    )
    return hashlib.sha256(named.encode("utf-8")).hexdigest()[:16]


def sentences_of(text: str) -> list[str]:
    """The sentences a text is tagged in (`topic_words`)."""
    return [s for s in re.split(r"(?<=[.!?:;])\s+|\n+", text) if s.strip()]


class GermanAnalyzer:
    """Text → terms for BM25 (stems of words and of compound parts)."""

    def __init__(self, compounds: bool = True) -> None:
        self.compounds = compounds
        self._stemmer = Stemmer.Stemmer("german")
        self._stem = lru_cache(maxsize=200_000)(self._stemmer.stemWord)
        self.noun_terms = lru_cache(maxsize=20_000)(self._noun_terms)
        self.topic_terms = lru_cache(maxsize=200_000)(self._topic_terms)
        # The nouns of the items' sentences, kept in the home between processes
        # (`keep_nouns`); any other sentence is tagged (`tagged_nouns`).
        self.tagging = TaggingCache(tagged_nouns, tagger_fingerprint)
        # German vocabulary repeats from text to text: each word is analysed once.
        self.word_terms = lru_cache(maxsize=200_000)(self._word_terms)

    def words(self, text: str) -> list[str]:
        """Surface words of a text (lower case), stop words removed."""
        out = []
        for match in _WORD.finditer(text.lower()):
            for word in match.group().split("-"):
                if len(word) > 1 and _fold(word) not in STOPWORDS and not word.isdigit():
                    out.append(word)
        return out

    def _stems(self, word: str) -> tuple[str, ...]:
        """The folded stem of a lower-case word, and its stem as written if that differs (has
        an umlaut, "ae" read as "ä"): the Snowball stemmer only cuts endings and folds, so the
        written stem is the written word cut to the folded stem's length."""
        stem = self._stem(_fold(word))
        written = with_umlauts(_fold(word))
        if written.translate(_UMLAUT_FOLD).startswith(stem) and written[: len(stem)] != stem:
            return stem, written[: len(stem)]
        return (stem,)

    def _word_terms(self, word: str) -> tuple[str, ...]:
        """Terms of one lower-case word: its stems, then the stems of its compound parts."""
        terms = list(self._stems(word))
        if self.compounds:
            for part in split_compound(with_umlauts(word)):
                if _fold(part) not in STOPWORDS:
                    terms.extend(self._stems(part))
        return tuple(terms)

    def _topic_terms(self, word: str) -> frozenset[str]:
        """The terms that carry a lower-case word's meaning: its stem and that of its head
        (the last part of a compound: "Bus" in "Rufbus", not "Park" in "Parkplatz"), each as
        written ("läd" for "Läden", not "lad", which is "Laden" too)."""
        out = {self._stems(word)[-1]}
        parts = split_compound(with_umlauts(word)) if self.compounds else ()
        # A common head says as little as a common word ("Stadt" of "Innenstadt").
        if parts and _fold(parts[-1]) not in STOPWORDS and not is_frequent(parts[-1]):
            out.add(self._stems(parts[-1])[-1])
        return frozenset(out)

    def topic_words(self, text: str) -> frozenset[str]:
        """The words (lower case) of a text that are topic words: nouns in context, not stop
        words, not common in German at large."""
        out: set[str] = set()
        for sentence in sentences_of(text):
            for noun in self.tagging.nouns(sentence):
                for part in noun.lower().split("-"):
                    if len(part) > 1 and _fold(part) not in STOPWORDS and not is_frequent(part):
                        out.add(part)
        return frozenset(out)

    def keep_nouns(self, directory: Path, texts: Iterable[str]) -> int:
        """Hold the tagged nouns of the sentences of `texts` (the items' texts), read from the
        file in `directory` where it has them, else tagged and written there; returns how
        many sentences were tagged."""
        sentences = (s for text in texts for s in sentences_of(text))
        return self.tagging.keep(directory / TAGGING_FILE, sentences)

    def _noun_terms(self, text: str) -> frozenset[str]:
        """Topic terms (`topic_terms`) of the topic words of a text (`topic_words`): what the
        text is about ("Bus", "Straßenbeleuchtung"), unlike "zweimal", "stehen" or "älteren"."""
        out: set[str] = set()
        for word in self.topic_words(text):
            out.update(self.topic_terms(word))
        return frozenset(out)

    def terms(self, text: str) -> list[str]:
        """All terms of a text, in order, with repeats (for BM25 term frequency)."""
        return [t for word in self.words(text) for t in self.word_terms(word)]
