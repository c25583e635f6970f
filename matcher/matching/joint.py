"""Joint-project suggestions ("Einer für alle"): nearby smaller towns with the same open need.

Needs are linked when their texts are alike and their towns are close; groups grow by
complete linkage (every member close to every other, one need per town), strongest links first.
The caller matches each group to providers and existing projects as one combined challenge.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from matcher.domain import geography
from matcher.domain.schema import Filters, Municipality, Need
from matcher.embeddings.base import normalize
from matcher.matching.context import MatchData


@dataclass
class JointGroup:
    """A group of needs of different nearby towns, with how alike and how close they are."""

    needs: list[Need]
    towns: list[Municipality]
    pair_similarities: list[float]
    distances_km: list[float]
    central: Need  # the need most like all others: its title names the group
    categories: Counter[str]
    vector: np.ndarray  # the group's combined challenge
    score: float
    # A project on the topic that some members already run together, and those members.
    together: tuple[str, list[str]] | None = None

    @property
    def theme(self) -> str:
        """The most common first category of the members' needs ('' if none)."""
        return self.categories.most_common(1)[0][0] if self.categories else ""

    @property
    def key(self) -> str:
        """A stable id of the group, from its members' needs."""
        joined = ",".join(sorted(n.id for n in self.needs))
        return "jp-" + hashlib.sha1(joined.encode()).hexdigest()[:10]

    @property
    def text(self) -> str:
        """The group's combined challenge as text."""
        return ". ".join(n.title for n in self.needs)


def _eligible(data: MatchData, filters: Filters) -> list[Need]:
    cfg, catalog = data.config.joint, data.catalog
    place = filters.without_distance()
    out = []
    for need in catalog.needs.values():
        town = catalog.municipality(need.municipality)
        if need.status == "erledigt" or town is None or town.latitude is None:
            continue
        if town.kind != "gemeinde":  # districts and associations coordinate, they are no member
            continue
        if town.population is None or town.population > cfg.max_population:
            continue
        if filters.allows(need.categories) and geography.passes(town, place, None):
            out.append(need)
    return out


def _together(
    data: MatchData, towns: list[Municipality], vector: np.ndarray
) -> tuple[str, list[str]] | None:
    """A project on the group's topic that two or more of the towns already run together (its
    cosine with the group's challenge reaches `together_similarity`; place names alone make
    their shared projects fairly alike), with those towns; None if there is none."""
    ids = [t.id for t in towns]
    shared = sorted(
        {
            p.id
            for t in towns
            for p in data.catalog.projects_of_municipality.get(t.id, [])
            if len(set(ids).intersection(p.municipalities)) >= 2
        }
    )
    if not shared:
        return None
    cosines = data.indexes.vectors["projects"].vectors(shared) @ vector
    best = int(np.argmax(cosines))
    if cosines[best] < data.config.joint.together_similarity:
        return None
    involved = data.catalog.projects[shared[best]].municipalities
    return shared[best], [i for i in ids if i in involved]


def _linked(data: MatchData, needs: list[Need], sims: np.ndarray) -> list[list[int]]:
    cfg = data.config.joint
    towns = [data.catalog.municipalities[n.municipality] for n in needs]
    km = {}
    edges = []
    for i, j in combinations(range(len(needs)), 2):
        if towns[i].id == towns[j].id or sims[i, j] < cfg.min_similarity:
            continue
        d = geography.distance_km(towns[i], towns[j])
        if d is not None and d <= cfg.max_distance_km:
            km[(i, j)] = km[(j, i)] = d
            edges.append((float(sims[i, j]), i, j))
    group_of = {i: [i] for i in range(len(needs))}
    for _, i, j in sorted(edges, reverse=True):
        a, b = group_of[i], group_of[j]
        if a is b or len(a) + len(b) > cfg.max_members:
            continue
        if {towns[x].id for x in a} & {towns[y].id for y in b}:
            continue
        if all((x, y) in km for x in a for y in b):
            a.extend(b)
            for y in b:
                group_of[y] = a
    groups: list[list[int]] = []
    for g in group_of.values():
        if len(g) > 1 and not any(g is other for other in groups):
            groups.append(g)
    return groups


def joint_groups(data: MatchData, filters: Filters) -> list[JointGroup]:
    """Every group of nearby smaller towns with the same open need, best first."""
    needs = _eligible(data, filters)
    if len(needs) < 2:
        return []
    vectors = data.indexes.vectors["needs"].vectors([n.id for n in needs])
    sims = vectors @ vectors.T
    bonus = data.config.joint.member_bonus
    out = []
    for group in _linked(data, needs, sims):
        members = [needs[i] for i in group]
        pair_sims = [float(sims[i, j]) for i, j in combinations(group, 2)]
        towns = [data.catalog.municipalities[n.municipality] for n in members]
        vector = normalize(vectors[group].mean(axis=0))[0]
        together = _together(data, towns, vector)
        if together is not None and len(together[1]) == len(towns):
            continue  # they all work on it together already: nothing to suggest
        dists = [
            d for a, b in combinations(towns, 2) if (d := geography.distance_km(a, b)) is not None
        ]
        out.append(
            JointGroup(
                needs=members,
                towns=towns,
                pair_similarities=pair_sims,
                distances_km=dists,
                central=members[int(np.argmax([sims[i, group].sum() for i in group]))],
                categories=Counter(str(c) for n in members for c in n.categories[:1]),
                vector=vector,
                together=together,
                score=float(np.mean(pair_sims)) * (1 + bonus * (len(group) - 2)),
            )
        )
    out.sort(key=lambda g: (-g.score, g.key))
    return out
