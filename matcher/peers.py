"""Peer municipalities for a challenge: those who solved it and those with the same need.

The topic decides (how well and how recently their projects or needs match); with a known
asker, structure adds to it: distance, size and district.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from matcher.domain.schema import Municipality
from matcher.ranking import features as feat
from matcher.ranking.fusion import Scored

if TYPE_CHECKING:
    from matcher.search import Query, Searcher


@dataclass
class PeerResult:
    """A ranked municipality with the items that make it a peer."""

    town: Municipality
    score: float
    projects: list[Scored] = field(default_factory=list)
    needs: list[Scored] = field(default_factory=list)
    components: dict[str, float] = field(default_factory=dict)
    confident: bool = False
    # For peers by profile: (own item title, kind of their item, their item id).
    pairs: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def relations(self) -> list[str]:
        """'hat_geloest' (has matching projects), 'gleicher_bedarf' (has a matching need)."""
        return [
            name
            for name, items in (("hat_geloest", self.projects), ("gleicher_bedarf", self.needs))
            if items
        ]


def structure(s: Searcher, asker: Municipality | None, town: Municipality) -> dict[str, float]:
    """Weighted structural components of a town relative to the asker (empty without one)."""
    if asker is None:
        return {}
    w = s.config.municipalities
    km = s.catalog.distance_km(asker, town)
    same = bool(asker.district) and asker.district == town.district
    return {
        "proximity": round(w.proximity * feat.proximity(km, s.config.distance_scale_km), 4),
        "population": round(
            w.population * feat.population_similarity(asker.population, town.population), 4
        ),
        "same_district": w.same_district if same else 0.0,
    }


def _topic(s: Searcher, projects: list[Scored], needs: list[Scored]) -> dict[str, float]:
    w = s.config.municipalities
    best_p = projects[0].score * w.project if projects else 0.0
    best_n = needs[0].score * w.need if needs else 0.0
    out = {"topic": round(max(best_p, best_n), 4)}
    count = len(projects) + len(needs)
    if count > 1:
        out["breadth"] = round(w.breadth * feat.evidence(count - 1), 4)
    if projects:
        year = s.catalog.get("projects", projects[0].id).year
        out["recency"] = round(
            w.recency * feat.recency(year, s.year, s.config.recency_half_life), 4
        )
    return out


def rank_municipalities(s: Searcher, q: Query) -> list[PeerResult]:
    """Every town with a matching project or need, best first."""
    found: dict[str, dict[str, list[Scored]]] = defaultdict(lambda: {"projects": [], "needs": []})
    for sc in s.scored_projects(q):
        for mid in s.catalog.get("projects", sc.id).municipalities:
            found[mid]["projects"].append(sc)
    for sc in s.scored_needs(q):
        found[s.catalog.get("needs", sc.id).municipality]["needs"].append(sc)
    results = []
    for mid, parts in found.items():
        town = s.catalog.municipality(mid)
        if town is None or mid in q.exclude or (q.asker is not None and mid == q.asker.id):
            continue
        if not s.catalog.municipality_passes(town, q.filters, q.asker):
            continue
        components = {**_topic(s, parts["projects"], parts["needs"]), **structure(s, q.asker, town)}
        confident = any(sc.confident for sc in parts["projects"] + parts["needs"])
        results.append(
            PeerResult(
                town,
                sum(components.values()),
                parts["projects"],
                parts["needs"],
                components,
                confident,
            )
        )
    # Towns with a confident match come first: structure must not lift a weak match above them.
    results.sort(key=lambda r: (not r.confident, -r.score, r.town.id))
    return results


def structural_peers(s: Searcher, town: Municipality, q: Query, skip: set[str]) -> list[PeerResult]:
    """Towns like `town` by place and size alone (for when the topic finds too few)."""
    scale = s.config.municipalities.structural_only
    out = []
    for other in s.catalog.items["municipalities"].values():
        if other.id == town.id or other.id in skip or other.id in q.exclude:
            continue
        if not s.catalog.municipality_passes(other, q.filters, town):
            continue
        components = {k: round(v * scale, 4) for k, v in structure(s, town, other).items()}
        if sum(components.values()) > 0:
            out.append(PeerResult(other, sum(components.values()), components=components))
    out.sort(key=lambda r: (-r.score, r.town.id))
    return out
