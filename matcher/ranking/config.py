"""The ranking config artifact: weights and thresholds, with the metrics they reached.

Written by the tuning notebook, loaded by the service; changing relevance is a diff of one
small JSON file. Unknown keys are rejected so a typo cannot silently fall back to a default.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from matcher.domain.errors import ConfigError
from matcher.ranking.features import INPUTS, SIGNALS

# The kinds of result that carry a calibrated probability (the kinds of the judgments).
CALIBRATED_KINDS = ("projects", "providers", "municipalities", "leads")


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
    reference_similarity: float = Field(
        0.08, ge=0, description="a matching reference in a town like the asker's (size, distance)"
    )
    reference_fit: float = Field(
        0.0,
        ge=0,
        description="a provider fits as well as its best matching reference project, times this "
        "(a thin profile with a strong reference still ranks)",
    )


class TownSimilarity(_Strict):
    """How alike two towns are by place and size, in [0, 1]: for a provider's reference towns
    against the asker, and for look-alike leads against reference towns."""

    proximity: float = Field(0.5, ge=0, description="share of closeness")
    population: float = Field(0.5, ge=0, description="share of similar size")
    same_district: float = Field(0.0, ge=0, description="share of being in the same district")


class MunicipalityWeights(_Strict):
    """How a municipality's score is made from its matching projects and needs."""

    project: float = Field(1.0, ge=0)
    need: float = Field(0.9, ge=0)
    breadth: float = Field(0.1, ge=0, description="bonus for several matching items")
    recency: float = Field(0.05, ge=0, description="how recent the matching project is")
    proximity: float = Field(0.1, ge=0, description="structure: close to the asker")
    population: float = Field(0.06, ge=0, description="structure: similar size to the asker")
    same_district: float = Field(0.04, ge=0, description="structure: same district as the asker")
    structural_only: float = Field(
        0.5, ge=0, description="scale of peers that match by structure alone (no topic)"
    )
    profile_items: int = Field(
        12, ge=1, description="own projects and needs a town's peers are matched on (first ones)"
    )
    profile_norm_power: float = Field(
        0.5,
        ge=0,
        le=1,
        description="topic sum of profile peers ÷ (own items ** this): 0 sums, 1 averages",
    )
    weak_match: float = Field(
        0.25,
        ge=0,
        le=1,
        description="share of an uncertain match's score in a profile peer's topic sum (many "
        "weak matches must not outweigh one strong one)",
    )
    need_solved: float = Field(
        1.5,
        ge=0,
        description="factor on a profile match where their project answers our open need",
    )
    partner: float = Field(
        0.3,
        ge=0,
        description="a town's own peers: bonus for a town that already runs a project with it "
        "(on a challenge, such a partner on the topic asked is listed first instead)",
    )


class JointConfig(_Strict):
    """Joint-project suggestions: which open needs of which towns may be grouped."""

    min_similarity: float = Field(0.45, ge=-1, le=1, description="cosine between two needs")
    together_similarity: float = Field(
        0.6,
        ge=-1,
        le=1,
        description="cosine between a project two members already run together and the "
        "group's challenge from which they cooperate on it already (no suggestion)",
    )
    max_distance_km: float = Field(35.0, gt=0, description="between two members")
    max_population: int = Field(30_000, ge=0, description="members are smaller towns")
    max_members: int = Field(6, ge=2)
    member_bonus: float = Field(
        0.1, ge=0, description="score bonus per member beyond two (bigger groups first)"
    )


class LeadWeights(_Strict):
    """Leads for providers: reported needs first, then towns like their customers."""

    need: float = Field(1.0, ge=0)
    lookalike: float = Field(0.5, ge=0, description="scale of towns similar to a reference")
    min_lookalike: float = Field(
        0.5, ge=0, le=1, description="town similarity a look-alike lead needs at least"
    )


class ExchangeConfig(_Strict):
    """Exchange suggestions: which towns should meet, and which groups a town should join."""

    max_asks_per_town: int = Field(
        3,
        ge=1,
        description="pairings one experienced town is suggested in at most, across every town "
        "(no one is asked by everyone)",
    )
    meet_per_town: int = Field(3, ge=1, description="towns to meet suggested to one town")
    groups_per_town: int = Field(3, ge=1, description="groups suggested to one town to join")


