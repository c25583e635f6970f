"""Encoding with a persistent cache keyed by model and text, plus a small query cache."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

import numpy as np
from tqdm import tqdm

from matcher.embeddings.base import Encoder, text_hash


class VectorCache(Protocol):
    """Where cached vectors live (the store implements this)."""

    def cached_vectors(self, model: str, hashes: list[str]) -> dict[str, np.ndarray]: ...

    def cache_vectors(self, model: str, vectors: dict[str, np.ndarray]) -> None: ...


class CachedEncoder:
    """An encoder with a persistent cache for batches and an LRU cache for queries."""

    def __init__(
        self,
        encoder: Encoder,
        cache: VectorCache | None = None,
        batch_size: int = 64,
        query_cache_size: int = 1024,
        progress: bool = False,
    ) -> None:
        self.encoder = encoder
        self.cache = cache
        self.batch_size = batch_size
        self.progress = progress
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._query_cache_size = query_cache_size
        self.encoded_count = 0

    @property
    def name(self) -> str:
        return self.encoder.name

    @property
    def dim(self) -> int:
        return self.encoder.dim

    def encode(self, texts: list[str], on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        """Vectors of `texts`; only texts missing from the cache are encoded (in batches)."""
        hashes = [text_hash(t) for t in texts]
        known = self.cache.cached_vectors(self.name, hashes) if self.cache else {}
        missing = list(dict.fromkeys(h for h in hashes if h not in known))
        text_by_hash = dict(zip(hashes, texts, strict=True))
        fresh: dict[str, np.ndarray] = {}
        bar = tqdm(
            total=len(missing),
            desc=f"encoding ({self.name})",
            unit="text",
            disable=not self.progress or not missing,
        )
        for start in range(0, len(missing), self.batch_size):
            batch = missing[start : start + self.batch_size]
            vectors = self.encoder.encode([text_by_hash[h] for h in batch])
            fresh.update(zip(batch, vectors, strict=True))
            bar.update(len(batch))
            if on_batch:
                on_batch(len(batch))
        bar.close()
        self.encoded_count += len(missing)
        if self.cache and fresh:
            self.cache.cache_vectors(self.name, fresh)
        known.update(fresh)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([known[h] for h in hashes]).astype(np.float32, copy=False)

    def clear_queries(self) -> None:
        """Forget cached query vectors."""
        self._queries.clear()

    def encode_query(self, text: str) -> np.ndarray:
        """Vector of one query; a repeated query is not encoded twice."""
        hit = self._queries.get(text)
        if hit is not None:
            self._queries.move_to_end(text)
            return hit
        vector = self.encoder.encode_query(text)
        self._queries[text] = vector
        if len(self._queries) > self._query_cache_size:
            self._queries.popitem(last=False)
        return vector
