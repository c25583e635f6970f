"""Presenters: ranked matches become typed results with short reasons in German
("Warum passt das?"). Nothing here changes an order; thresholds below only pick words."""

from __future__ import annotations

import re

from matcher.domain import geography
from matcher.domain.catalog import Catalog
from matcher.domain.schema import CATEGORY_LABELS, Category, Municipality, Project
from matcher.matching.context import QueryContext
from matcher.matching.joint import JointGroup
from matcher.matching.leads import LeadMatch
from matcher.matching.peers import PeerMatch
from matcher.matching.providers import ProviderMatch
from matcher.matching.results import (
    Explanation,
    JointMember,
    JointProject,
    LeadNeed,
    LeadResult,
    Likeness,
    MunicipalityResult,
    OfferingHit,
    ProjectResult,
    ProjectSummary,
    ProviderRef,
    ProviderResult,
    Spread,
    TownSummary,
)
from matcher.matching.towns import same_district
from matcher.ranking.fusion import Scored

# A cosine this high between challenge and item reads as "inhaltlich ähnlich" to people.
SIMILAR_CONTENT_COSINE = 0.3
# Towns within this factor of the asker's population are called "of similar size".
SIMILAR_SIZE_FACTOR = 2.5
WEAK = "nur schwache Übereinstimmung – bitte prüfen"
# A reason names at most this many of the query's words.
MAX_NAMED_WORDS = 3
SCORE_DIGITS = 4
PROBABILITY_DIGITS = 3
DISTANCE_DIGITS = 1  # distance_km in results; pages show whole km of that (km_text)


def german_int(n: int) -> str:
    """12000 → '12.000'."""
    return f"{n:,}".replace(",", ".")


def km_text(km: float) -> str:
    """'4 km': whole kilometres, rounded as the cards round `distance_km` (to 0.1 km, then
    whole), so that a card and its reason never show two different distances."""
    return f"{round(km, DISTANCE_DIGITS):.0f} km"


def and_list(names: list[str]) -> str:
    """'Schotten, Ulrichstein und Grebenhain'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " und " + names[-1]


def confidence(
    confident: bool,
    strong: bool | None = None,
    probability: float | None = None,
    shown_from: float = 0.0,
) -> str:
    """„hoch“ when sure (calibrated); „mittel“ when strong by the rules and, where there is a
    calibrated probability, at least `shown_from` (the rules keep a rare word in another sense,
    „Rezept“ of an E-Rezept for an apple-cake recipe, from showing); else „niedrig“."""
    if confident:
        return "hoch"
    likely = probability is None or probability >= shown_from
    return "mittel" if strong and likely else "niedrig"


def chance(probability: float | None) -> float | None:
    """A calibrated probability as results show it (None where there is none)."""
    return None if probability is None else round(probability, PROBABILITY_DIGITS)


def _town(town: Municipality) -> dict:
    return {
        "id": town.id,
        "name": town.name,
        "title": town.name,
        "district": town.district,
        "region": town.region,
        "population": town.population,
        "actor_kind": town.kind,
    }


def town_summary(town: Municipality) -> TownSummary:
    """A municipality's result fields and its position (for maps)."""
    return TownSummary(**_town(town), latitude=town.latitude, longitude=town.longitude)


def status_phrase(p: Project) -> str:
    """'läuft seit 2022', 'abgeschlossen (2021)', 'geplant (2026)'."""
    if p.status == "laufend":
        return f"läuft seit {p.year}" if p.year else "läuft"
    if p.status == "abgeschlossen":
        return f"abgeschlossen ({p.year})" if p.year else "abgeschlossen"
    if p.status == "geplant":
        return f"geplant ({p.year})" if p.year else "geplant"
    return f"seit {p.year}" if p.year else ""


def project_summary(catalog: Catalog, p: Project) -> ProjectSummary:
    """The fields of a project that every list shows."""
    return ProjectSummary(
        id=p.id,
        title=p.title,
        categories=[str(c) for c in p.categories],
        municipalities=[t.name if (t := catalog.municipality(m)) else m for m in p.municipalities],
        municipality_ids=list(p.municipalities),
        providers=[
            ProviderRef(id=i, name=pr.name if (pr := catalog.providers.get(i)) else i)
            for i in p.providers
        ],
        year=p.year,
        status=p.status,
    )


def towns_of(catalog: Catalog, p: Project) -> str:
    """'Brensbach, Reichelsheim (Odenwald)'."""
    return ", ".join(t.name for t in catalog.towns(p.municipalities))


def quoted(where: str, evidence: str | None) -> list[str]:
    """'im Projekt: „…“' when there is a quotation that shows the fit, else nothing."""
    return [f"{where}: „{evidence}“"] if evidence else []


