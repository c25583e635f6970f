import json
import os
import threading

import faiss
import numpy as np
import pytest

from matcher.domain.errors import NotReadyError
from matcher.embeddings.index import VectorIndex


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
