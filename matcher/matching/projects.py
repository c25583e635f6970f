"""Projects for a query: the fused list, diversified so that one town does not fill it."""

from __future__ import annotations

from matcher.matching.context import QueryContext
from matcher.ranking.diversity import cap_per_group
from matcher.ranking.fusion import Scored


def rank_projects(ctx: QueryContext) -> list[Scored]:
    """Every project above the floor, best first, with no town ahead of others more than
    `max_per_municipality` times."""
    scored = ctx.projects
    groups = {s.id: ctx.catalog.projects[s.id].municipalities for s in scored}
    return cap_per_group(scored, groups, lambda s: s.id, ctx.config.max_per_municipality)
