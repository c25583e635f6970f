"""A FAISS vector index with its id map, saved atomically with a config file beside it.

Exact inner-product search (vectors are unit length, so this is cosine) up to a size
threshold; above it an HNSW graph (chosen over IVF by `matcher bench`: at 100k vectors shaped
like real text embeddings IVF needed a quarter of its lists for recall@10 >= 0.95, HNSW a
fraction of a millisecond; see docs/scaling.md). Items are added, replaced and removed without
a rebuild; HNSW cannot delete, so removed items become tombstones that searches skip, and the
graph is rebuilt from its own vectors when they exceed a fifth of it. Each item remembers the
hash of the text it was encoded from, so staleness is detectable.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

import faiss
import numpy as np

from matcher.domain.errors import NotReadyError

FORMAT_VERSION = 1

_BUILD_THREADS = os.cpu_count() or 1
HNSW_M = 32
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
    """Search breadth of the HNSW graph for n vectors, from the sweeps of `matcher bench` on
    embedding-shaped synthetic corpora (docs/scaling.md): the smallest reaching recall@10 0.95
    up to 300k; above, the largest whose p99 stayed under 10 ms at 1M (recall 0.94)."""
    if n <= 30_000:
        return 32
    if n <= 300_000:
        return 64
    return 512  # at 1M: recall 0.942, p99 7.8 ms (768: 0.957 but p99 12.6 ms)


def _atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` by `data`: after a crash it holds the old bytes or the new, whole.

    The temporary file is per process: two API workers may save at once, and with one shared
    name the second rename found nothing (a committed write answered 500).
    """
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _remove_orphaned_temporaries(directory: Path, name: str) -> None:
    """Delete temporary files left by a process killed while saving (its pid is gone)."""
    for tmp in directory.glob(f"{name}.*.*.tmp"):
        pid = tmp.name.rsplit(".", 2)[-2]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            tmp.unlink(missing_ok=True)