def evidence_reasons(ctx: QueryContext, kind: str, item_id: str, where: str) -> list[str]:
    """A quotation of the fitting sentence; else, if the item shares two topic words (nouns)
    with the query in different sentences, those words in a sentence; else nothing."""
    found = quoted(where, ctx.evidence(kind, item_id))
    if found:
        return found
    words = ctx.topic_words(kind, item_id)[:MAX_NAMED_WORDS]
    if len(words) < 2:
        return []
    named = [f"„{as_written(ctx.q.text, w)}“" for w in words]
    return [f"Ihre Stichworte {and_list(named)} kommen {where} vor"]


def as_written(text: str, word: str) -> str:
    """A query word as the user wrote it ('laternen' → 'Laternen')."""
    for token in re.findall(r"[^\W_]+", text):
        if token.lower() == word:
            return token
    return word


def _fit_reasons(ctx: QueryContext, scored: Scored, level: str) -> list[str]:
    reasons = []
    if scored.components.get("dense", 0) >= SIMILAR_CONTENT_COSINE:
        reasons.append("inhaltlich ähnlich zu Ihrer Beschreibung")
    reasons += evidence_reasons(ctx, "projects", scored.id, "im Projekt")
    if level == "niedrig":
        reasons.append(WEAK)
    return reasons


def to_actor(actor: Municipality) -> str:
    """'zum Odenwaldkreis', 'zum Zweckverband …', 'zur Verbandsgemeinde …' (dative)."""
    head = actor.name.split()[0].lower() if actor.name.split() else ""
    feminine = head.endswith(("gemeinde", "gemeinschaft", "region", "stadt"))
    return ("zur " if feminine else "zum ") + actor.name


def _place_reasons(ctx: QueryContext, towns: list[Municipality]) -> list[str]:
    asker = ctx.q.asker
    if asker is None:
        return []
    out = []
    others = [t for t in towns if t.id != asker.id]
    holds = [t for t in others if ctx.data.contains(t, asker)]
    inside = [t for t in others if ctx.data.contains(asker, t)]
    if holds:
        out.append(f"{asker.name} gehört {and_list([to_actor(t) for t in holds])}")
    elif inside:
        out.append(f"{and_list([t.name for t in inside])} gehört {to_actor(asker)}")
    else:
        dists = [(geography.distance_km(asker, t), t) for t in others]
        known = [(d, t) for d, t in dists if d is not None]
        if known:
            d, town = min(known, key=lambda x: x[0])
            out.append(f"{town.name}: {km_text(d)} entfernt")
            if same_district(town, asker):
                out.append(f"im selben Kreis ({town.district})")
    if asker.population:
        sizes = [(t, t.population) for t in towns if t.population and t.kind == asker.kind]
        if sizes:
            best, pop = max(sizes, key=lambda x: -abs(x[1] - (asker.population or 1)))
            ratio = max(pop, asker.population) / min(pop, asker.population)
            if ratio <= SIMILAR_SIZE_FACTOR:
                out.append(
                    f"ähnlich groß: {best.name} {german_int(pop)}, {asker.name} "
                    f"{german_int(asker.population)} Einwohner"
                )
    return out


def project(ctx: QueryContext, scored: Scored) -> ProjectResult:
    """A project result."""
    p = ctx.catalog.projects[scored.id]
    words = ctx.matched_words("projects", p.id)
    summary = project_summary(ctx.catalog, p)
    level = confidence(
        scored.confident, scored.strong, scored.probability, ctx.shown_from("projects")
    )
    reasons = _fit_reasons(ctx, scored, level)
    phrase = status_phrase(p)
    if phrase:
        reasons.append(f"{and_list(summary.municipalities)}: {phrase}")
    if summary.providers:
        reasons.append("umgesetzt mit " + ", ".join(x.name for x in summary.providers))
    own = ctx.q.asker is not None and ctx.q.asker.id in p.municipalities
    if own:
        reasons.insert(0, "Ihr eigenes Projekt")
    else:
        reasons.extend(_place_reasons(ctx, ctx.catalog.towns(p.municipalities)))
    return ProjectResult(
        **summary.model_dump(),
        score=round(scored.score, SCORE_DIGITS),
        confidence=level,
        probability=chance(scored.probability),
        own=own,
        explanation=Explanation(
            text_fit=round(scored.text_fit, SCORE_DIGITS),
            components=scored.components,
            matched_terms=words,
            reasons=reasons,
        ),
    )


