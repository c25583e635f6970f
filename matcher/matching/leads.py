"""Leads and adopters: the towns that could take up an offering or a project. First those that
reported a matching open need, then towns like the reference towns that have no such project."""

from __future__ import annotations

from dataclasses import dataclass, field

from matcher.domain import geography
from matcher.domain.schema import Municipality
from matcher.matching.context import QueryContext
from matcher.ranking.fusion import Scored


@dataclass
class NeedHit:
    """A town's open need that matched, and what it matched (e.g. the offering's title)."""

    scored: Scored
    matched: str = ""


@dataclass
class LeadMatch:
    """A town that could adopt: by its reported needs, or as a look-alike of a reference town."""

    town: Municipality
    score: float = 0.0
    needs: list[NeedHit] = field(default_factory=list)
    confident: bool = False
    similar_to: Municipality | None = None

    @property
    def probability(self) -> float | None:
        """P(relevant) by its surest need, where leads are calibrated (else None)."""
        chances = [n.scored.probability for n in self.needs if n.scored.probability is not None]
        return max(chances) if chances else None

    def absorb(self, other: LeadMatch) -> None:
        """Merge another query's lead for the same town (needs once, the better score)."""
        known = {n.scored.id for n in self.needs}
        self.needs += [n for n in other.needs if n.scored.id not in known]
        self.confident = self.confident or other.confident
        if other.score > self.score:
            self.score, self.similar_to = other.score, other.similar_to


def adopters(
    ctx: QueryContext,
    references: list[Municipality],
    skip: set[str],
    label: str,
    skip_needs: bool = True,
) -> dict[str, LeadMatch]:
    """Towns that could take this up. `skip` towns are never look-alikes (and, with
    `skip_needs`, not need leads either); `label` names what a need matched."""
    w, catalog, q = ctx.data.config.leads, ctx.catalog, ctx.q
    found: dict[str, LeadMatch] = {}
    for sc in ctx.open_needs:
        town = catalog.municipality(catalog.needs[sc.id].municipality)
        if town is None or (skip_needs and town.id in skip):
            continue
        if not geography.passes(town, q.filters, q.asker):
            continue
        lead = found.setdefault(town.id, LeadMatch(town))
        lead.needs.append(NeedHit(sc, label))
        lead.score = max(lead.score, w.need * sc.score)
        lead.confident = lead.confident or sc.confident
    solved = {m for sc in ctx.projects if sc.strong for m in catalog.projects[sc.id].municipalities}
    for other in catalog.municipalities.values():
        if other.id in skip or other.id in solved or other.id in found:
            continue
        if not geography.passes(other, q.filters, q.asker):
            continue
        best = max(
            ((ctx.data.alike(ref, other), ref) for ref in references if ref.id != other.id),
            default=(0.0, None),
            key=lambda x: x[0],
        )
        if best[1] is not None and best[0] >= w.min_lookalike:
            found[other.id] = LeadMatch(other, w.lookalike * best[0], similar_to=best[1])
    return found


def ranked(leads: dict[str, LeadMatch], k: int) -> list[LeadMatch]:
    """The k best leads (ties by town id)."""
    return sorted(leads.values(), key=lambda x: (-x.score, x.town.id))[:k]
