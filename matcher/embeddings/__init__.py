"""Text → vectors (encoders, embedding cache) and the FAISS vector index with its id map."""

from matcher.embeddings.base import Encoder, text_hash
from matcher.embeddings.cache import CachedEncoder
from matcher.embeddings.factory import create_encoder
from matcher.embeddings.index import VectorIndex

__all__ = ["CachedEncoder", "Encoder", "VectorIndex", "create_encoder", "text_hash"]
