"""Results as plain data with their reasons in German ("Warum passt das?")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matcher.ranking.fusion import Scored
from matcher.schema import Municipality, Project

if TYPE_CHECKING:
    from matcher.search import Query, Searcher


def german_int(n: int) -> str:
    """12000 → '12.000'."""
    return f"{n:,}".replace(",", ".")


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


def provider(
    s: Searcher,
    q: Query,
    score: float,
    provider_id: str,
    parts: dict,
    refs: list[Project],
    confident: bool,
) -> dict:
    """A provider result with its fitting offerings and reference projects."""
    prov = s.catalog.get("providers", provider_id)
    offerings = [
        {"id": o.id, "title": s.catalog.get("offerings", o.id).title, "score": round(o.score, 4)}
        for o in parts["offerings"][:3]
    ]
    reasons = []
    if offerings:
        reasons.append("passendes Angebot: " + "; ".join(f"„{o['title']}“" for o in offerings[:2]))
    for p in refs[:3]:
        towns = ", ".join(
            s.catalog.municipality(m).name for m in p.municipalities if s.catalog.municipality(m)
        )
        reasons.append(f"hat „{p.title}“ in {towns} umgesetzt")
    best = parts["offerings"][0] if parts["offerings"] else parts["description"]
    words = (
        s.matched_words(q, "offerings", best.id)
        if parts["offerings"]
        else s.matched_words(q, "providers", provider_id)
    )
    if words:
        reasons.append("gemeinsame Begriffe: " + ", ".join(words))
    if not confident:
        reasons.append("nur schwache Übereinstimmung – bitte prüfen")
    components = {
        "best_offering": offerings[0]["score"] if offerings else 0.0,
        "description": round(parts["description"].score, 4) if parts["description"] else 0.0,
        "references": len(refs),
    }
    return {
        "kind": "provider",
        "id": provider_id,
        "name": prov.name,
        "title": prov.name,
        "categories": sorted(
            {
                str(c)
                for o in parts["offerings"]
                for c in s.catalog.get("offerings", o.id).categories
            }
        ),
        "regions": prov.regions,
        "score": round(score, 4),
        "confidence": confidence(confident),
        "offerings": offerings,
        "references": [project_summary(s, p) for p in refs[:5]],
        "municipalities": sorted(
            {n for p in refs for n in project_summary(s, p)["municipalities"]}
        ),
        "explanation": {"components": components, "matched_terms": words, "reasons": reasons},
    }


def municipality(
    s: Searcher, q: Query, score: float, town: Municipality, parts: dict, confident: bool
) -> dict:
    """A peer municipality with the projects and needs that make it one."""
    reasons = []
    for sc in parts["projects"][:2]:
        p = s.catalog.get("projects", sc.id)
        phrase = status_phrase(p)
        verb = {"laufend": "betreibt", "abgeschlossen": "hat umgesetzt", "geplant": "plant"}.get(
            p.status or "", "hat"
        )
        when = f" seit {p.year}" if p.status == "laufend" and p.year else ""
        reasons.append(
            f"{verb}{when} „{p.title}“"
            if verb != "hat umgesetzt"
            else f"hat „{p.title}“ umgesetzt ({phrase})"
        )
    for sc in parts["needs"][:2]:
        need = s.catalog.get("needs", sc.id)
        reasons.append(f"hat denselben Bedarf gemeldet: „{need.title}“")
    reasons.extend(_place_reason(s, q, [town]))
    if not confident:
        reasons.append("nur schwache Übereinstimmung – bitte prüfen")
    return {
        "kind": "municipality",
        "id": town.id,
        "name": town.name,
        "title": town.name,
        "district": town.district,
        "region": town.region,
        "population": town.population,
        "categories": sorted(
            {
                str(c)
                for sc in parts["projects"][:3]
                for c in s.catalog.get("projects", sc.id).categories[:1]
            }
        ),
        "score": round(score, 4),
        "confidence": confidence(confident),
        "projects": [sc.id for sc in parts["projects"][:5]],
        "needs": [sc.id for sc in parts["needs"][:5]],
        "municipalities": [town.name],
        "explanation": {
            "components": {"projects": len(parts["projects"]), "needs": len(parts["needs"])},
            "reasons": reasons,
        },
    }