def _sync_directory(directory: Path) -> None:
    """Make the renames in a directory durable (a power cut, not only a killed process)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class VectorIndex:
    """Vectors of one kind of item, searchable by inner product, addressed by string id."""

    def __init__(self, dim: int, encoder: str, exact_max: int = 20_000) -> None:
        self.dim = dim
        self.encoder = encoder
        self.exact_max = exact_max
        self.index_type = "flat"
        self.ef_search = 0
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._label_of: dict[str, int] = {}
        self._id_of: dict[int, str] = {}
        self.hashes: dict[str, str] = {}
        self._next_label = 0
        self._tombstones = 0

    def __len__(self) -> int:
        return len(self._label_of)

    def __contains__(self, item_id: str) -> bool:
        return item_id in self._label_of

    @property
    def ids(self) -> list[str]:
        """Ids in the index."""
        return list(self._label_of)

    def chosen_type(self, n: int | None = None) -> str:
        """The index type for n items (default: the current count)."""
        return "flat" if (len(self) if n is None else n) <= self.exact_max else "hnsw"

    @property
    def needs_rebuild(self) -> bool:
        """True when the size outgrew exact search, shrank to half the threshold (HNSW), or
        HNSW tombstones fill too much of the graph."""
        n = len(self)
        if self.index_type == "flat":
            return n > self.exact_max
        if n < self.exact_max // 2:  # not at once below the threshold: no flapping around it
            return True
        return self._tombstones > _TOMBSTONE_SHARE * max(len(self), 1)

    # -- building ------------------------------------------------------------------------

    def rebuild(self, ids: list[str], vectors: np.ndarray, hashes: list[str]) -> None:
        """Replace the whole content; chooses exact or HNSW by size."""
        n = len(ids)
        if self.chosen_type(n) == "hnsw":
            graph = faiss.IndexHNSWFlat(self.dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            self.ef_search = graph.hnsw.efSearch = hnsw_ef_search(n)
            self._index, self.index_type = faiss.IndexIDMap2(graph), "hnsw"
        else:
            self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))
            self.index_type, self.ef_search = "flat", 0
        self._label_of, self._id_of, self.hashes = {}, {}, {}
        self._next_label, self._tombstones = 0, 0
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
        """Add items; an id already present is replaced."""
        if not ids:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(ids), self.dim):
            raise ValueError(
                f"expected vectors of shape ({len(ids)}, {self.dim}), got {vectors.shape}"
            )
        self.remove([i for i in ids if i in self._label_of])
        labels = np.arange(self._next_label, self._next_label + len(ids), dtype=np.int64)
        self._next_label += len(ids)
        self._index.add_with_ids(vectors, labels)
        if self.index_type == "hnsw":  # a growing graph searches wider
            self.ef_search = hnsw_ef_search(len(self) + len(ids))
            self._apply_ef_search()
        for item_id, label, h in zip(ids, labels.tolist(), hashes, strict=True):
            self._label_of[item_id] = label
            self._id_of[label] = item_id
            self.hashes[item_id] = h

    def _apply_ef_search(self) -> None:
        """Set the search breadth of the HNSW graph inside the id map to `ef_search`."""
        graph = faiss.downcast_index(self._index.index)
        if not isinstance(graph, faiss.IndexHNSW):
            raise NotReadyError(f"expected an HNSW graph, found {type(graph).__name__}")
        graph.hnsw.efSearch = self.ef_search

    def remove(self, ids: list[str]) -> None:
        """Remove items (unknown ids are ignored)."""
        labels = [self._label_of.pop(i) for i in ids if i in self._label_of]
        if not labels:
            return
        if self.index_type == "hnsw":
            self._tombstones += len(labels)  # the graph keeps them; searches skip them
        else:
            # faiss's stub types the argument as IDSelector only; its Python wrapper
            # (class_wrappers.replacement_remove_ids) documents and accepts an id array too.
            self._index.remove_ids(np.asarray(labels, dtype=np.int64))  # type: ignore[arg-type]
        for label in labels:
            self.hashes.pop(self._id_of.pop(label), None)

    # -- searching -----------------------------------------------------------------------

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Up to k (id, cosine) pairs, best first."""
        k = min(k, len(self))
        if k <= 0:
            return []
        if not getattr(_one_thread, "set", False):
            search_on_one_thread()
        query = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, -1)
        # Tombstones may take places in the top k; ask for enough to make up for them.
        scores, labels = self._index.search(query, min(k + self._tombstones, self._index.ntotal))
        hits = [
            (self._id_of[label], float(score))
            for score, label in zip(scores[0].tolist(), labels[0].tolist(), strict=True)
            if label in self._id_of
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
            {"labels": self._label_of, "hashes": self.hashes, "next_label": self._next_label}
        ).encode()
        config = {
            "format": FORMAT_VERSION,
            "kind": name,
            "encoder": self.encoder,
            "dim": self.dim,
            "index_type": self.index_type,
            "ef_search": self.ef_search,
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
            _atomic_write(directory / file_name, data)
            if observer is not None:
                observer("file-done", file_name)
        # One sync for the three renames: a power cut before it may leave old and new files
        # side by side, which the checksums refuse (the index is then rebuilt, never served).
        _sync_directory(directory)
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
        if config.get("format") != FORMAT_VERSION or config.get("encoder") != encoder:
            raise NotReadyError(f"index {name!r} was built with another encoder or format")
        sums = config.get("sha256", {})
        if hashlib.sha256(blob).hexdigest() != sums.get("faiss") or hashlib.sha256(
            ids
        ).hexdigest() != sums.get("ids"):
            raise NotReadyError(f"index {name!r} fails its checksum")
        mapping = json.loads(ids)
        index = cls(config["dim"], encoder, config.get("exact_max", 20_000))
        loaded = faiss.deserialize_index(np.frombuffer(blob, dtype=np.uint8))
        if not isinstance(loaded, faiss.IndexIDMap2):
            raise NotReadyError(f"index {name!r} is not an id-mapped FAISS index")
        index._index = loaded
        index.index_type = config["index_type"]
        if index.index_type not in ("flat", "hnsw"):
            raise NotReadyError(f"index {name!r} has an unknown type {index.index_type!r}")
        index.ef_search = config.get("ef_search", 0)
        index._tombstones = config.get("tombstones", 0)
        if index.index_type == "hnsw":
            index._apply_ef_search()
        index._label_of = {k: int(v) for k, v in mapping["labels"].items()}
        index._id_of = {v: k for k, v in index._label_of.items()}
        index.hashes = mapping["hashes"]
        index._next_label = mapping["next_label"]
        if index._index.ntotal != len(index._label_of) + index._tombstones:
            raise NotReadyError(f"index {name!r} disagrees with its id map")
        return index
