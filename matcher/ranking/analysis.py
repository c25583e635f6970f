"""German text analysis for lexical matching.

Lower-casing, Snowball stemming (which also folds umlauts and ß, so "Strassen" meets "Straßen"),
German stop words, and splitting of compounds, so "Straßenbeleuchtung" also matches "Beleuchtung".
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer
import stopwordsiso
from bm25s.stopwords import STOPWORDS_GERMAN

# Only the German n-gram tables of `compound-split` (its char_split module would also load the
# Dutch ones: 110 MiB and seconds of start-up per process for nothing).
from compound_split import de_ngram_probs as _ngrams

_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
# What ends a sentence, and what may stand between that and the next word.
_SENTENCE_ENDS = ".!?:;"
_OPENERS = " \t\r\n„“\"'‚‘(–—-"
_LOOK_BACK = 8
_MIN_COMPOUND = 10
_MIN_PART = 4
_SPLIT_SCORE = 0.5
_MAX_WORD = 60


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


class GermanAnalyzer:
    """Text → terms for BM25 (stems of words and of compound parts)."""

    def __init__(self, compounds: bool = True) -> None:
        self.compounds = compounds
        self._stemmer = Stemmer.Stemmer("german")
        self._stem = lru_cache(maxsize=200_000)(self._stemmer.stemWord)
        self.noun_terms = lru_cache(maxsize=20_000)(self._noun_terms)
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

    def _word_terms(self, word: str) -> tuple[str, ...]:
        """Terms of one lower-case word: its stem, then the stems of its compound parts."""
        terms = [self._stem(_fold(word))]
        if self.compounds:
            terms.extend(
                self._stem(_fold(p))
                for p in split_compound(with_umlauts(word))
                if _fold(p) not in STOPWORDS
            )
        return tuple(terms)

    def _noun_terms(self, text: str, title: bool = False) -> frozenset[str]:
        """Terms of the words a text writes with a capital letter: in German the nouns, which
        carry what a text is about ("Bus", "Straßenbeleuchtung"), unlike "zweimal", "voll" or
        "älteren". A capital at a sentence's start proves nothing, except in a `title` (a noun
        phrase: "Rufbus im Hohen Vogelsberg")."""
        out: set[str] = set()
        for match in _WORD.finditer(text):
            word = match.group()
            if not word[0].isupper():
                continue
            first = match.start() == 0
            before = text[max(0, match.start() - _LOOK_BACK) : match.start()].rstrip(_OPENERS)
            starts = first or not before or before[-1] in _SENTENCE_ENDS
            if starts and not (title and first):
                continue
            for part in word.lower().split("-"):
                if len(part) > 1 and _fold(part) not in STOPWORDS:
                    out.update(self.word_terms(part))
        return frozenset(out)

    def terms(self, text: str) -> list[str]:
        """All terms of a text, in order, with repeats (for BM25 term frequency)."""
        return [t for word in self.words(text) for t in self.word_terms(word)]
