"""A saved BM25 index beside the vector index: loaded at start-up instead of analysing every text.

Analysing text costs about 0.3 ms an item: 30 s for 100,000 items in every process that opens
the service. A snapshot holds what the analysis produced (each item's terms, with the hash of
the text they came from) and the built bm25s index, in a directory of its own that is named
by the config file `<kind>.lexical.json` written last, with the sha256 of every file:

- after a crash the config names the old directory (still there) or the new one (complete);
- a snapshot that fails its checksum, was written by another format or by an analyzer that
  splits a probe text differently is refused (the caller analyses afresh, never serves it);
- items whose text changed since are analysed again; items gone are dropped (by text hash).

It also holds each term's document frequency and the total length, so that loading counts
nothing (counting the terms of 100,000 items took 10–23 s of every start). A snapshot of the
first format, without them, is counted once and saved anew; its terms are not analysed again.

The arrays are memory-mapped read-only: processes that load the same snapshot share its pages.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections import Counter
from pathlib import Path

import bm25s
import numpy as np

from matcher.domain.errors import NotReadyError
from matcher.files import atomic_write, sync_directory
from matcher.ranking.lexical import Analyzer, LexicalIndex, Terms

log = logging.getLogger(__name__)

# 3: words written with an umlaut have their written stem as a term too ("läd" beside "lad");
# a snapshot of 2 holds folded stems only and is analysed afresh.
FORMAT_VERSION = 3
# Formats still read: 1 lacks the document frequencies (counted at load, then saved anew; any
# real one was written by an analyzer of folded stems only, which the fingerprint refuses).
_READABLE = (1, FORMAT_VERSION)
# Analysed by the analyzer at save and at load: another analyzer (a changed stemmer, compound
# splitter or stop list) gives other terms, and the snapshot is refused.
PROBE = (
    "Die Gemeinde sucht eine Bürgerbeteiligungsplattform und digitale Straßenbeleuchtung "
    "für Dörfer; Glasfaserausbau, Rufbusse, Öffnungszeiten des Rathauses."
)


def analyzer_fingerprint(analyzer: Analyzer) -> str:
    """A short hash of the analyzer's terms for the probe text."""
    return hashlib.sha256("\x1f".join(analyzer.terms(PROBE)).encode()).hexdigest()[:16]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_config(path: Path, config: dict) -> None:
    """Replace the config atomically (it commits the snapshot)."""
    atomic_write(path, json.dumps(config, indent=2).encode("utf-8"))
    sync_directory(path.parent)


