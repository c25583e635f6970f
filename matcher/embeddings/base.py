"""The encoder interface: texts in, L2-normalised float32 vectors out."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod

import numpy as np


def text_hash(text: str) -> str:
    """Stable key of a text for caches and staleness checks."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as contiguous float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)


class Encoder(ABC):
    """A sentence encoder. `name` identifies the model in caches and index configs."""

    name: str
    dim: int

    @abstractmethod
    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors of `texts`, shape (len(texts), dim), unit length, float32."""

    def encode_query(self, text: str) -> np.ndarray:
        """Vector of one query, shape (dim,)."""
        return self.encode([text])[0]
