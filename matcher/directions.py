"""Matching that starts from an item instead of a text: peers of a municipality, leads for a
provider or an offering, projects like a project and the towns that could adopt it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from matcher import explain
from matcher.domain.errors import NotFoundError
from matcher.domain.schema import Filters, Municipality, text_of
from matcher.peers import PeerResult, structural_peers, structure
from matcher.ranking.fusion import Scored

if TYPE_CHECKING:
    from matcher.search import Query, Searcher

_PROFILE_ITEMS = 12


def _query(s: Searcher, text: str, vector: np.ndarray, **kw) -> Query:
    from matcher.search import Query

    return Query(
        text=text, vector=vector, terms=s.analyzer.terms(text), words=s.analyzer.words(text), **kw
    )


def item_query(s: Searcher, kind: str, item_id: str, **kw) -> Query:
    """A query made of an item's own text and stored vector."""
    item = s.catalog.get(kind, item_id)
    if item is None:
        raise NotFoundError(f"{kind}: no item with id {item_id!r}")
    vector = s.indexes.vectors[kind].vectors([item_id])[0]
    categories = frozenset(str(c) for c in getattr(item, "categories", []))
    return _query(s, text_of(item), vector, item_categories=categories, **kw)


def _town(s: Searcher, municipality_id: str) -> Municipality:
    town = s.catalog.municipality(municipality_id)
    if town is None:
        raise NotFoundError(f"municipalities: no item with id {municipality_id!r}")
    return town


def _own_items(s: Searcher, town: Municipality) -> list[tuple[str, object]]:
    items = [("projects", p) for p in s.catalog.projects_of_municipality.get(town.id, [])]
    items += [("needs", n) for n in s.catalog.needs_of_municipality.get(town.id, [])]
    return items[:_PROFILE_ITEMS]


def profile_peers(s: Searcher, town: Municipality, filters: Filters) -> list[PeerResult]:
    """Towns whose projects or needs match this town's own, item by item: the more of its
    topics another town shares, and the better, the higher it ranks; structure adds."""
    own = _own_items(s, town)
    own_ids = frozenset(i.id for _, i in own)
    found: dict[str, dict] = {}
    for kind, item in own:
        q = item_query(s, kind, item.id, asker=town, filters=filters, exclude=own_ids)
        best: dict[str, tuple[float, str, Scored]] = {}
        for other_kind, scored in (
            ("projects", s.scored_projects(q)),
            ("needs", s.scored_needs(q)),
        ):
            for sc in scored:
                entity = s.catalog.get(other_kind, sc.id)
                towns = entity.municipalities if other_kind == "projects" else [entity.municipality]
                for mid in towns:
                    if mid != town.id and (mid not in best or sc.score > best[mid][0]):
                        best[mid] = (sc.score, other_kind, sc)
        for mid, (score, other_kind, sc) in best.items():
            entry = found.setdefault(mid, {"projects": [], "needs": [], "pairs": [], "sum": 0.0})
            entry[other_kind].append(sc)
            entry["pairs"].append((item.title, other_kind, sc.id))
            entry["sum"] += score
    results = []
    for mid, entry in found.items():
        other = s.catalog.municipality(mid)
        if other is None or not s.catalog.municipality_passes(other, filters, town):
            continue
        components = {
            "topics": round(entry["sum"] / max(1, len(own)) ** 0.5, 4),
            **structure(s, town, other),
        }
        projects = sorted(entry["projects"], key=lambda x: -x.score)
        needs = sorted(entry["needs"], key=lambda x: -x.score)
        results.append(
            PeerResult(
                other,
                sum(components.values()),
                projects,
                needs,
                components,
                any(sc.confident for sc in projects + needs),
                entry["pairs"],
            )
        )
    results.sort(key=lambda r: (-r.score, r.town.id))
    return results


def peers(s: Searcher, municipality_id: str, k: int = 10, filters: Filters | None = None) -> dict:
    """Peers of a town by what its projects and needs are about and by structure, and its
    open needs with matching projects and providers."""
    town = _town(s, municipality_id)
    filters = filters or Filters()
    ranked = profile_peers(s, town, filters)
    shown = _query(
        s, town.name, np.zeros(s.indexes.encoder.dim, np.float32), asker=town, filters=filters
    )
    if len(ranked) < k:
        skip = {r.town.id for r in ranked}
        ranked += structural_peers(s, town, shown, skip)[: k - len(ranked)]
    needs = []
    for need in s.catalog.needs_of_municipality.get(town.id, []):
        if need.status == "erledigt":
            continue
        nq = item_query(
            s, "needs", need.id, asker=town, filters=filters, home_towns=frozenset({town.id})
        )
        needs.append(
            {
                "id": need.id,
                "title": need.title,
                "status": need.status,
                "projects": s.projects(nq, 3),
                "providers": s.providers(nq, 3),
            }
        )
    return {
        "municipality": explain.town_summary(town),
        "peers": [explain.municipality(s, shown, r) for r in ranked[:k]],
        "needs": needs,
    }