class LearnedRanker(_Strict):
    """A linear model over the score components, trained from judgments and feedback
    (`matcher.ranking.learn`); stored as plain numbers so it is a reviewable diff."""

    features: list[str]
    coef: list[float]
    intercept: float = 0.0
    trained_on: str = ""


class Calibration(_Strict):
    """How sure a result of one kind is: a logistic model over its signals (`calibration.
    SIGNALS`), fitted on judged results (grade ≥ 2 relevant), and the probability from which a
    result is shown as „hoch“ (chosen on the tune half). Plain numbers: a reviewable diff."""

    features: list[str]
    coef: list[float]
    intercept: float = 0.0
    line: float = Field(0.5, ge=0, le=1, description="probability from which a result is „hoch“")
    shown: float | None = Field(
        None,
        ge=0,
        le=1,
        description="probability from which a result that is not „hoch“ is still shown "
        "(`mittel`) rather than folded away as „unsicher“ (chosen on the tune half; None: the "
        "config's `shown_probability`)",
    )
    metrics: dict[str, float] = Field(
        default_factory=dict, description="precision and count of „hoch“, ECE, where measured"
    )
    trained_on: str = ""


class RankingConfig(_Strict):
    """Everything that decides the order of results."""

    version: int = 1
    weights: Weights = Field(default_factory=Weights)
    providers: ProviderWeights = Field(default_factory=ProviderWeights)
    municipalities: MunicipalityWeights = Field(default_factory=MunicipalityWeights)
    leads: LeadWeights = Field(default_factory=LeadWeights)
    joint: JointConfig = Field(default_factory=JointConfig)
    exchange: ExchangeConfig = Field(default_factory=ExchangeConfig)
    town_similarity: TownSimilarity = Field(default_factory=TownSimilarity)
    lexical_saturation: float = Field(12.0, gt=0, description="BM25 score that maps to 0.5")
    candidates: int = Field(100, ge=1, le=10_000, description="candidates per retriever")
    category_profile_depth: int = Field(
        10, ge=1, description="nearest items by text whose first category makes the query's profile"
    )
    min_score: float = Field(0.15, description="text fit below this is not shown")
    exact_terms_max: int = Field(
        3,
        ge=0,
        description="a challenge of at most this many words (after analysis) also shows the "
        "items that hold every one of them, below min_score: a search for a project's name or a "
        "rare word finds it even where the encoder sees no likeness (0: off)",
    )
    confident_score: float = Field(0.23, description="text fit below this is flagged uncertain")
    item_min_score: float = Field(
        0.40, description="floor when an item (offering, need, project) is the query"
    )
    item_confident_score: float = Field(0.45, description="confident line for item queries")
    confident_dense: float = Field(
        0.3,
        description="a confident match also needs this cosine, or two topic words (nouns) in "
        "common, one in its title: ordinary or incidental words make nothing certain",
    )
    item_confident_dense: float = Field(
        0.55,
        description="the same for item queries (two descriptions are more alike than a short "
        "challenge and a description)",
    )
    sense_min_cosine: float = Field(
        0.32,
        description="a word shared with an item is a topic word (evidence, the words a reason "
        "names, the two topic words that stand in for `confident_dense`) only where a sentence "
        "of the item that holds it has at least this cosine with the query: the same word in "
        'another sense ("Laternen" of charging at street lamps, for lamps that burn all night) '
        "is no evidence (chosen on the demo for use+e5 and USE, issue 26)",
    )
    shown_probability: float = Field(
        0.3,
        ge=0,
        le=1,
        description="a strong match (by the rules that order the lists) that is not sure "
        "(„hoch“) is still shown as `mittel` from this calibrated probability of relevance; "
        "below it, it is folded away as „unsicher“ (issue 26: the look-alikes in another sense "
        "had 0.03–0.25, the right but unsure LichtWerk for street-light dimming 0.54)",
    )
    max_per_municipality: int = Field(2, ge=1, description="results of one town before others")
    distance_scale_km: float = Field(30.0, gt=0)
    recency_half_life: float = Field(4.0, gt=0)
    ranker: Literal["weights", "learned"] = Field(
        "weights", description="hand-set weights, or the learned model below"
    )
    learned: LearnedRanker | None = None
    calibration: dict[str, Calibration] = Field(
        default_factory=dict,
        description="per kind of result (projects, providers, municipalities, leads): the "
        "probability that it is relevant and the line of „hoch“; a kind without one falls "
        "back to `confident_score`/`confident_dense`",
    )
    encoders: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="settings that differ by encoder: per encoder name, a partial config laid "
        "over the rest when the service runs that encoder (weights tuned on one encoder's "
        "scores do not suit another's); see `for_encoder`",
    )
    # Provenance, written by the tuning notebook.
    metrics: dict[str, float] = Field(default_factory=dict)
    encoder: str = ""
    data_hash: str = ""
    created: str = ""
    notes: str = ""

    def for_encoder(self, name: str) -> RankingConfig:
        """The config a service running encoder `name` ranks with: this one with the section
        of `encoders` for that name laid over it (nested settings field by field), and no
        per-encoder sections left (the result is complete in itself). ConfigError when the
        section is invalid."""
        override = self.encoders.get(name, {})
        merged = _laid_over(self.model_dump(), override)
        merged["encoders"] = {}
        try:
            return _check_learned(RankingConfig.model_validate(merged))
        except PydanticValidationError as exc:
            raise ConfigError(f"ranking config, section for encoder {name!r}: {exc}") from None


