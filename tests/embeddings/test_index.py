import json

import numpy as np
import pytest

from matcher.embeddings.index import VectorIndex
from matcher.errors import NotReadyError


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


def test_add_replace_and_remove_without_rebuild():
    ix, v = _index()
    ix.remove(["i7"])
    assert "i7" not in ix and all(i != "i7" for i, _ in ix.search(v[7], 50))
    ix.add(["i8"], v[7:8], ["new"])  # replace i8's vector
    assert ix.search(v[7], 1)[0][0] == "i8" and ix.hashes["i8"] == "new" and len(ix) == 49
    assert np.allclose(ix.scores(v[7], ["i8"]), [1.0], atol=1e-5)


def test_approximate_index_above_threshold_supports_updates():
    ix, v = _index(n=400, exact_max=100)
    assert ix.index_type == "ivf"
    assert ix.search(v[3], 1)[0][0] == "i3"
    ix.remove(["i3"])
    assert all(i != "i3" for i, _ in ix.search(v[3], 20))


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