def provider(ctx: QueryContext, r: ProviderMatch) -> ProviderResult:
    """A provider result with its fitting offerings and reference projects."""
    catalog = ctx.catalog
    prov = catalog.providers[r.provider_id]
    offerings = [
        OfferingHit(
            id=o.id, title=catalog.offerings[o.id].title, score=round(o.score, SCORE_DIGITS)
        )
        for o in r.offerings[:3]
    ]
    reasons = []
    if offerings:
        reasons.append("passendes Angebot: " + "; ".join(f"„{o.title}“" for o in offerings[:2]))
    for p in r.references[:3]:
        reasons.append(f"hat „{p.title}“ in {towns_of(catalog, p)} umgesetzt")
    if r.components.get("similar_customers", 0) > 0 and ctx.q.asker is not None:
        reasons.append(f"Referenzen in Kommunen ähnlich wie {ctx.q.asker.name}")
    if r.offerings:
        words = ctx.matched_words("offerings", r.offerings[0].id)
        reasons += evidence_reasons(ctx, "offerings", r.offerings[0].id, "im Angebot")
    else:
        words = ctx.matched_words("providers", r.provider_id)
        reasons += evidence_reasons(ctx, "providers", r.provider_id, "im Profil")
    level = confidence(r.confident, r.strong, r.probability, ctx.shown_from("providers"))
    if level == "niedrig":
        reasons.append(WEAK)
    references = [project_summary(catalog, p) for p in r.references]
    asker = ctx.q.asker
    partner = asker is not None and any(
        asker.id in p.municipalities for p in catalog.reference_projects(r.provider_id)
    )
    if partner and asker is not None:
        reasons.insert(0, f"arbeitet bereits mit {asker.name} zusammen")
    return ProviderResult(
        id=r.provider_id,
        name=prov.name,
        title=prov.name,
        categories=sorted(
            {str(c) for o in r.offerings for c in catalog.offerings[o.id].categories}
        ),
        regions=prov.regions,
        score=round(r.score, SCORE_DIGITS),
        confidence=level,
        probability=chance(r.probability),
        offerings=offerings,
        references=references[:5],
        municipalities=sorted({n for ref in references for n in ref.municipalities}),
        existing_partner=partner,
        explanation=Explanation(components=r.components, matched_terms=words, reasons=reasons),
    )


def _pair_reasons(catalog: Catalog, r: PeerMatch) -> list[str]:
    reasons = []
    for own_title, kind, their_id in r.pairs[:3]:
        theirs = catalog.projects[their_id] if kind == "projects" else catalog.needs[their_id]
        verb = "hat ein Projekt" if kind == "projects" else "hat einen Bedarf"
        reasons.append(f"{verb} wie Ihr „{own_title}“: „{theirs.title}“")
    return reasons


def _peer_reasons(catalog: Catalog, r: PeerMatch) -> list[str]:
    if r.pairs:
        return _pair_reasons(catalog, r)
    reasons = []
    projects = [
        sc for sc in r.projects if (sc.confident or not r.confident) and sc.id not in r.together
    ]
    needs = [sc for sc in r.needs if sc.confident or not r.confident]
    for sc in projects[:2]:
        p = catalog.projects[sc.id]
        if p.status == "laufend":
            reasons.append(
                f"betreibt seit {p.year} „{p.title}“" if p.year else f"betreibt „{p.title}“"
            )
        elif p.status == "geplant":
            reasons.append(f"plant „{p.title}“")
        elif p.status == "abgeschlossen":
            done = f"{p.year} abgeschlossen" if p.year else "abgeschlossen"
            reasons.append(f"hat „{p.title}“ umgesetzt, {done}")
        else:
            reasons.append(f"hat „{p.title}“ umgesetzt")
    for sc in needs[:2]:
        need = catalog.needs[sc.id]
        alike = "denselben" if sc.confident else "einen verwandten"
        reasons.append(f"hat {alike} Bedarf gemeldet: „{need.title}“")
    return reasons


def together_reason(catalog: Catalog, r: PeerMatch, asker: Municipality | None) -> list[str]:
    """'arbeitet schon mit Mossautal zusammen: „Anrufsammeltaxi …“'."""
    if not r.together or asker is None:
        return []
    titles = and_list([f"„{catalog.projects[i].title}“" for i in r.together[:2]])
    return [f"arbeitet schon mit {asker.name} zusammen: {titles}"]


