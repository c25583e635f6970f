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
from compound_split import char_split

_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
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


@lru_cache(maxsize=200_000)
def split_compound(word: str, min_length: int = _MIN_COMPOUND) -> tuple[str, ...]:
    """Parts of a German compound (lower case), or () if it is not one."""
    if len(word) < min_length or len(word) > _MAX_WORD:
        return ()
    try:
        score, head, tail = char_split.split_compound(word)[0]
    except (IndexError, ValueError, ZeroDivisionError):
        return ()
    if score < _SPLIT_SCORE or len(head) < _MIN_PART or len(tail) < _MIN_PART:
        return ()
    parts: list[str] = []
    for part in (head.lower(), tail.lower()):
        parts.extend(split_compound(part, min_length + 1) or (part,))
    return tuple(parts)


class GermanAnalyzer:
    """Text → terms for BM25 (stems of words and of compound parts)."""

    def __init__(self, compounds: bool = True) -> None:
        self.compounds = compounds
        self._stemmer = Stemmer.Stemmer("german")
        self._stem = lru_cache(maxsize=200_000)(self._stemmer.stemWord)

    def words(self, text: str) -> list[str]:
        """Surface words of a text (lower case), stop words removed."""
        out = []
        for match in _WORD.finditer(text.lower()):
            for word in match.group().split("-"):
                if len(word) > 1 and _fold(word) not in STOPWORDS and not word.isdigit():
                    out.append(word)
        return out

    def word_terms(self, word: str) -> list[str]:
        """Terms of one lower-case word: its stem, then the stems of its compound parts."""
        terms = [self._stem(_fold(word))]
        if self.compounds:
            terms.extend(
                self._stem(_fold(p)) for p in split_compound(word) if _fold(p) not in STOPWORDS
            )
        return terms

    def terms(self, text: str) -> list[str]:
        """All terms of a text, in order, with repeats (for BM25 term frequency)."""
        return [t for word in self.words(text) for t in self.word_terms(word)]
