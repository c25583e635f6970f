"""Joint-project suggestions ("Einer für alle"): nearby smaller towns with the same open need.

Needs are linked when their texts are alike and their towns are close; groups grow by
complete linkage (every member close to every other, one need per town), strongest links first.
Each group is matched to providers and existing projects as one combined challenge.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np

from matcher import explain
from matcher.domain.schema import CATEGORY_LABELS, Category, Filters, Need
from matcher.embeddings.base import normalize

if TYPE_CHECKING:
    from matcher.search import Searcher


def _eligible(s: Searcher, filters: Filters) -> list[Need]:
    cfg = s.config.joint
    out = []
    for need in s.catalog.items["needs"].values():
        town = s.catalog.municipality(need.municipality)
        if need.status == "erledigt" or town is None or town.latitude is None:
            continue
        if town.population is None or town.population > cfg.max_population:
            continue
        if filters.categories and not set(filters.categories) & set(need.categories):
            continue
        if s.catalog.municipality_passes(
            town, filters.model_copy(update={"max_distance_km": None}), None
        ):
            out.append(need)
    return out


def _groups(s: Searcher, needs: list[Need], sims: np.ndarray) -> list[list[int]]:
    cfg = s.config.joint
    towns = [s.catalog.municipality(n.municipality) for n in needs]
    km = {}
    edges = []
    for i, j in combinations(range(len(needs)), 2):
        if towns[i].id == towns[j].id or sims[i, j] < cfg.min_similarity:
            continue
        d = s.catalog.distance_km(towns[i], towns[j])
        if d is not None and d <= cfg.max_distance_km:
            km[(i, j)] = km[(j, i)] = d
            edges.append((sims[i, j], i, j))
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
    unique = {id(g): g for g in group_of.values() if len(g) > 1}
    return list(unique.values())


def joint_projects(s: Searcher, k: int = 10, filters: Filters | None = None) -> list[dict]:
    """Groups of nearby smaller towns with the same open need, best first."""
    from matcher.directions import _query

    filters = filters or Filters()
    needs = _eligible(s, filters)
    if len(needs) < 2:
        return []
    vectors = s.indexes.vectors["needs"].vectors([n.id for n in needs])
    sims = vectors @ vectors.T
    out = []
    for group in _groups(s, needs, sims):
        members = [needs[i] for i in group]
        pair_sims = [sims[i, j] for i, j in combinations(group, 2)]
        towns = [s.catalog.municipality(n.municipality) for n in members]
        dists = [s.catalog.distance_km(a, b) for a, b in combinations(towns, 2)]
        central = members[int(np.argmax([sims[i, group].sum() for i in group]))]
        cats = Counter(str(c) for n in members for c in n.categories[:1])
        theme = cats.most_common(1)[0][0] if cats else ""
        text = ". ".join(n.title for n in members)
        q = _query(
            s,
            text,
            normalize(vectors[group].mean(axis=0))[0],
            filters=Filters(),
            home_towns=frozenset(t.id for t in towns),
        )
        score = float(np.mean(pair_sims)) * (1 + 0.1 * (len(group) - 2))
        key = hashlib.sha1(",".join(sorted(n.id for n in members)).encode()).hexdigest()[:10]
        providers, projects = s.providers(q, 2), s.projects(q, 2)
        reasons = [
            f"{len(members)} Kommunen mit demselben Bedarf: " + ", ".join(t.name for t in towns),
            f"höchstens {max(dists):.0f} km voneinander entfernt",
        ]
        if providers:
            reasons.append(f"passender Anbieter: {providers[0]['name']}")
        if projects:
            reasons.append(
                f"Vorbild: „{projects[0]['title']}“ in " + ", ".join(projects[0]["municipalities"])
            )
        out.append(
            {
                "kind": "joint_project",
                "id": f"jp-{key}",
                "title": central.title,
                "theme": CATEGORY_LABELS.get(Category(theme), theme) if theme else "",
                "categories": sorted(cats),
                "score": round(score, 4),
                "members": [
                    {**explain.town_summary(t), "need": n.id, "need_title": n.title}
                    for t, n in zip(towns, members, strict=True)
                ],
                "distances_km": {
                    "max": round(max(dists), 1),
                    "mean": round(float(np.mean(dists)), 1),
                },
                "similarity": {
                    "min": round(float(min(pair_sims)), 3),
                    "mean": round(float(np.mean(pair_sims)), 3),
                },
                "providers": providers,
                "projects": projects,
                "explanation": {"reasons": reasons},
            }
        )
    out.sort(key=lambda g: (-g["score"], g["id"]))
    return out[:k]