def municipality(ctx: QueryContext, r: PeerMatch) -> MunicipalityResult:
    """A peer municipality with the projects and needs that make it one."""
    catalog, town = ctx.catalog, r.town
    level = confidence(r.confident, r.strong, r.probability, ctx.shown_from("municipalities"))
    reasons = together_reason(catalog, r, ctx.q.asker) + _peer_reasons(catalog, r)
    reasons.extend(_place_reasons(ctx, [town]))
    if not r.projects and not r.needs and not r.together:
        reasons.append("nur strukturell ähnlich (Lage und Größe), kein passendes Vorhaben")
    elif level == "niedrig":
        reasons.append(WEAK)
    asker = ctx.q.asker
    inside = asker is not None and (
        ctx.data.contains(town, asker) or ctx.data.contains(asker, town)
    )
    # A district and its own town: no distance between centres, the reason says "gehört zu".
    km = None if inside else geography.distance_km(asker, town)
    return MunicipalityResult(
        **_town(town),
        distance_km=round(km, DISTANCE_DIGITS) if km is not None else None,
        categories=sorted(
            {str(c) for sc in r.projects[:3] for c in catalog.projects[sc.id].categories[:1]}
        ),
        score=round(r.score, SCORE_DIGITS),
        confidence=level,
        probability=chance(r.probability),
        relations=r.relations,
        projects=[sc.id for sc in r.projects[:5]],
        needs=[sc.id for sc in r.needs[:5]],
        municipalities=[town.name],
        explanation=Explanation(components=r.components, reasons=reasons),
    )


def lead(catalog: Catalog, lead: LeadMatch, customers: frozenset[str] = frozenset()) -> LeadResult:
    """A municipality that could take something up, with its needs or its look-alike;
    `customers` are the towns that already have a project with the provider."""
    town = lead.town
    needs = [
        LeadNeed(
            id=n.scored.id,
            title=catalog.needs[n.scored.id].title,
            status=catalog.needs[n.scored.id].status,
            score=round(n.scored.score, SCORE_DIGITS),
            matched=n.matched,
        )
        for n in lead.needs
    ]
    reasons = [
        f"hat Bedarf gemeldet: „{n.title}“" + (f" (passt zu „{n.matched}“)" if n.matched else "")
        for n in needs[:2]
    ]
    ref = lead.similar_to
    if ref is not None:
        km = geography.distance_km(ref, town)
        where = f"{km_text(km)} entfernt" if km is not None else "Entfernung unbekannt"
        size = f", {german_int(town.population)} Einwohner" if town.population else ""
        reasons.append(
            f"ähnlich wie Referenzkommune {ref.name} ({where}{size}), "
            "dort gibt es so ein Projekt, hier noch nicht"
        )
    customer = town.id in customers
    if customer:
        reasons.insert(0, "bereits Kunde: hat schon ein Projekt mit diesem Anbieter")
    return LeadResult(
        **_town(town),
        score=round(lead.score, SCORE_DIGITS),
        confidence=confidence(lead.confident),
        probability=chance(lead.probability),
        basis="bedarf" if needs else "aehnliche_kommune",
        needs=needs[:3],
        similar_to=ref.id if ref is not None else None,
        existing_customer=customer,
        explanation=Explanation(reasons=reasons),
    )


def joint_project(
    catalog: Catalog,
    group: JointGroup,
    providers: list[ProviderResult],
    projects: list[ProjectResult],
) -> JointProject:
    """A joint-project suggestion with its best provider and model project (that of members
    who already run one together, if some do)."""
    reasons = [
        f"{len(group.needs)} Kommunen mit demselben Bedarf: "
        + and_list([t.name for t in group.towns]),
        f"höchstens {km_text(max(group.distances_km))} voneinander entfernt",
    ]
    if group.together is not None:
        pid, members = group.together
        names = and_list([t.name for t in group.towns if t.id in members])
        others = and_list([t.name for t in group.towns if t.id not in members])
        reasons.append(
            f"{names} setzen „{catalog.projects[pid].title}“ schon gemeinsam um – "
            f"{others} können sich anschließen"
        )
        projects = sorted(projects, key=lambda p: p.id != pid)
    if projects:
        # The provider who delivered the model project is the one to name first.
        delivered = {x.id for x in projects[0].providers}
        providers = sorted(providers, key=lambda x: x.id not in delivered)
    if providers:
        reasons.append(f"passender Anbieter: {providers[0].name}")
    if projects:
        reasons.append(f"Vorbild: „{projects[0].title}“ in " + and_list(projects[0].municipalities))
    theme = group.theme
    return JointProject(
        id=group.key,
        title=group.central.title,
        theme=CATEGORY_LABELS.get(Category(theme), theme) if theme else "",
        categories=sorted(group.categories),
        score=round(group.score, SCORE_DIGITS),
        members=[
            JointMember(**town_summary(t).model_dump(), need=n.id, need_title=n.title)
            for t, n in zip(group.towns, group.needs, strict=True)
        ],
        distances_km=Spread(
            max=round(max(group.distances_km), DISTANCE_DIGITS),
            mean=round(sum(group.distances_km) / len(group.distances_km), DISTANCE_DIGITS),
        ),
        similarity=Likeness(
            min=round(min(group.pair_similarities), 3),
            mean=round(sum(group.pair_similarities) / len(group.pair_similarities), 3),
        ),
        providers=providers,
        projects=projects,
        explanation=Explanation(reasons=reasons),
    )
