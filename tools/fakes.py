"""A deterministic fake encoder for fast unit tests: hashed bag of stems, unit length.

Texts that share words get similar vectors, so ranking logic can be tested without a model.
"""

from __future__ import annotations

import hashlib

import numpy as np

from matcher.embeddings.base import Encoder, normalize
from matcher.ranking.analysis import GermanAnalyzer

_ANALYZER = GermanAnalyzer()


class FakeEncoder(Encoder):
    name = "fake-hashing-64"
    dim = 64

    def __init__(self) -> None:
        self.calls = 0
        self.texts_encoded = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.texts_encoded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for term in _ANALYZER.terms(text) or ["<leer>"]:
                digest = hashlib.blake2b(term.encode(), digest_size=8).digest()
                slot = int.from_bytes(digest[:4], "little") % self.dim
                out[row, slot] += 1.0 if digest[4] % 2 else -1.0
        return normalize(out)