def tuned_into(stored: RankingConfig, tuned: RankingConfig, encoder: str) -> RankingConfig:
    """The config file's content `stored` with `tuned` (a config in effect for `encoder`, as
    `for_encoder` gave it) written back: as that encoder's section, where the file has one
    (what differs from the shared settings), else as the shared settings, the other encoders'
    sections kept."""
    if encoder not in stored.encoders:
        return tuned.model_copy(update={"encoders": stored.encoders})
    shared = stored.model_copy(update={"encoders": {}}).model_dump()
    section = _difference(tuned.model_dump(), shared)
    section.pop("encoders", None)
    return stored.model_copy(update={"encoders": {**stored.encoders, encoder: section}})


def _difference(new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """The keys of `new` whose values differ from `old`'s, nested dicts compared key by key."""
    out: dict[str, Any] = {}
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(old.get(key), dict) and key != "metrics":
            inner = _difference(value, old[key])
            if inner:
                out[key] = inner
        elif value != old.get(key):
            out[key] = value
    return out


def _laid_over(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `override` laid over it, nested dicts merged key by key."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _laid_over(out[key], value)
        else:
            out[key] = value
    return out


def _check_learned(config: RankingConfig) -> RankingConfig:
    if config.ranker == "learned" and config.learned is None:
        raise ConfigError("ranking config: ranker 'learned' needs a 'learned' model")
    if config.learned is not None and len(config.learned.features) != len(config.learned.coef):
        raise ConfigError("ranking config: learned features and coef differ in length")
    unknown = set(config.learned.features if config.learned else ()) - set(INPUTS)
    if unknown:
        raise ConfigError(f"ranking config: learned model uses unknown inputs {sorted(unknown)}")
    for kind, model in config.calibration.items():
        if kind not in CALIBRATED_KINDS:
            raise ConfigError(f"ranking config: calibration for unknown kind {kind!r}")
        if len(model.features) != len(model.coef):
            raise ConfigError(f"ranking config: calibration of {kind}: features and coef differ")
        strange = set(model.features) - set(SIGNALS)
        if strange:
            raise ConfigError(f"ranking config: calibration of {kind} uses {sorted(strange)}")
    return config


def load_ranking_config(path: Path | None) -> RankingConfig:
    """The config at `path`, or the defaults when no path is given; ConfigError when the file
    named is missing or invalid (a typo must not silently rank with the defaults)."""
    if path is None:
        return RankingConfig()
    try:
        config = RankingConfig.model_validate(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, PydanticValidationError) as exc:
        raise ConfigError(f"invalid ranking config {path}: {exc}") from None
    return _check_learned(config)


def save_ranking_config(config: RankingConfig, path: Path) -> None:
    """Write the artifact as readable JSON."""
    Path(path).write_text(config.model_dump_json(indent=2) + "\n", encoding="utf-8")