def _adopters(
    s: Searcher,
    q: Query,
    references: list[Municipality],
    skip: set[str],
    source: dict[str, str],
    skip_needs: bool = True,
) -> dict[str, dict]:
    """Towns that could take this up: first those that reported a matching open need, then
    towns like the reference towns that have no such project yet. `skip` towns are never
    look-alikes (and, with `skip_needs`, not need leads either); `source` names what a need
    matched (e.g. the offering)."""
    w = s.config.leads
    found: dict[str, dict] = {}
    for sc in s.scored_needs(q, open_only=True):
        need = s.catalog.get("needs", sc.id)
        town = s.catalog.municipality(need.municipality)
        if (
            town is None
            or (skip_needs and town.id in skip)
            or not s.catalog.municipality_passes(town, q.filters, q.asker)
        ):
            continue
        lead = found.setdefault(
            town.id,
            {"town": town, "score": 0.0, "needs": [], "confident": False, "similar_to": None},
        )
        lead["needs"].append(
            {
                "id": need.id,
                "title": need.title,
                "status": need.status,
                "score": round(sc.score, 4),
                "matched": source.get("label", ""),
            }
        )
        lead["score"] = max(lead["score"], w.need * sc.score)
        lead["confident"] = lead["confident"] or sc.confident
    solved = {
        m
        for sc in s.scored_projects(q)
        if sc.confident
        for m in s.catalog.get("projects", sc.id).municipalities
    }
    for other in s.catalog.items["municipalities"].values():
        if other.id in skip or other.id in solved or other.id in found:
            continue
        if not s.catalog.municipality_passes(other, q.filters, q.asker):
            continue
        best = max(
            ((s.structure_similarity(ref, other), ref) for ref in references if ref.id != other.id),
            default=(0.0, None),
            key=lambda x: x[0],
        )
        if best[1] is not None and best[0] >= 0.5:
            found[other.id] = {
                "town": other,
                "score": w.lookalike * best[0],
                "needs": [],
                "confident": False,
                "similar_to": best[1],
            }
    return found


def _lead_dict(s: Searcher, lead: dict) -> dict:
    town: Municipality = lead["town"]
    reasons = [
        f"hat Bedarf gemeldet: „{n['title']}“"
        + (f" (passt zu „{n['matched']}“)" if n["matched"] else "")
        for n in lead["needs"][:2]
    ]
    ref = lead["similar_to"]
    if ref is not None:
        km = s.catalog.distance_km(ref, town)
        where = f"{km:.0f} km entfernt" if km is not None else "Entfernung unbekannt"
        size = f", {explain.german_int(town.population)} Einwohner" if town.population else ""
        reasons.append(
            f"ähnlich wie Referenzkommune {ref.name} ({where}{size}), "
            "dort gibt es so ein Projekt, hier noch nicht"
        )
    return {
        "kind": "lead",
        **explain.town_fields(town),
        "score": round(lead["score"], 4),
        "confidence": explain.confidence(lead["confident"]),
        "basis": "bedarf" if lead["needs"] else "aehnliche_kommune",
        "needs": lead["needs"][:3],
        "similar_to": ref.id if ref is not None else None,
        "explanation": {"reasons": reasons},
    }


def leads(s: Searcher, item_id: str, k: int = 10, filters: Filters | None = None) -> dict:
    """Municipalities for a provider or one offering: open needs that match, then towns like
    its reference customers with no such project yet."""
    filters = filters or Filters()
    if item_id in s.catalog.items["offerings"]:
        offerings = [s.catalog.get("offerings", item_id)]
        provider_id = offerings[0].provider
    elif item_id in s.catalog.items["providers"]:
        provider_id = item_id
        offerings = s.catalog.offerings_of_provider.get(item_id, [])
    else:
        raise NotFoundError(f"no provider or offering with id {item_id!r}")
    customers = {m for p in s.catalog.reference_projects(provider_id) for m in p.municipalities}
    found: dict[str, dict] = {}
    queries = [
        (item_query(s, "offerings", o.id, filters=filters), o.title, o.references)
        for o in offerings
    ]
    if not queries:
        queries = [(item_query(s, "providers", provider_id, filters=filters), "", [])]
    for q, label, refs in queries:
        ref_projects = [s.catalog.get("projects", r) for r in refs] or s.catalog.reference_projects(
            provider_id
        )
        ref_towns = [
            t
            for p in ref_projects
            if p
            for m in p.municipalities
            if (t := s.catalog.municipality(m))
        ]
        for mid, lead in _adopters(
            s, q, ref_towns, customers, {"label": label}, skip_needs=False
        ).items():
            current = found.get(mid)
            if current is None:
                found[mid] = lead
                continue
            known = {n["id"] for n in current["needs"]}
            current["needs"] += [n for n in lead["needs"] if n["id"] not in known]
            current["confident"] = current["confident"] or lead["confident"]
            if lead["score"] > current["score"]:
                current["score"], current["similar_to"] = lead["score"], lead["similar_to"]
    ranked = sorted(found.values(), key=lambda x: (-x["score"], x["town"].id))[:k]
    provider = s.catalog.get("providers", provider_id)
    return {
        "provider": {"id": provider.id, "name": provider.name},
        "offerings": [{"id": o.id, "title": o.title} for o in offerings],
        "leads": [_lead_dict(s, lead) for lead in ranked],
    }


def similar(s: Searcher, project_id: str, k: int = 10, filters: Filters | None = None) -> dict:
    """Projects like this one elsewhere, and the towns that could adopt it."""
    project = s.catalog.get("projects", project_id)
    if project is None:
        raise NotFoundError(f"projects: no item with id {project_id!r}")
    home = frozenset(project.municipalities)
    q = item_query(
        s,
        "projects",
        project_id,
        filters=filters or Filters(),
        exclude=frozenset({project_id}),
        home_towns=home,
    )
    towns = [t for m in project.municipalities if (t := s.catalog.municipality(m))]
    adopters = _adopters(s, q, towns, set(home), {"label": project.title})
    ranked = sorted(adopters.values(), key=lambda x: (-x["score"], x["town"].id))[:k]
    return {
        "project": explain.project_summary(s, project),
        "similar": s.projects(q, k),
        "adopters": [_lead_dict(s, lead) for lead in ranked],
    }
