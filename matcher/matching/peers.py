"""Peer municipalities: for a challenge (those who solved it and those with the same need),
for a town by its own projects and needs (item by item), and by structure alone.

The topic decides (how well and how recently their projects or needs match); with a known
asker, structure adds to it: distance, size and district.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from matcher.domain import geography
from matcher.domain.schema import Filters, Municipality, Need, Project
from matcher.matching.context import MatchData, Query, QueryContext
from matcher.ranking import features as feat
from matcher.ranking.calibration import probability
from matcher.ranking.fusion import Scored


@dataclass
class PeerMatch:
    """A ranked municipality with the items that make it a peer."""

    town: Municipality
    score: float
    projects: list[Scored] = field(default_factory=list)
    needs: list[Scored] = field(default_factory=list)
    components: dict[str, float] = field(default_factory=dict)
    confident: bool = False  # shown as „hoch“
    # For peers by profile: (own item title, kind of their item, their item id).
    pairs: list[tuple[str, str, str]] = field(default_factory=list)
    # Projects the town already runs together with the asker (on the topic asked, or any).
    together: list[str] = field(default_factory=list)
    # Where peers are calibrated: P(relevant) by its parts (`peer_signals`; the town's
    # probability is the largest), and the line of „hoch“.
    chances: dict[str, float] = field(default_factory=dict)
    line: float | None = None
    strong: bool = False  # a strong matching project or need (lists put these first)

    @property
    def probability(self) -> float | None:
        """P(relevant) by the surest of its parts (None where peers are not calibrated)."""
        return max(self.chances.values()) if self.chances else None

    @property
    def relations(self) -> list[str]:
        """'partner' (already runs a project with the asker), 'hat_geloest' (has a
        confidently matching project), 'gleicher_bedarf' (has a confidently matching need): a
        tag needs a match that backs it (calibrated: its probability reaches the line)."""
        if self.line is not None:
            tags = [
                name
                for name, part in (("hat_geloest", "projects"), ("gleicher_bedarf", "needs"))
                if self.chances.get(part, 0.0) >= self.line
            ]
        else:
            tags = [
                name
                for name, items in (
                    ("hat_geloest", self.projects),
                    ("gleicher_bedarf", self.needs),
                )
                if any(sc.confident for sc in items)
            ]
        partner = self.together and (
            self.line is None or self.chances.get("together", 0.0) >= self.line
        )
        return (["partner"] if partner else []) + tags


def structure(data: MatchData, asker: Municipality | None, town: Municipality) -> dict[str, float]:
    """Weighted structural components of a town relative to the asker (empty without one)."""
    w = data.config.municipalities
    return {k: round(v, 4) for k, v in data.town_similarity(asker, town, w).items()}


def _topic(ctx: QueryContext, projects: list[Scored], needs: list[Scored]) -> dict[str, float]:
    w = ctx.data.config.municipalities
    best_p = projects[0].score * w.project if projects else 0.0
    best_n = needs[0].score * w.need if needs else 0.0
    out = {"topic": round(max(best_p, best_n), 4)}
    count = len(projects) + len(needs)
    if count > 1:
        out["breadth"] = round(w.breadth * feat.evidence(count - 1), 4)
    if projects:
        year = ctx.catalog.projects[projects[0].id].year
        half_life = ctx.config.recency_half_life
        out["recency"] = round(w.recency * feat.recency(year, ctx.data.year, half_life), 4)
    return out


def rank_peers(ctx: QueryContext) -> list[PeerMatch]:
    """Every town with a matching project or need, best first."""
    q, catalog = ctx.q, ctx.catalog
    found: dict[str, dict[str, list[Scored]]] = defaultdict(lambda: {"projects": [], "needs": []})
    for sc in ctx.projects:
        for mid in catalog.projects[sc.id].municipalities:
            found[mid]["projects"].append(sc)
    for sc in ctx.needs:
        found[catalog.needs[sc.id].municipality]["needs"].append(sc)
    results = []
    for mid, parts in found.items():
        town = catalog.municipality(mid)
        if town is None or mid in q.exclude or (q.asker is not None and mid == q.asker.id):
            continue
        if not geography.passes(town, q.filters, q.asker):
            continue
        together = _together(ctx, q.asker, mid, parts["projects"])
        components = {
            **_topic(ctx, parts["projects"], parts["needs"]),
            **(structure(ctx.data, q.asker, town) if q.asker else {}),
        }
        strong = any(sc.strong for sc in parts["projects"] + parts["needs"])
        match = PeerMatch(
            town,
            sum(components.values()),
            parts["projects"],
            parts["needs"],
            components,
            strong,
            strong=strong,
            together=together,
        )
        model = ctx.calibration("municipalities")
        if model is not None:
            match.chances = {
                part: probability(model, signals) for part, signals in peer_signals(match).items()
            }
            match.line = model.line
            match.confident = max(match.chances.values(), default=0.0) >= model.line
        results.append(match)
    # Towns with a strong match, and the asker's partners on the topic, come first:
    # structure must not lift a weak match above them.
    results.sort(key=lambda r: (not (r.strong or r.together), -r.score, r.town.id))
    return results


def peer_signals(match: PeerMatch) -> dict[str, dict[str, float]]:
    """What a peer's probability reads, by its best project, its best need, and its best
    project that it runs with the asker (their signals; `together` for that project)."""
    out = {}
    if match.projects:
        best = match.projects[0]
        out["projects"] = {**best.signals, "together": float(best.id in match.together)}
    if match.needs:
        out["needs"] = {**match.needs[0].signals, "need": 1.0}
    joint = [sc for sc in match.projects if sc.id in match.together]
    if joint:
        out["together"] = {**joint[0].signals, "together": 1.0}
    return out


def _together(
    ctx: QueryContext, asker: Municipality | None, town_id: str, projects: list[Scored]
) -> list[str]:
    """Projects on the topic asked (above the relevance floor) that the town runs together
    with the asker."""
    if asker is None:
        return []
    catalog = ctx.catalog
    return [
        sc.id
        for sc in projects
        if asker.id in catalog.projects[sc.id].municipalities
        and town_id in catalog.projects[sc.id].municipalities
    ]


def own_items(data: MatchData, town: Municipality) -> list[Project | Need]:
    """The first projects and needs of a town that its profile is made of."""
    items: list[Project | Need] = list(data.catalog.projects_of_municipality.get(town.id, []))
    items += data.catalog.needs_of_municipality.get(town.id, [])
    return items[: data.config.municipalities.profile_items]


def _profile_weight(data: MatchData, item: Project | Need, kind: str, sc: Scored) -> float:
    """What one match adds to a profile peer's topic sum: an uncertain match only a share,
    and a project that answers one of our open needs more."""
    w = data.config.municipalities
    weight = 1.0 if sc.strong else w.weak_match
    if isinstance(item, Need) and item.status != "erledigt" and kind == "projects":
        weight *= w.need_solved
    return sc.score * weight


def profile_peers(
    data: MatchData,
    town: Municipality,
    filters: Filters,
    context_of: Callable[[Project | Need, frozenset[str]], QueryContext],
) -> list[PeerMatch]:
    """Towns whose projects or needs match this town's own, item by item: the more of its
    topics another town shares, and the better, the higher it ranks (uncertain matches count
    little, a project that answers our open need counts more); towns that already run a
    project with this one, and structure, add. `context_of(item, own ids)` gives the context
    of an item query (built by the caller)."""
    own = own_items(data, town)
    own_ids = frozenset(i.id for i in own)
    found: dict[str, dict] = {}
    for item in own:
        ctx = context_of(item, own_ids)
        best: dict[str, tuple[float, str, Scored]] = {}
        for other_kind, scored in (("projects", ctx.projects), ("needs", ctx.needs)):
            for sc in scored:
                towns = (
                    data.catalog.projects[sc.id].municipalities
                    if other_kind == "projects"
                    else [data.catalog.needs[sc.id].municipality]
                )
                value = _profile_weight(data, item, other_kind, sc)
                for mid in towns:
                    if mid != town.id and (mid not in best or value > best[mid][0]):
                        best[mid] = (value, other_kind, sc)
        for mid, (value, other_kind, sc) in best.items():
            entry = found.setdefault(mid, {"projects": [], "needs": [], "pairs": [], "sum": 0.0})
            entry[other_kind].append(sc)
            entry["pairs"].append((item.title, other_kind, sc.id))
            entry["sum"] += value
    partners = _partners(data, town)
    for mid in partners:
        found.setdefault(mid, {"projects": [], "needs": [], "pairs": [], "sum": 0.0})
    w = data.config.municipalities
    results = []
    for mid, entry in found.items():
        other = data.catalog.municipality(mid)
        if other is None or not geography.passes(other, filters, town):
            continue
        components = {
            "topics": round(entry["sum"] / max(1, len(own)) ** w.profile_norm_power, 4),
            **structure(data, town, other),
            **({"partner": w.partner} if mid in partners else {}),
        }
        projects = sorted(entry["projects"], key=lambda x: -x.score)
        needs = sorted(entry["needs"], key=lambda x: -x.score)
        results.append(
            PeerMatch(
                other,
                sum(components.values()),
                projects,
                needs,
                components,
                any(sc.confident for sc in projects + needs),
                entry["pairs"],
                partners.get(mid, []),
            )
        )
    results.sort(key=lambda r: (-r.score, r.town.id))
    return results


def _partners(data: MatchData, town: Municipality) -> dict[str, list[str]]:
    """Towns that run a project together with this one → those projects."""
    out: dict[str, list[str]] = {}
    for p in data.catalog.projects_of_municipality.get(town.id, []):
        for mid in p.municipalities:
            if mid != town.id:
                out.setdefault(mid, []).append(p.id)
    return out


def comparable(a: Municipality, b: Municipality) -> bool:
    """Whether two actors are alike by structure at all: districts with districts, towns with
    towns and associations of towns."""
    return (a.kind == "kreis") == (b.kind == "kreis")


def structural_peers(
    data: MatchData, town: Municipality, filters: Filters, skip: set[str]
) -> list[PeerMatch]:
    """Towns like `town` by place and size alone (for when the topic finds too few)."""
    scale = data.config.municipalities.structural_only
    out = []
    for other in data.catalog.municipalities.values():
        if other.id == town.id or other.id in skip or not comparable(town, other):
            continue
        if not geography.passes(other, filters, town):
            continue
        components = {k: round(v * scale, 4) for k, v in structure(data, town, other).items()}
        if sum(components.values()) > 0:
            out.append(PeerMatch(other, sum(components.values()), components=components))
    out.sort(key=lambda r: (-r.score, r.town.id))
    return out


__all__ = ["PeerMatch", "Query", "profile_peers", "rank_peers", "structural_peers", "structure"]
