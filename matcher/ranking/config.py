"""The ranking config artifact: weights and thresholds, with the metrics they reached.

Written by the tuning notebook, loaded by the service; changing relevance is a diff of one
small JSON file. Unknown keys are rejected so a typo cannot silently fall back to a default.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from matcher.errors import ConfigError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Weights(_Strict):
    """Weights of the score components. `dense` and `lexical` make the text fit; the rest add."""

    dense: float = Field(1.0, ge=0)
    lexical: float = Field(0.5, ge=0)
    category: float = Field(0.2, ge=0)
    proximity: float = Field(0.06, ge=0)
    population: float = Field(0.03, ge=0)
    evidence: float = Field(0.03, ge=0)
    recency: float = Field(0.02, ge=0)


class ProviderWeights(_Strict):
    """How a provider's score is made from its offerings, its description and its references."""

    offering: float = Field(1.0, ge=0)
    description: float = Field(0.8, ge=0)
    references: float = Field(0.12, ge=0, description="per matching reference project, saturating")


class MunicipalityWeights(_Strict):
    """How a municipality's score is made from its matching projects and needs."""

    project: float = Field(1.0, ge=0)
    need: float = Field(0.9, ge=0)
    breadth: float = Field(0.1, ge=0, description="bonus for several matching items")


class RankingConfig(_Strict):
    """Everything that decides the order of results."""

    version: int = 1
    weights: Weights = Field(default_factory=Weights)
    providers: ProviderWeights = Field(default_factory=ProviderWeights)
    municipalities: MunicipalityWeights = Field(default_factory=MunicipalityWeights)
    lexical_saturation: float = Field(12.0, gt=0, description="BM25 score that maps to 0.5")
    candidates: int = Field(100, ge=1, le=10_000, description="candidates per retriever")
    min_score: float = Field(0.15, description="text fit below this is not shown")
    confident_score: float = Field(0.23, description="text fit below this is flagged uncertain")
    max_per_municipality: int = Field(2, ge=1, description="results of one town before others")
    distance_scale_km: float = Field(30.0, gt=0)
    recency_half_life: float = Field(4.0, gt=0)
    # Provenance, written by the tuning notebook.
    metrics: dict[str, float] = Field(default_factory=dict)
    encoder: str = ""
    data_hash: str = ""
    created: str = ""
    notes: str = ""


def load_ranking_config(path: Path | None) -> RankingConfig:
    """The config at `path`, or the defaults when there is no file."""
    if path is None or not Path(path).exists():
        return RankingConfig()
    try:
        return RankingConfig.model_validate(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, PydanticValidationError) as exc:
        raise ConfigError(f"invalid ranking config {path}: {exc}") from None


def save_ranking_config(config: RankingConfig, path: Path) -> None:
    """Write the artifact as readable JSON."""
    Path(path).write_text(config.model_dump_json(indent=2) + "\n", encoding="utf-8")
