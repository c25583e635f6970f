"""Results as plain data with their reasons in German ("Warum passt das?")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matcher.domain.schema import Municipality, Project
from matcher.ranking.fusion import Scored

if TYPE_CHECKING:
    from matcher.peers import PeerResult
    from matcher.search import Query, Searcher
    from matcher.suppliers import ProviderResult


def german_int(n: int) -> str:
    """12000 → '12.000'."""
    return f"{n:,}".replace(",", ".")


def town_fields(town: Municipality) -> dict:
    """The fields every result about a municipality starts with."""
    return {
        "id": town.id,
        "name": town.name,
        "title": town.name,
        "district": town.district,
        "region": town.region,
        "population": town.population,
    }


def town_summary(town: Municipality) -> dict:
    """The result fields of a municipality and its position (for maps)."""
    return {**town_fields(town), "latitude": town.latitude, "longitude": town.longitude}


def confidence(confident: bool) -> str:
    return "hoch" if confident else "niedrig"


def status_phrase(p: Project) -> str:
    """'läuft seit 2022', 'abgeschlossen (2021)', 'geplant (2026)'."""
    if p.status == "laufend":
        return f"läuft seit {p.year}" if p.year else "läuft"
    if p.status == "abgeschlossen":
        return f"abgeschlossen ({p.year})" if p.year else "abgeschlossen"
    if p.status == "geplant":
        return f"geplant ({p.year})" if p.year else "geplant"
    return f"seit {p.year}" if p.year else ""


def _fit_reason(scored: Scored, words: list[str]) -> list[str]:
    reasons = []
    if scored.components.get("dense", 0) >= 0.3:
        reasons.append("inhaltlich ähnlich zu Ihrer Beschreibung")
    if words:
        reasons.append("gemeinsame Begriffe: " + ", ".join(words))
    if not scored.confident:
        reasons.append("nur schwache Übereinstimmung – bitte prüfen")
    return reasons


def _place_reason(s: Searcher, q: Query, towns: list[Municipality]) -> list[str]:
    if q.asker is None:
        return []
    out = []
    dists = [(s.catalog.distance_km(q.asker, t), t) for t in towns if t.id != q.asker.id]
    dists = [(d, t) for d, t in dists if d is not None]
    if dists:
        d, town = min(dists, key=lambda x: x[0])
        out.append(f"{town.name}: {d:.0f} km entfernt")
        if town.district and town.district == q.asker.district:
            out.append(f"im selben Kreis ({town.district})")
    sizes = [t for t in towns if t.population and q.asker.population]
    if sizes:
        best = max(sizes, key=lambda t: -abs((t.population or 1) - (q.asker.population or 1)))
        ratio = max(best.population, q.asker.population) / min(best.population, q.asker.population)
        if ratio <= 2.5:
            out.append(f"ähnliche Größe ({german_int(best.population)} Einwohner)")
    return out


def _explanation(scored: Scored, words: list[str], reasons: list[str]) -> dict:
    return {
        "text_fit": round(scored.text_fit, 4),
        "components": scored.components,
        "matched_terms": words,
        "reasons": reasons,
    }


def project_summary(s: Searcher, p: Project) -> dict:
    """The fields of a project that every list shows."""
    towns = [s.catalog.municipality(m) for m in p.municipalities]
    providers = [s.catalog.get("providers", i) for i in p.providers]
    return {
        "id": p.id,
        "title": p.title,
        "categories": [str(c) for c in p.categories],
        "municipalities": [
            t.name if t else m for t, m in zip(towns, p.municipalities, strict=True)
        ],
        "municipality_ids": list(p.municipalities),
        "providers": [
            {"id": i, "name": pr.name if pr else i}
            for i, pr in zip(p.providers, providers, strict=True)
        ],
        "year": p.year,
        "status": p.status,
    }


def project(s: Searcher, q: Query, scored: Scored) -> dict:
    """A project result."""
    p: Project = s.catalog.get("projects", scored.id)
    words = s.matched_words(q, "projects", p.id)
    summary = project_summary(s, p)
    reasons = _fit_reason(scored, words)
    phrase = status_phrase(p)
    if phrase:
        reasons.append(f"{' und '.join(summary['municipalities'])}: {phrase}")
    if summary["providers"]:
        reasons.append("umgesetzt mit " + ", ".join(x["name"] for x in summary["providers"]))
    towns = [t for t in (s.catalog.municipality(m) for m in p.municipalities) if t]
    reasons.extend(_place_reason(s, q, towns))
    return {
        "kind": "project",
        **summary,
        "score": round(scored.score, 4),
        "confidence": confidence(scored.confident),
        "explanation": _explanation(scored, words, reasons),
    }


def towns_of(s: Searcher, p: Project) -> str:
    """'Brensbach, Reichelsheim (Odenwald)'."""
    return ", ".join(t.name for t in (s.catalog.municipality(m) for m in p.municipalities) if t)


def provider(s: Searcher, q: Query, r: ProviderResult) -> dict:
    """A provider result with its fitting offerings and reference projects."""
    prov = s.catalog.get("providers", r.provider_id)
    offerings = [
        {"id": o.id, "title": s.catalog.get("offerings", o.id).title, "score": round(o.score, 4)}
        for o in r.offerings[:3]
    ]
    reasons = []
    if offerings:
        reasons.append("passendes Angebot: " + "; ".join(f"„{o['title']}“" for o in offerings[:2]))
    for p in r.references[:3]:
        reasons.append(f"hat „{p.title}“ in {towns_of(s, p)} umgesetzt")
    if r.components.get("similar_customers", 0) > 0 and q.asker is not None:
        reasons.append(f"Referenzen in Kommunen ähnlich wie {q.asker.name}")
    if r.offerings:
        words = s.matched_words(q, "offerings", r.offerings[0].id)
    else:
        words = s.matched_words(q, "providers", r.provider_id)
    if words:
        reasons.append("gemeinsame Begriffe: " + ", ".join(words))
    if not r.confident:
        reasons.append("nur schwache Übereinstimmung – bitte prüfen")
    return {
        "kind": "provider",
        "id": r.provider_id,
        "name": prov.name,
        "title": prov.name,
        "categories": sorted(
            {str(c) for o in r.offerings for c in s.catalog.get("offerings", o.id).categories}
        ),
        "regions": prov.regions,
        "score": round(r.score, 4),
        "confidence": confidence(r.confident),
        "offerings": offerings,
        "references": [project_summary(s, p) for p in r.references[:5]],
        "municipalities": sorted(
            {n for p in r.references for n in project_summary(s, p)["municipalities"]}
        ),
        "explanation": {"components": r.components, "matched_terms": words, "reasons": reasons},
    }


def _pair_reasons(s: Searcher, r: PeerResult) -> list[str]:
    reasons = []
    for own_title, kind, their_id in r.pairs[:3]:
        theirs = s.catalog.get(kind, their_id)
        verb = "hat ein Projekt" if kind == "projects" else "hat einen Bedarf"
        reasons.append(f"{verb} wie Ihr „{own_title}“: „{theirs.title}“")
    return reasons


def _peer_reasons(s: Searcher, r: PeerResult) -> list[str]:
    if r.pairs:
        return _pair_reasons(s, r)
    reasons = []
    projects = [sc for sc in r.projects if sc.confident or not r.confident]
    needs = [sc for sc in r.needs if sc.confident or not r.confident]
    for sc in projects[:2]:
        p = s.catalog.get("projects", sc.id)
        if p.status == "laufend":
            reasons.append(
                f"betreibt seit {p.year} „{p.title}“" if p.year else f"betreibt „{p.title}“"
            )
        elif p.status == "geplant":
            reasons.append(f"plant „{p.title}“")
        else:
            reasons.append(f"hat „{p.title}“ umgesetzt ({status_phrase(p)})")
    for sc in needs[:2]:
        need = s.catalog.get("needs", sc.id)
        alike = "denselben" if sc.confident else "einen verwandten"
        reasons.append(f"hat {alike} Bedarf gemeldet: „{need.title}“")
    return reasons


def municipality(s: Searcher, q: Query, r: PeerResult) -> dict:
    """A peer municipality with the projects and needs that make it one."""
    town = r.town
    reasons = _peer_reasons(s, r)
    reasons.extend(_place_reason(s, q, [town]))
    if not r.projects and not r.needs:
        reasons.append("nur strukturell ähnlich (Lage und Größe), kein passendes Vorhaben")
    elif not r.confident:
        reasons.append("nur schwache Übereinstimmung – bitte prüfen")
    return {
        "kind": "municipality",
        **town_fields(town),
        "distance_km": round(d, 1)
        if (d := s.catalog.distance_km(q.asker, town)) is not None
        else None,
        "categories": sorted(
            {
                str(c)
                for sc in r.projects[:3]
                for c in s.catalog.get("projects", sc.id).categories[:1]
            }
        ),
        "score": round(r.score, 4),
        "confidence": confidence(r.confident),
        "relations": r.relations,
        "projects": [sc.id for sc in r.projects[:5]],
        "needs": [sc.id for sc in r.needs[:5]],
        "municipalities": [town.name],
        "explanation": {"components": r.components, "reasons": reasons},
    }