def save(index: LexicalIndex, directory: Path, kind: str, hashes: dict[str, str]) -> None:
    """Write a snapshot of `index` (every item with its text's hash in `hashes`)."""
    ids, terms, bm25 = index.snapshot()
    vocabulary = sorted({t for item_terms in terms for t in item_terms})
    number = {t: n for n, t in enumerate(vocabulary)}
    offsets = np.zeros(len(ids) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(x) for x in terms])
    flat = np.fromiter((number[t] for x in terms for t in x), dtype=np.int32, count=offsets[-1])
    df = np.zeros(len(vocabulary), dtype=np.int64)
    for item_terms in terms:
        df[[number[t] for t in set(item_terms)]] += 1
    name = f"{kind}.lexical-{os.getpid()}-{time.time_ns()}"
    folder = directory / name
    folder.mkdir(parents=True)
    try:
        if ids:
            if bm25 is None:  # the same build as LexicalIndex's (an item without terms: [""])
                bm25 = bm25s.BM25(k1=index.k1, b=index.b)
                bm25.index([x or [""] for x in terms], show_progress=False)
            bm25.save(str(folder / "bm25"), show_progress=False)
        np.save(folder / "terms.npy", flat)
        np.save(folder / "offsets.npy", offsets)
        np.save(folder / "df.npy", df)
        (folder / "ids.json").write_text(
            json.dumps(
                {"ids": ids, "hashes": [hashes[i] for i in ids], "vocabulary": vocabulary},
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        for path in files:
            with path.open("rb") as f:
                os.fsync(f.fileno())
        config = {
            "format": FORMAT_VERSION,
            "kind": kind,
            "analyzer": analyzer_fingerprint(index.analyzer),
            "k1": index.k1,
            "b": index.b,
            "count": len(ids),
            "total_length": int(offsets[-1]),
            "folder": name,
            "sha256": {str(p.relative_to(folder)): _sha256(p) for p in files},
        }
        _write_config(directory / f"{kind}.lexical.json", config)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _remove_old_folders(directory, kind)


def _remove_old_folders(directory: Path, kind: str) -> None:
    """Delete snapshot folders the config no longer names, except those another live process
    may be writing (named by its pid)."""
    try:
        current = json.loads((directory / f"{kind}.lexical.json").read_text())["folder"]
    except (OSError, ValueError, KeyError):
        return
    for old in directory.glob(f"{kind}.lexical-*"):
        pid = old.name.rsplit("-", 2)[-2]
        writing = pid.isdigit() and int(pid) != os.getpid() and Path(f"/proc/{pid}").exists()
        if old.name != current and old.is_dir() and not writing:
            shutil.rmtree(old, ignore_errors=True)


def load(directory: Path, kind: str, analyzer: Analyzer) -> tuple[LexicalIndex, dict[str, str]]:
    """The saved index of `kind` and the text hash of each item; NotReadyError if missing,
    corrupt, or written by another format or analyzer."""
    index, hashes, _current = _load(directory, kind, analyzer)
    return index, hashes


def _load(
    directory: Path, kind: str, analyzer: Analyzer
) -> tuple[LexicalIndex, dict[str, str], bool]:
    """`load`, and whether the snapshot is of the current format (else it should be saved
    anew)."""
    try:
        config = json.loads((directory / f"{kind}.lexical.json").read_text(encoding="utf-8"))
        folder = directory / config["folder"]
        if config.get("format") not in _READABLE or config.get("kind") != kind:
            raise NotReadyError(f"lexical index {kind!r} has another format")
        if config.get("analyzer") != analyzer_fingerprint(analyzer):
            raise NotReadyError(f"lexical index {kind!r} was built by another analyzer")
        sums = config["sha256"]
        found = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
        if found != set(sums) or any(_sha256(folder / f) != s for f, s in sums.items()):
            raise NotReadyError(f"lexical index {kind!r} fails its checksum")
        mapping = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
        flat = np.load(folder / "terms.npy", mmap_mode="r")
        offsets = np.load(folder / "offsets.npy")
        current = config["format"] == FORMAT_VERSION
        df = np.load(folder / "df.npy") if current else None
        ids, vocabulary = mapping["ids"], mapping["vocabulary"]
        bm25 = None
        if ids:
            bm25 = bm25s.BM25.load(str(folder / "bm25"), mmap=True, show_progress=False)
    except NotReadyError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise NotReadyError(f"lexical index {kind!r} missing or unreadable: {exc}") from None
    if len(offsets) != len(ids) + 1 or len(mapping["hashes"]) != len(ids):
        raise NotReadyError(f"lexical index {kind!r} disagrees with its id list")
    terms = Terms(ids, vocabulary, flat, offsets)
    counts = None
    if df is not None:
        if len(df) != len(vocabulary) or config.get("total_length") != int(offsets[-1]):
            raise NotReadyError(f"lexical index {kind!r} disagrees with its counts")
        counts = (Counter(dict(zip(vocabulary, df.tolist(), strict=True))), int(offsets[-1]))
    index = LexicalIndex(analyzer, k1=config["k1"], b=config["b"])
    index.restore(terms, bm25, counts)
    return index, dict(zip(ids, mapping["hashes"], strict=True)), current


def reconciled(
    directory: Path, kind: str, analyzer: Analyzer, texts: dict[str, str], hashes: dict[str, str]
) -> LexicalIndex:
    """The lexical index of `kind` holding exactly `texts`: the snapshot with the items changed
    since analysed again, or every text analysed when there is no usable snapshot. A changed
    index is saved (a failed save is logged: the next start analyses again, nothing is lost)."""
    current = False
    try:
        index, saved, current = _load(directory, kind, analyzer)
    except NotReadyError as exc:
        if (directory / f"{kind}.lexical.json").exists():
            log.warning("analysing the %s texts again: %s", kind, exc)
        index, saved = LexicalIndex(analyzer), {}
    stale = [i for i in texts if saved.get(i) != hashes[i]]
    gone = [i for i in saved if i not in texts]
    index.remove(gone)
    index.add(stale, [texts[i] for i in stale])
    if stale or gone or not current:
        try:
            save(index, directory, kind, hashes)
        except OSError as exc:
            log.warning("could not save the %s lexical index: %s", kind, exc)
    return index
