"""A FAISS vector index with its id map, saved atomically with a config file beside it.

Exact inner-product search (vectors are unit length, so this is cosine) up to a size
threshold; above it an HNSW graph (chosen over IVF by `matcher bench`: at 100k vectors shaped
like real text embeddings IVF needed a quarter of its lists for recall@10 >= 0.95, HNSW a
fraction of a millisecond; see docs/scaling.md). Items are added, replaced and removed without
a rebuild; HNSW cannot delete, so removed items become tombstones that searches skip, and the
graph is rebuilt from its own vectors when they exceed a fifth of it (removals from an exact
index are tombstones too, so that an item's label is always its position in the FAISS index and
no FAISS id map is needed). Each item remembers the hash of the text it was encoded from, so
staleness is detectable.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import faiss
import numpy as np

from matcher.domain.errors import NotReadyError
from matcher.files import atomic_write, sync_directory

# 2: labels are positions in a bare FAISS index. 1: labels were kept by an IndexIDMap2 around
# it; such saves are still read (converted on load), and their graphs rebuilt from their vectors.
FORMAT_VERSION = 2
_READABLE_FORMATS = (1, FORMAT_VERSION)

_BUILD_THREADS = os.cpu_count() or 1
HNSW_M = 32
# Candidates kept while inserting into the graph. FAISS's default (40) left the 1M-item graph
# needing efSearch 768 for recall@10 0.95 (p99 12.6 ms); a better-connected graph reaches it at
# a smaller efSearch, for about three times the build time (docs/scaling.md).
HNSW_EF_CONSTRUCTION = 128
_TOMBSTONE_SHARE = 0.2

# Told of the phases of a save (event, detail), e.g. by the fault harness to time its kills:
# "file-start"/"file-done" with the file name around each file written.
Observer = Callable[[str, str], None]


# Threads that have set FAISS to search on one OpenMP thread (the setting is per thread).
_one_thread = threading.local()


def search_on_one_thread() -> None:
    """Make FAISS search on one OpenMP thread, in the calling thread.

    One query at a time is searched; OpenMP threads only add start-up and spin cost there
    (measured 5 ms instead of 0.1 ms per search over a few hundred vectors on a busy 2-core
    machine). OpenMP keeps this setting per thread, and a thread that never set it gets one
    OpenMP thread per core: a server's request threads did (`VectorIndex.search` sets it in
    each thread that searches). Building a graph still uses every core (`VectorIndex.rebuild`).
    """
    faiss.omp_set_num_threads(1)
    _one_thread.set = True


def hnsw_ef_search(n: int) -> int:
    """Search breadth of the HNSW graph for n vectors: the smallest reaching recall@10 0.95
    with some margin in the sweeps on embedding-shaped synthetic corpora of 896 dimensions
    (use+e5) with graphs built at HNSW_EF_CONSTRUCTION (docs/scaling.md)."""
    if n <= 30_000:
        return 32  # 30k (USE, 512 dimensions): recall 0.97
    if n <= 100_000:
        return 64  # 200k: 0.957
    if n <= 300_000:
        return 96  # 200k: 0.973
    return 384  # 1M: 0.962 at p99 4.9 ms (320: 0.957; 256: 0.948; 512: 0.969 at p99 6.3 ms)


def _remove_orphaned_temporaries(directory: Path, name: str) -> None:
    """Delete temporary files left by a process killed while saving (its pid is gone)."""
    for tmp in directory.glob(f"{name}.*.*.tmp"):
        pid = tmp.name.rsplit(".", 2)[-2]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            tmp.unlink(missing_ok=True)


def _grown(array: np.ndarray, size: int) -> np.ndarray:
    """`array` with room for at least `size` entries (new ones zero); it grows by a quarter at
    least, so that adding items one by one stays cheap."""
    if size <= len(array):
        return array
    grown = np.zeros(max(size, len(array) * 5 // 4), dtype=array.dtype)
    grown[: len(array)] = array
    return grown


class TextHashes(Mapping[str, str]):
    """The hash of each item's text by id, read-only: one fixed-width slot an item in an array
    indexed by label (64 bytes an item, where a dict of 64-character strings cost about 160:
    at 512 dimensions that alone was 8 % of the raw vectors)."""

    WIDTH = 64  # a sha256 in hex (`text_hash`)

    def __init__(self, label_of: dict[str, int]) -> None:
        self._label_of = label_of  # shared with the index, which adds and removes items
        self._slots = np.zeros(0, dtype=f"S{self.WIDTH}")

    def __getitem__(self, item_id: str) -> str:
        return self._slots[self._label_of[item_id]].decode("ascii")

    def __iter__(self) -> Iterator[str]:
        return iter(self._label_of)

    def __len__(self) -> int:
        return len(self._label_of)

    def put(self, labels: np.ndarray, hashes: list[str]) -> None:
        """Store the hashes of these labels (ASCII, at most WIDTH characters)."""
        if any(len(h) > self.WIDTH or not h.isascii() for h in hashes):
            raise ValueError(f"a text hash must be ASCII of at most {self.WIDTH} characters")
        end = int(labels.max()) + 1 if len(labels) else 0
        self._slots = _grown(self._slots, end)
        self._slots[labels] = np.asarray(hashes, dtype=self._slots.dtype)


class VectorIndex:
    """Vectors of one kind of item, searchable by inner product, addressed by string id.

    An item's label is its position in the FAISS index (FAISS numbers vectors in the order they
    were added): `_ids` maps labels back to ids (None for a tombstone), `_label_of` the other
    way. A list of labels costs 8 bytes an item where FAISS's IndexIDMap2 and a second dict
    cost about 100 (docs/scaling.md: memory of the 1M-item index).
    """

    def __init__(self, dim: int, encoder: str, exact_max: int = 20_000) -> None:
        self.dim = dim
        self.encoder = encoder
        self.exact_max = exact_max
        self.index_type = "flat"
        self.ef_search = 0
        self.ef_construction = 0
        self._index: faiss.Index = faiss.IndexFlatIP(dim)
        self._label_of: dict[str, int] = {}
        self._ids: list[str | None] = []
        self._live = np.zeros(0, dtype=np.uint8)  # a bit per label: set while it is no tombstone
        self.hashes = TextHashes(self._label_of)

    def __len__(self) -> int:
        return len(self._label_of)

    def __contains__(self, item_id: str) -> bool:
        return item_id in self._label_of

    @property
    def ids(self) -> list[str]:
        """Ids in the index."""
        return list(self._label_of)

    @property
    def _tombstones(self) -> int:
        """Removed or replaced vectors the FAISS index still holds (searches skip them)."""
        return len(self._ids) - len(self._label_of)

    def chosen_type(self, n: int | None = None) -> str:
        """The index type for n items (default: the current count)."""
        return "flat" if (len(self) if n is None else n) <= self.exact_max else "hnsw"

    @property
    def needs_rebuild(self) -> bool:
        """True when the size outgrew exact search, shrank to half the threshold (HNSW),
        tombstones fill too much of the index, or the graph was built with other parameters
        (an older release's)."""
        n = len(self)
        if self.index_type == "flat":
            if n > self.exact_max:
                return True
        elif n < self.exact_max // 2 or self.ef_construction != HNSW_EF_CONSTRUCTION:
            return True  # (not at once below the threshold: no flapping around it)
        return self._tombstones > _TOMBSTONE_SHARE * max(n, 1)

    # -- building ------------------------------------------------------------------------

    def rebuild(self, ids: list[str], vectors: np.ndarray, hashes: list[str]) -> None:
        """Replace the whole content; chooses exact or HNSW by size."""
        n = len(ids)
        if self.chosen_type(n) == "hnsw":
            graph = faiss.IndexHNSWFlat(self.dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            graph.hnsw.efConstruction = self.ef_construction = HNSW_EF_CONSTRUCTION
            self.ef_search = graph.hnsw.efSearch = hnsw_ef_search(n)
            self._index, self.index_type = graph, "hnsw"
        else:
            self._index = faiss.IndexFlatIP(self.dim)
            self.index_type, self.ef_search, self.ef_construction = "flat", 0, 0
        self._label_of, self._ids, self._live = {}, [], np.zeros(0, dtype=np.uint8)
        self.hashes = TextHashes(self._label_of)
        # Building a graph is batch work: use every core (searches stay single-threaded).
        faiss.omp_set_num_threads(_BUILD_THREADS)
        try:
            self.add(ids, vectors, hashes)
        finally:
            faiss.omp_set_num_threads(1)

    def compact(self) -> None:
        """Rebuild from the index's own vectors (no re-encoding), e.g. after the size crossed
        the exact-search threshold or tombstones piled up."""
        ids = self.ids
        vectors = self.vectors(ids)
        hashes = [self.hashes[i] for i in ids]
        self.rebuild(ids, vectors, hashes)

    def add(self, ids: list[str], vectors: np.ndarray, hashes: list[str]) -> None:
        """Add items; an id already present is replaced (its old vector becomes a tombstone)."""
        if not ids:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(ids), self.dim) or len(hashes) != len(ids):
            raise ValueError(
                f"expected vectors of shape ({len(ids)}, {self.dim}) and {len(ids)} hashes, "
                f"got {vectors.shape} and {len(hashes)}"
            )
        labels = np.arange(len(self._ids), len(self._ids) + len(ids))
        self.hashes.put(labels, hashes)  # first: it checks them (removing shifts no label)
        self.remove([i for i in ids if i in self._label_of])
        self._index.add(vectors)
        if self.index_type == "hnsw":  # a growing graph searches wider
            self.ef_search = hnsw_ef_search(len(self) + len(ids))
            self._apply_ef_search()
        self._label_of.update(zip(ids, labels.tolist(), strict=True))
        self._ids.extend(ids)
        self._set_live(labels)

    def _set_live(self, labels: np.ndarray) -> None:
        """Set the bits of these labels in the bitmap FAISS's IDSelectorBitmap reads (label i
        is bit i % 8 of byte i // 8)."""
        if not len(labels):
            return
        self._live = _grown(self._live, int(labels.max()) // 8 + 1)
        np.bitwise_or.at(self._live, labels >> 3, np.left_shift(1, labels & 7).astype(np.uint8))

    def _graph(self) -> faiss.IndexHNSW:
        graph = faiss.downcast_index(self._index)
        if not isinstance(graph, faiss.IndexHNSW):
            raise NotReadyError(f"expected an HNSW graph, found {type(graph).__name__}")
        return graph

    def _apply_ef_search(self) -> None:
        """Set the search breadth of the HNSW graph to `ef_search`."""
        self._graph().hnsw.efSearch = self.ef_search

    def remove(self, ids: list[str]) -> None:
        """Remove items (unknown ids are ignored); their vectors stay as tombstones."""
        for item_id in ids:
            label = self._label_of.pop(item_id, None)
            if label is not None:
                self._ids[label] = None  # (and its hash is no longer reachable)
                self._live[label >> 3] &= np.uint8(0xFF ^ (1 << (label & 7)))

    # -- searching -----------------------------------------------------------------------

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Up to k (id, cosine) pairs, best first."""
        k = min(k, len(self))
        if k <= 0:
            return []
        if not getattr(_one_thread, "set", False):
            search_on_one_thread()
        query = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, -1)
        ids, live = self._ids, self._live  # (kept alive while FAISS reads the bitmap)
        params, selector = None, None
        if self._tombstones:
            # Skipped inside the search, so they take no place in the top k. (Asking for k plus
            # the number of tombstones instead widened an HNSW search to thousands at 1M items.)
            # (its size is in bytes: labels past the bitmap are not members)
            selector = faiss.IDSelectorBitmap(len(live), faiss.swig_ptr(live))
            if self.index_type == "hnsw":
                # (in the binding since FAISS 1.7.3; its bundled stubs do not list it)
                params = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
                params.efSearch = self.ef_search  # (parameters replace the graph's own)
            else:
                params = faiss.SearchParameters()
            params.sel = selector  # (a plain pointer: `selector` lives until the search ends)
        scores, labels = self._index.search(query, k, params=params)
        hits = [
            (item_id, float(score))
            for score, label in zip(scores[0].tolist(), labels[0].tolist(), strict=True)
            # -1: fewer than asked; a label past `ids`: added by a write not finished yet
            if 0 <= label < len(ids) and (item_id := ids[label]) is not None
        ]
        return hits[:k]

    def vectors(self, ids: list[str]) -> np.ndarray:
        """Stored vectors of these ids (all must be present)."""
        if not ids:
            return np.zeros((0, self.dim), dtype=np.float32)
        labels = np.asarray([self._label_of[i] for i in ids], dtype=np.int64)
        return self._index.reconstruct_batch(labels)

    def scores(self, vector: np.ndarray, ids: list[str]) -> np.ndarray:
        """Cosine of the query with each of these ids."""
        return self.vectors(ids) @ np.asarray(vector, dtype=np.float32)

    # -- persistence ---------------------------------------------------------------------

    def save(self, directory: Path, name: str, observer: Observer | None = None) -> None:
        """Write `<name>.faiss`, `<name>.ids.json` and `<name>.config.json` atomically;
        `observer` hears "file-start" and "file-done" (with the file name) around each."""
        directory.mkdir(parents=True, exist_ok=True)
        blob = faiss.serialize_index(self._index).tobytes()
        ids = json.dumps(
            {"labels": self._label_of, "hashes": dict(self.hashes), "next_label": len(self._ids)}
        ).encode()
        config = {
            "format": FORMAT_VERSION,
            "kind": name,
            "encoder": self.encoder,
            "dim": self.dim,
            "index_type": self.index_type,
            "ef_search": self.ef_search,
            "ef_construction": self.ef_construction,
            "tombstones": self._tombstones,
            "count": len(self),
            "exact_max": self.exact_max,
            "sha256": {
                "faiss": hashlib.sha256(blob).hexdigest(),
                "ids": hashlib.sha256(ids).hexdigest(),
            },
        }
        # The config is written last: it names the checksums the other two must have.
        files = (
            (f"{name}.faiss", blob),
            (f"{name}.ids.json", ids),
            (f"{name}.config.json", json.dumps(config, indent=2).encode()),
        )
        for file_name, data in files:
            if observer is not None:
                observer("file-start", file_name)
            atomic_write(directory / file_name, data)
            if observer is not None:
                observer("file-done", file_name)
        # One sync for the three renames: a power cut before it may leave old and new files
        # side by side, which the checksums refuse (the index is then rebuilt, never served).
        sync_directory(directory)
        _remove_orphaned_temporaries(directory, name)

    @classmethod
    def load(cls, directory: Path, name: str, encoder: str) -> VectorIndex:
        """Reload a saved index; NotReadyError if missing, corrupt or for another encoder."""
        try:
            config = json.loads((directory / f"{name}.config.json").read_text())
            blob = (directory / f"{name}.faiss").read_bytes()
            ids = (directory / f"{name}.ids.json").read_bytes()
        except (OSError, ValueError) as exc:
            raise NotReadyError(f"index {name!r} missing or unreadable: {exc}") from None
        if config.get("format") not in _READABLE_FORMATS or config.get("encoder") != encoder:
            raise NotReadyError(f"index {name!r} was built with another encoder or format")
        sums = config.get("sha256", {})
        if hashlib.sha256(blob).hexdigest() != sums.get("faiss") or hashlib.sha256(
            ids
        ).hexdigest() != sums.get("ids"):
            raise NotReadyError(f"index {name!r} fails its checksum")
        mapping = json.loads(ids)
        index = cls(config["dim"], encoder, config.get("exact_max", 20_000))
        index.index_type = config["index_type"]
        expected = {"flat": faiss.IndexFlat, "hnsw": faiss.IndexHNSWFlat}.get(index.index_type)
        if expected is None:
            raise NotReadyError(f"index {name!r} has an unknown type {index.index_type!r}")
        loaded = faiss.deserialize_index(np.frombuffer(blob, dtype=np.uint8))
        labels = {k: int(v) for k, v in mapping["labels"].items()}
        if config["format"] == 1:
            loaded, labels = _without_id_map(loaded, labels, name)
        if not isinstance(loaded, expected) or loaded.d != index.dim:
            raise NotReadyError(f"index {name!r} is not a {index.index_type} index of its size")
        index._index = loaded
        index._ids = [None] * loaded.ntotal
        for item_id, label in labels.items():
            if not 0 <= label < loaded.ntotal or index._ids[label] is not None:
                raise NotReadyError(f"index {name!r} disagrees with its id map")
            index._ids[label] = item_id
        hashes = mapping["hashes"]
        if hashes.keys() != labels.keys():
            raise NotReadyError(f"index {name!r} disagrees with its id map")
        index._label_of = labels
        positions = np.fromiter(labels.values(), dtype=np.int64, count=len(labels))
        index._set_live(positions)
        index.hashes = TextHashes(labels)
        try:
            index.hashes.put(positions, [hashes[i] for i in labels])
        except ValueError as exc:
            raise NotReadyError(f"index {name!r} has unreadable text hashes: {exc}") from None
        if index.index_type == "hnsw":
            index.ef_construction = index._graph().hnsw.efConstruction
            index.ef_search = hnsw_ef_search(len(index))
            index._apply_ef_search()
        return index


def _without_id_map(
    loaded: faiss.Index, labels: dict[str, int], name: str
) -> tuple[faiss.Index, dict[str, int]]:
    """The FAISS index inside a format-1 IndexIDMap2, and each item's position in it."""
    if not isinstance(loaded, faiss.IndexIDMap2):
        raise NotReadyError(f"index {name!r} is not an id-mapped FAISS index")
    position_of = {int(label): p for p, label in enumerate(faiss.vector_to_array(loaded.id_map))}
    try:
        positions = {item_id: position_of[label] for item_id, label in labels.items()}
    except KeyError:
        raise NotReadyError(f"index {name!r} disagrees with its id map") from None
    inner = faiss.downcast_index(loaded.index)
    # The wrapper owns (and deletes) the inner index: keep it alive as long as the inner one,
    # as FAISS's own Python wrappers do with `referenced_objects`.
    inner.referenced_objects = [loaded]  # type: ignore[attr-defined]  # (a Python attribute)
    return inner, positions
