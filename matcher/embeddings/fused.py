"""Score fusion of two encoders inside one vector index.

With unit vectors u (first encoder) and e (second), the concatenation

    v = [√w · u, √(1 − w) · e]

is again of unit length, and the inner product of two such vectors is w · cos_first +
(1 − w) · cos_second: one FAISS search ranks by the weighted sum of both cosines, and every
other use of a vector (item queries, centroids, thresholds) sees that sum. The second encoder
must already be on the first's scale (the e5 encoder is calibrated onto USE's), or the sum
would be dominated by whichever model has the larger cosines.
"""

from __future__ import annotations

import math

import numpy as np

from matcher.domain.errors import ConfigError
from matcher.embeddings.base import Encoder


class FusedEncoder(Encoder):
    """Two encoders side by side; `weight` is the first one's share of the cosine."""

    def __init__(self, first: Encoder, second: Encoder, weight: float) -> None:
        if not 0.0 <= weight <= 1.0:
            raise ConfigError(f"fusion weight must lie within 0–1, got {weight}")
        self.first = first
        self.second = second
        self.weight = weight
        self.dim = first.dim + second.dim
        # The name holds both models (with their calibration) and the weight: any change makes
        # saved indexes and cached vectors stale.
        self.name = f"fused:{weight:g}:{first.name}+{second.name}"
        self._scales = (np.float32(math.sqrt(weight)), np.float32(math.sqrt(1.0 - weight)))

    def _join(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(
            np.hstack([self._scales[0] * a, self._scales[1] * b]), dtype=np.float32
        )

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._join(self.first.encode(texts), self.second.encode(texts))

    def encode_query(self, text: str) -> np.ndarray:
        return self._join(
            self.first.encode_query(text)[None, :], self.second.encode_query(text)[None, :]
        )[0]
