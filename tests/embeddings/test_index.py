import hashlib
import json
import os
import threading

import faiss
import numpy as np
import pytest

from matcher.domain.errors import NotReadyError
from matcher.embeddings.index import HNSW_EF_CONSTRUCTION, HNSW_M, VectorIndex


def _vectors(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _index(n=50, exact_max=1000):
    v = _vectors(n)
    ix = VectorIndex(16, "enc", exact_max=exact_max)
    ix.rebuild([f"i{i}" for i in range(n)], v, [f"h{i}" for i in range(n)])
    return ix, v


def test_exact_search_finds_itself_first():
    ix, v = _index()
    assert ix.index_type == "flat"
    assert ix.search(v[7], 3)[0][0] == "i7"
    assert ix.search(v[7], 1000)[-1][0] != "i7" and len(ix.search(v[7], 1000)) == 50


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: FAISS uses one thread anyway")
def test_a_search_from_a_new_thread_runs_on_one_openmp_thread():
    """OpenMP keeps the thread count per thread: a server's request threads, which never set
    it, searched on one OpenMP thread per core (their spinning cost milliseconds a search)."""
    ix, v = _index()
    seen = {}

    def request_thread():
        seen["before"] = faiss.omp_get_max_threads()
        ix.search(v[0], 3)
        seen["after"] = faiss.omp_get_max_threads()

    thread = threading.Thread(target=request_thread)
    thread.start()
    thread.join()
    assert seen["before"] > 1  # what a new thread starts with
    assert seen["after"] == 1


def test_add_replace_and_remove_without_rebuild():
    ix, v = _index()
    ix.remove(["i7"])
    assert "i7" not in ix and all(i != "i7" for i, _ in ix.search(v[7], 50))
    ix.add(["i8"], v[7:8], ["new"])  # replace i8's vector
    assert ix.search(v[7], 1)[0][0] == "i8" and ix.hashes["i8"] == "new" and len(ix) == 49
    assert np.allclose(ix.scores(v[7], ["i8"]), [1.0], atol=1e-5)


def test_approximate_index_above_threshold_supports_updates():
    ix, v = _index(n=400, exact_max=100)
    assert ix.index_type == "hnsw" and ix.ef_search > 0
    assert ix.search(v[3], 1)[0][0] == "i3"
    ix.remove(["i3"])
    assert "i3" not in ix and all(i != "i3" for i, _ in ix.search(v[3], 20))
    assert len(ix.search(v[3], 20)) == 20  # a tombstone does not cost a place
    ix.add(["i4"], v[3:4], ["new"])  # replace: the old vector becomes a tombstone
    assert ix.search(v[3], 1)[0][0] == "i4" and len(ix) == 399
    assert np.allclose(ix.scores(v[3], ["i4"]), [1.0], atol=1e-5)


def test_hnsw_round_trip_keeps_tombstones_hidden(tmp_path):
    ix, v = _index(n=300, exact_max=100)
    ix.remove(["i1", "i2"])
    ix.save(tmp_path, "projects")
    loaded = VectorIndex.load(tmp_path, "projects", "enc")
    assert loaded.index_type == "hnsw" and len(loaded) == 298
    assert loaded.search(v[5], 1)[0][0] == "i5"
    assert all(i not in ("i1", "i2") for i, _ in loaded.search(v[1], 50))


def test_size_and_tombstones_trigger_a_rebuild_from_own_vectors():
    ix, v = _index(n=100, exact_max=100)
    assert ix.index_type == "flat" and not ix.needs_rebuild
    ix.add(["i100"], _vectors(1, seed=9), ["h"])
    assert ix.needs_rebuild  # 101 > 100: exact search is no longer the choice
    ix.compact()
    assert ix.index_type == "hnsw" and not ix.needs_rebuild and ix.search(v[9], 1)[0][0] == "i9"
    ix.remove(["i10", "i11"])
    assert not ix.needs_rebuild  # below the threshold, but not yet at half of it
    ix.remove([f"i{i}" for i in range(12, 40)])  # 30 tombstones > a fifth of 71 items
    assert ix.needs_rebuild
    ix.compact()
    assert ix.index_type == "flat" and len(ix) == 71 and ix.search(v[40], 1)[0][0] == "i40"


def test_graph_shrunk_to_half_the_threshold_goes_back_to_exact():
    ix, v = _index(n=300, exact_max=200)
    ix.remove([f"i{i}" for i in range(30)])
    ix.compact()
    assert ix.index_type == "hnsw" and len(ix) == 270
    ix.remove([f"i{i}" for i in range(30, 201)])
    assert ix.needs_rebuild and len(ix) == 99
    ix.compact()
    assert ix.index_type == "flat" and ix.search(v[250], 1)[0][0] == "i250"


def test_save_load_round_trip(tmp_path):
    ix, v = _index()
    ix.save(tmp_path, "projects")
    loaded = VectorIndex.load(tmp_path, "projects", "enc")
    assert loaded.search(v[5], 1)[0][0] == "i5" and loaded.hashes == ix.hashes
    config = json.loads((tmp_path / "projects.config.json").read_text())
    assert config["count"] == 50 and config["encoder"] == "enc"


def test_corrupt_missing_or_foreign_index_is_refused(tmp_path):
    ix, _ = _index()
    ix.save(tmp_path, "projects")
    with pytest.raises(NotReadyError, match="encoder"):
        VectorIndex.load(tmp_path, "projects", "another-encoder")
    blob = bytearray((tmp_path / "projects.faiss").read_bytes())
    blob[-1] ^= 0xFF
    (tmp_path / "projects.faiss").write_bytes(bytes(blob))
    with pytest.raises(NotReadyError, match="checksum"):
        VectorIndex.load(tmp_path, "projects", "enc")
    with pytest.raises(NotReadyError):
        VectorIndex.load(tmp_path, "needs", "enc")


def test_saving_removes_temporaries_of_killed_processes_only(tmp_path):
    ix, _ = _index()
    dead = tmp_path / "projects.faiss.999999999.tmp"  # no such pid
    alive = tmp_path / f"projects.ids.json.{os.getppid()}.tmp"  # a live process
    dead.write_bytes(b"half")
    alive.write_bytes(b"in progress")
    ix.save(tmp_path, "projects")
    assert not dead.exists() and alive.exists()


def test_graph_is_built_with_the_tuned_construction_breadth():
    ix, v = _index(n=300, exact_max=100)
    graph = faiss.downcast_index(ix._index)
    assert graph.hnsw.efConstruction == HNSW_EF_CONSTRUCTION == ix.ef_construction
    assert graph.hnsw.nb_neighbors(1) == HNSW_M and not ix.needs_rebuild


def test_removals_from_an_exact_index_are_tombstones_until_compacted():
    """Labels are positions in the FAISS index, so an exact index cannot drop a vector either."""
    ix, v = _index(n=50)
    ix.remove([f"i{i}" for i in range(8)])
    assert len(ix) == 42 and ix._index.ntotal == 50 and not ix.needs_rebuild  # 8 of 42
    hits = ix.search(v[3], 42)
    assert len(hits) == 42 and "i3" not in dict(hits)  # tombstones take no place
    ix.add(["i10"], v[0:1], ["new"])  # a replacement tombstones the old vector too
    assert ix.needs_rebuild  # 9 tombstones > a fifth of 42
    ix.compact()
    assert ix._index.ntotal == 42 and ix.search(v[0], 1)[0][0] == "i10"


def _save_format_1(directory, ix_vectors, ef_construction, exact_max):
    """A save as release 1 wrote it: an IndexIDMap2 (labels with gaps) around the index."""
    n = len(ix_vectors)
    if n > exact_max:
        inner = faiss.IndexHNSWFlat(16, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = ef_construction
        index_type = "hnsw"
    else:
        inner = faiss.IndexFlatIP(16)
        index_type = "flat"
    wrapped = faiss.IndexIDMap2(inner)
    wrapped.add_with_ids(ix_vectors, np.arange(n, dtype=np.int64) * 3 + 5)
    blob = faiss.serialize_index(wrapped).tobytes()
    labels = {f"i{i}": i * 3 + 5 for i in range(1, n)}  # i0 was removed: a tombstone
    ids = json.dumps({"labels": labels, "hashes": {i: "h" for i in labels}, "next_label": n * 3})
    config = {
        "format": 1,
        "encoder": "enc",
        "dim": 16,
        "index_type": index_type,
        "ef_search": 16,
        "tombstones": 1,
        "exact_max": exact_max,
        "sha256": {
            "faiss": hashlib.sha256(blob).hexdigest(),
            "ids": hashlib.sha256(ids.encode()).hexdigest(),
        },
    }
    (directory / "projects.faiss").write_bytes(blob)
    (directory / "projects.ids.json").write_text(ids)
    (directory / "projects.config.json").write_text(json.dumps(config))


@pytest.mark.parametrize("n", [300, 50])
def test_a_format_1_save_is_read_and_its_graph_rebuilt_from_its_vectors(tmp_path, n):
    """An older release's save is converted, not re-encoded; its graph (built with FAISS's
    default efConstruction) asks for a rebuild from its own vectors."""
    v = _vectors(n)
    _save_format_1(tmp_path, v, ef_construction=40, exact_max=100)
    ix = VectorIndex.load(tmp_path, "projects", "enc")
    assert len(ix) == n - 1 and "i0" not in ix and ix.hashes["i7"] == "h"
    assert ix.search(v[7], 1)[0][0] == "i7" and all(i != "i0" for i, _ in ix.search(v[0], 20))
    assert np.allclose(ix.vectors(["i9", "i2"]), v[[9, 2]])
    assert ix.needs_rebuild == (n == 300)  # the graph's efConstruction is not the tuned one
    ix.compact()
    assert not ix.needs_rebuild and ix.search(v[7], 1)[0][0] == "i7"
    ix.save(tmp_path, "projects")
    assert json.loads((tmp_path / "projects.config.json").read_text())["format"] == 2


def test_an_unknown_format_is_refused(tmp_path):
    ix, _ = _index()
    ix.save(tmp_path, "projects")
    config = json.loads((tmp_path / "projects.config.json").read_text())
    (tmp_path / "projects.config.json").write_text(json.dumps({**config, "format": 3}))
    with pytest.raises(NotReadyError, match="format"):
        VectorIndex.load(tmp_path, "projects", "enc")


def test_text_hashes_are_kept_compactly_and_checked_before_anything_changes():
    ix, v = _index()
    with pytest.raises(ValueError, match="ASCII"):
        ix.add(["i1", "new"], v[:2], ["x" * 65, "h"])
    assert len(ix) == 50 and ix.hashes["i1"] == "h1" and "new" not in ix.hashes
    ix.add(["i1"], v[:1], ["a" * 64])  # a sha256 in hex fits
    ix.remove(["i2"])
    assert ix.hashes["i1"] == "a" * 64 and ix.hashes.get("i2") is None and len(ix.hashes) == 49
    assert dict(ix.hashes) == {**{f"i{i}": f"h{i}" for i in range(50) if i != 2}, "i1": "a" * 64}


@pytest.mark.parametrize("exact_max", [100, 1000])
def test_tombstones_nearest_to_the_query_take_no_place_in_the_top_k(exact_max):
    """They are skipped inside the FAISS search (a bitmap of live labels), not made up for by
    asking for k plus their number."""
    ix, v = _index(n=400, exact_max=exact_max)
    nearest = [i for i, _ in ix.search(v[0], 60)]
    ix.remove(nearest[:60])  # 60 tombstones: fewer than a fifth of 340, no rebuild yet
    assert not ix.needs_rebuild and ix._index.ntotal == 400
    hits = ix.search(v[0], 10)
    assert len(hits) == 10 and not set(nearest[:60]) & {i for i, _ in hits}
    exact = v[[int(i[1:]) for i in ix.ids]] @ v[0]
    assert hits[0][1] == pytest.approx(float(exact.max()), abs=1e-5)
