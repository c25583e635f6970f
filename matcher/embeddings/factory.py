"""Choose an encoder by its configured name."""

from __future__ import annotations

from matcher.embeddings.base import Encoder
from matcher.embeddings.use import USE_NAME


def create_encoder(spec: str, threads: int = 2, batch_size: int = 64) -> Encoder:
    """`use-multilingual-v3` → USE; `minilm`, `st:NAME`, any other name or path → a
    sentence-transformers model."""
    if spec == USE_NAME:
        from matcher.embeddings.use import USEEncoder

        return USEEncoder(threads=threads)
    from matcher.embeddings.sentence_transformer import SentenceTransformerEncoder

    model = spec[3:] if spec.startswith("st:") else spec
    return SentenceTransformerEncoder(model, batch_size=batch_size)
