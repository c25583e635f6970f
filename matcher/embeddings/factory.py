"""Choose an encoder by its configured name."""

from __future__ import annotations

from matcher.domain.errors import ConfigError
from matcher.embeddings.base import Encoder
from matcher.embeddings.use import USE_NAME

E5_SPECS = ("e5-small", "multilingual-e5-small")
RAW_SUFFIX = ":raw"
FUSED_SPEC = "use+e5"
# USE's share of the fused cosine: the best of 0.3–0.7 on the tune half of the demo judgments
# (hybrid nDCG@10 over all 72 tune queries: 0.3 +0.017, 0.4 +0.018, 0.5 +0.017, 0.6 +0.007,
# 0.7 +0.011 against USE alone; README, "Choosing the encoder"). `use+e5:W` sets another.
DEFAULT_FUSION_WEIGHT = 0.4


def fusion_weight(spec: str) -> float | None:
    """The weight of a `use+e5[:W]` spec, None for any other spec."""
    if spec == FUSED_SPEC:
        return DEFAULT_FUSION_WEIGHT
    if not spec.startswith(FUSED_SPEC + ":"):
        return None
    text = spec[len(FUSED_SPEC) + 1 :]
    try:
        weight = float(text)
    except ValueError:
        raise ConfigError(f"encoder {spec!r}: expected use+e5:W with W a number") from None
    if not 0.0 <= weight <= 1.0:
        raise ConfigError(f"encoder {spec!r}: the weight W must lie within 0–1")
    return weight


def _e5(threads: int, calibrated: bool = True) -> Encoder:
    from matcher.embeddings.e5 import E5Encoder, load_calibration

    return E5Encoder(threads=threads, calibration=load_calibration() if calibrated else None)


def create_encoder(spec: str, threads: int = 2, batch_size: int = 64) -> Encoder:
    """`use-multilingual-v3` → USE; `e5-small` (or `multilingual-e5-small`) → e5 calibrated
    onto USE's scale (`…:raw`: uncalibrated, for measurements); `use+e5` or `use+e5:W` → both
    fused, USE with share W of the cosine; `minilm`, `st:NAME`, any other name or path → a
    sentence-transformers model."""
    if spec == USE_NAME:
        from matcher.embeddings.use import USEEncoder

        return USEEncoder(threads=threads)
    if spec in E5_SPECS:
        return _e5(threads)
    if spec.endswith(RAW_SUFFIX) and spec[: -len(RAW_SUFFIX)] in E5_SPECS:
        return _e5(threads, calibrated=False)
    weight = fusion_weight(spec)
    if weight is not None:
        from matcher.embeddings.fused import FusedEncoder
        from matcher.embeddings.use import USEEncoder

        # USE on one thread: its BLAS threads keep spinning after a call and then fought e5's
        # OpenMP threads for the cores (one query 51 ms instead of 22 ms on 2 cores, measured);
        # USE itself loses little (one query 2.2 ms instead of 2.0 ms).
        return FusedEncoder(USEEncoder(threads=1), _e5(threads), weight)
    from matcher.embeddings.sentence_transformer import SentenceTransformerEncoder

    model = spec[3:] if spec.startswith("st:") else spec
    return SentenceTransformerEncoder(model, batch_size=batch_size)
