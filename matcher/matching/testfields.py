"""Test fields matched both ways, with reasons (issue 24).

- a challenge or an offering → test fields (`rank_testfields`): by text (the dense and lexical
  indexes of the kind `testfields`, fused like every other list), topic, distance to the asker
  and, for an offering, what it needs of a place against what the place has;
- a test field → providers (`rank_testfield_providers`): the providers ranker on the test
  field's own text, each with what its best offering needs of the place.

Distances weigh as a nearby town does elsewhere (the config's `town_similarity.proximity` over
`distance_scale_km`); whether a place has what an offering needs is told, never scored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from matcher.domain import geography
from matcher.domain.catalog import Catalog
from matcher.domain.schema import CATEGORY_LABELS, Category, Municipality, Offering, TestField
from matcher.domain.testfields import (
    FACILITY_LABELS,
    PLACE_TYPE_LABELS,
    call_label,
    call_open,
    facilities_needed,
)
from matcher.matching.context import QueryContext
from matcher.matching.providers import rank_providers
from matcher.matching.reasons import (
    DISTANCE_DIGITS,
    SCORE_DIGITS,
    WEAK,
    confidence,
    evidence_reasons,
)
from matcher.matching.reasons import provider as provider_result
from matcher.matching.results import (
    Explanation,
    ItemRef,
    TestFieldProviders,
    TestFieldResult,
)
from matcher.ranking import features as feat
from matcher.ranking.fusion import fuse

KIND = "testfields"


def place_of(catalog: Catalog, field: TestField) -> Municipality | None:
    """The test field as a place: its own coordinates where given, else its town's."""
    town = catalog.municipality(field.municipality)
    if field.latitude is None or field.longitude is None:
        return town
    return Municipality(
        id=field.id, name=field.title, latitude=field.latitude, longitude=field.longitude
    )


def _distance(ctx: QueryContext, field: TestField) -> float | None:
    if ctx.q.asker is None:
        return None
    return geography.distance_km(ctx.q.asker, place_of(ctx.catalog, field))


def _passes(ctx: QueryContext, field: TestField, only_open: bool, today: dt.date) -> bool:
    f = ctx.q.filters
    if only_open and not call_open(field, today):
        return False
    if not ctx.q.shares_topic(field.categories) or not f.allows(field.categories):
        return False
    if f.max_distance_km is not None and ctx.q.asker is not None:
        km = _distance(ctx, field)
        if km is None or km > f.max_distance_km:
            return False
    town = ctx.catalog.municipality(field.municipality)
    if f.district or f.region or f.min_population is not None or f.max_population is not None:
        return geography.passes(town, f.without_distance(), None)
    return True


def rank_testfields(
    ctx: QueryContext,
    k: int,
    offering: Offering | None = None,
    only_open: bool = False,
    today: dt.date | None = None,
) -> list[TestFieldResult]:
    """Test fields for the context's query (a challenge, or an offering's text), best first:
    the fused text fit plus the proximity to the asking town; with `offering`, each says what
    the offering needs of a place and whether it is there. `only_open`: calls open `today`."""
    today = today or dt.date.today()
    fields = ctx.catalog.testfields
    weights, scale = ctx.config.town_similarity, ctx.config.distance_scale_km
    ranked: list[tuple[bool, float, TestFieldResult]] = []
    for sc in fuse(list(ctx.retrieve(KIND).values()), ctx.config):
        field = fields.get(sc.id)
        if field is None or sc.id in ctx.q.exclude or not _passes(ctx, field, only_open, today):
            continue
        km = _distance(ctx, field)
        parts = {
            "text": round(sc.score, SCORE_DIGITS),
            "proximity": round(weights.proximity * feat.proximity(km, scale), SCORE_DIGITS),
        }
        strong = bool(sc.strong)
        found = _present(ctx, field, parts, km, (strong, sc.text_fit), offering, today)
        ranked.append((strong, found.score, found))
    # Strong matches first (as in every list), then by score.
    ranked.sort(key=lambda x: (not x[0], -x[1], x[2].id))
    return [result for _, _, result in ranked[:k]]


def _present(
    ctx: QueryContext,
    field: TestField,
    parts: dict[str, float],
    km: float | None,
    fit: tuple[bool, float],
    offering: Offering | None,
    today: dt.date,
) -> TestFieldResult:
    catalog, (strong, text_fit) = ctx.catalog, fit
    town = catalog.municipality(field.municipality)
    town_name = town.name if town else field.municipality
    reasons: list[str] = []
    shared = sorted(set(map(str, field.categories)) & set(ctx.q.item_categories or ()))
    if shared:
        reasons.append("gleiches Thema: " + ", ".join(CATEGORY_LABELS[Category(c)] for c in shared))
    needed = facilities_needed(offering) if offering is not None else []
    met = [f for f in needed if f in field.facilities]
    missing = [f for f in needed if f not in field.facilities]
    if met:
        reasons.append("vorhanden, was das Angebot braucht: " + _labels(met))
    if missing:
        reasons.append("fehlt vor Ort: " + _labels(missing))
    if km is not None and ctx.q.asker is not None:
        reasons.append(f"{km:.0f} km von {ctx.q.asker.name} entfernt")
    place = PLACE_TYPE_LABELS[field.place_type]
    reasons.append(f"{place} in {town_name}, {call_label(field, today)}")
    reasons += evidence_reasons(ctx, KIND, field.id, "im Testfeld")
    if not strong:
        reasons.append(WEAK)
    return TestFieldResult(
        id=field.id,
        title=field.title,
        place_type=field.place_type,
        place_type_label=PLACE_TYPE_LABELS[field.place_type],
        municipality=field.municipality,
        town=town_name,
        host_name=field.host_name,
        categories=[str(c) for c in field.categories],
        facilities=list(field.facilities),
        call_open=call_open(field, today),
        call_label=call_label(field, today),
        distance_km=round(km, DISTANCE_DIGITS) if km is not None else None,
        needs_met=met,
        needs_missing=missing,
        score=round(sum(parts.values()), SCORE_DIGITS),
        confidence=confidence(strong),  # type: ignore[arg-type]
        explanation=Explanation(
            text_fit=round(text_fit, SCORE_DIGITS),
            components=parts,
            matched_terms=ctx.matched_words(KIND, field.id),
            reasons=reasons,
        ),
    )


def _labels(facilities: Sequence[str]) -> str:
    return ", ".join(FACILITY_LABELS[f] for f in facilities)


def rank_testfield_providers(ctx: QueryContext, field: TestField, k: int) -> TestFieldProviders:
    """Providers whose offerings fit a test field (the context's query is the field's own
    text), each with what its best offering needs of the place and whether it is there."""
    out = []
    for match in rank_providers(ctx)[:k]:
        result = provider_result(ctx, match)
        extra: list[str] = []
        if match.offerings:
            needed = facilities_needed(ctx.catalog.offerings[match.offerings[0].id])
            met = [f for f in needed if f in field.facilities]
            missing = [f for f in needed if f not in field.facilities]
            if met:
                extra.append("findet hier, was das Angebot braucht: " + _labels(met))
            if missing:
                extra.append("fehlt vor Ort: " + _labels(missing))
        reasons = [*extra, *result.explanation.reasons]
        out.append(
            result.model_copy(
                update={"explanation": result.explanation.model_copy(update={"reasons": reasons})}
            )
        )
    return TestFieldProviders(testfield=ItemRef(id=field.id, title=field.title), providers=out)
