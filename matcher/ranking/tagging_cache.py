"""The tagged nouns of the items' sentences, kept in a file of the home between processes.

Tagging a sentence with HanTa costs about 2 ms; the sentences of the demo's items took 7 s of
every server start and 3.5 s of every `matcher search` (a process of its own each time). The
file holds, for each sentence, the nouns `tagged_nouns` found in it, keyed by a hash of the
sentence, with the tagger's fingerprint (its version, the noun rule's version and its nouns of
a probe text): a file written by another tagger or rule is ignored and the sentences tagged
again. A missing, corrupt or foreign file means "tag again", never an error; the file is
replaced whole (`atomic_write`), so a crash leaves the old one or the new one.

Only the sentences a caller names are written (`keep`: the items' sentences at start-up), so
the file follows the data and does not grow with every text the process ever saw; the
sentences of queries are never kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from matcher.files import atomic_write

log = logging.getLogger(__name__)

FILE_NAME = "tagged-nouns.json"
FORMAT_VERSION = 1

Tagger = Callable[[str], tuple[str, ...]]


def sentence_key(sentence: str) -> str:
    """A short hash naming a sentence (128 bits: no two sentences of a corpus meet)."""
    return hashlib.blake2b(sentence.encode("utf-8"), digest_size=16).hexdigest()


class TaggingCache:
    """Nouns of sentences by their hash: those read from the file or tagged by `keep`,
    and `tag` for any other sentence."""

    def __init__(self, tag: Tagger, fingerprint: Callable[[], str]) -> None:
        """`tag` finds the nouns of one sentence; `fingerprint` names the tagger and its rule
        (asked once, when the cache first reads or writes a file)."""
        self._tag = tag
        self._fingerprint = fingerprint
        self._version: str | None = None
        self._known: dict[str, tuple[str, ...]] = {}

    def __len__(self) -> int:
        return len(self._known)

    @property
    def version(self) -> str:
        if self._version is None:
            self._version = self._fingerprint()
        return self._version

    def nouns(self, sentence: str) -> tuple[str, ...]:
        """The nouns of one sentence: as kept, else tagged now (and not kept)."""
        found = self._known.get(sentence_key(sentence)) if self._known else None
        return self._tag(sentence) if found is None else found

    def read(self, path: Path) -> dict[str, tuple[str, ...]]:
        """The entries of the file at `path`; none if it is missing, unreadable, of another
        format or written by another tagger or rule."""
        try:
            saved = json.loads(path.read_bytes())
            if saved.get("format") != FORMAT_VERSION or saved.get("tagger") != self.version:
                log.info("ignoring %s: written by another tagger or format", path)
                return {}
            entries = saved["nouns"]
            if not isinstance(entries, dict) or not all(
                isinstance(nouns, list) and all(isinstance(n, str) for n in nouns)
                for nouns in entries.values()
            ):
                raise ValueError("entries are not lists of words")
            return {key: tuple(nouns) for key, nouns in entries.items()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("ignoring the tagged nouns in %s: %s", path, exc)
            return {}

    def keep(self, path: Path, sentences: Iterable[str]) -> int:
        """Hold the nouns of `sentences`: read from the file at `path` where it has them,
        tagged where not; the file is then rewritten with exactly these sentences if it
        differed (a write that fails only costs the next process the tagging). Returns how
        many sentences were tagged."""
        saved = self.read(path)
        keys = {sentence_key(s): s for s in sentences}
        known = {key: saved[key] for key in keys.keys() & saved.keys()}
        tagged = 0
        for key, sentence in keys.items():
            if key in known:
                continue
            held = self._known.get(key)
            if held is None:
                held = self._tag(sentence)
                tagged += 1
            known[key] = held
        self._known = known
        if known.keys() != saved.keys():
            self._write(path, known)
        return tagged

    def _write(self, path: Path, known: dict[str, tuple[str, ...]]) -> None:
        data = {"format": FORMAT_VERSION, "tagger": self.version, "nouns": known}
        try:
            atomic_write(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
        except OSError as exc:
            log.warning("could not keep the tagged nouns in %s: %s", path, exc)
