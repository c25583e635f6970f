"""Exchange suggestions by the existing matching: which towns should meet, which groups a town
should join, and whom to invite to an event.

Towns to meet: each open need of a town is asked as its own query (as on a town's page); the
strong matching projects of other towns are what those towns have done. The pairs (the town
that plans it, the town that has done it) are handed out round by round, near first, so that
every town gets its first suggestion before any gets a second, and no experienced town is
suggested more than `ExchangeConfig.max_asks_per_town` times across every town.

Groups and events: the group's or event's topic is the query (its categories the filter); the
towns whose open needs or projects match strongly fit its topic, the providers ranked for it
fit an event.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from matcher.domain.catalog import Catalog
from matcher.domain.exchange import (
    ExchangeEvent,
    ExchangeGroup,
    GroupFit,
    Invitations,
    Invitee,
    InviteeRole,
    Ref,
    TownRef,
    TownToMeet,
)
from matcher.domain.schema import Municipality
from matcher.matching.context import QueryContext
from matcher.matching.matcher import Matcher
from matcher.matching.projects import rank_projects
from matcher.ranking.fusion import Scored

# Items a reason or a result names at most (the best ones): a card shows two or three.
ITEMS_NAMED = 3
SCORE_DIGITS = 4


@dataclass
class Pairing:
    """A town that plans something (`planner`: its open needs) and a town that has done it
    (`experienced`: its projects that match those needs strongly)."""

    planner: str
    experienced: str
    km: float | None
    score: float = 0.0
    needs: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)

    @property
    def order(self) -> tuple[float, float, str]:
        """Near first; then the better match; then by id (the same order every time)."""
        return (self.km if self.km is not None else math.inf, -self.score, self.experienced)


def town_ref(town: Municipality) -> TownRef:
    return TownRef(id=town.id, name=town.name, district=town.district, population=town.population)


def _strong(found: Iterable[Scored]) -> list[Scored]:
    return [sc for sc in found if sc.strong]


def _on_topic(ctx: QueryContext, kind: str, found: Iterable[Scored]) -> list[Scored]:
    """The strong matches that share a topic word with the query (in a sentence close to it):
    a strong match by wording alone may be about something else („Stromversorgung“ for
    street lights)."""
    return [sc for sc in _strong(found) if ctx.topic_words(kind, sc.id)]


def options_of(matcher: Matcher, town: Municipality) -> list[Pairing]:
    """Every town that has done what `town` plans, near first: for each of its open needs
    (asked as a query of the town), the towns of the strongly matching projects in which
    `town` takes no part."""
    catalog = matcher.data.catalog
    found: dict[str, Pairing] = {}
    for need in catalog.needs_of_municipality.get(town.id, []):
        if need.status == "erledigt":
            continue
        query = matcher.item_query("needs", need.id, asker=town, home_towns=frozenset({town.id}))
        ctx = matcher.context(query)
        for sc in _on_topic(ctx, "projects", rank_projects(ctx)):
            project = catalog.projects[sc.id]
            if town.id in project.municipalities:
                continue  # they already work on it together
            for other in catalog.towns(project.municipalities):
                pair = found.get(other.id)
                if pair is None:
                    km = matcher.data.towns.distance_km(town, other)
                    pair = found[other.id] = Pairing(town.id, other.id, km)
                pair.score = max(pair.score, sc.score)
                if need.id not in pair.needs:
                    pair.needs.append(need.id)
                if project.id not in pair.projects:
                    pair.projects.append(project.id)
    return sorted(found.values(), key=lambda p: p.order)


def allocate(
    options: dict[str, list[Pairing]], cap: int, per_town: int
) -> dict[str, list[Pairing]]:
    """Each planner's pairings, handed out round by round: in each round every planner (those
    with the fewest options first) takes its nearest option whose experienced town was asked
    fewer than `cap` times. A town gets at most `per_town`, in its own near-first order."""
    asked: Counter[str] = Counter()
    chosen: dict[str, list[Pairing]] = {planner: [] for planner in options}
    at = dict.fromkeys(options, 0)
    turn = sorted(options, key=lambda p: (len(options[p]), p))
    for _ in range(per_town):
        for planner in turn:
            mine, i = options[planner], at[planner]
            while i < len(mine) and asked[mine[i].experienced] >= cap:
                i += 1  # full: it stays full (counts only grow)
            if i < len(mine):
                asked[mine[i].experienced] += 1
                chosen[planner].append(mine[i])
                i += 1
            at[planner] = i
    return chosen


def pairings(matcher: Matcher) -> dict[str, list[Pairing]]:
    """The pairings of every town with open needs, capped per experienced town (the config's
    `exchange`)."""
    catalog, config = matcher.data.catalog, matcher.data.config.exchange
    planners = sorted({n.municipality for n in catalog.needs.values() if n.status != "erledigt"})
    options = {}
    for town_id in planners:
        town = catalog.municipality(town_id)
        if town is not None:
            options[town_id] = options_of(matcher, town)
    return allocate(options, config.max_asks_per_town, config.meet_per_town)


def _titles(catalog: Catalog, kind: str, ids: Iterable[str]) -> list[Ref]:
    items = catalog.items[kind]
    found = []
    for item_id in ids:
        item = items.get(item_id)
        if item is not None:
            found.append(Ref(id=item_id, title=getattr(item, "title", "")))
    return found


def _km_words(km: float | None) -> str | None:
    if km is None:
        return None
    return "in der Nähe (unter 1 km)" if km < 1 else f"{km:.0f} km entfernt".replace(".", ",")


def to_meet(catalog: Catalog, pair: Pairing) -> TownToMeet | None:
    """A pairing as the planner reads it, with reasons in German."""
    other = catalog.municipality(pair.experienced)
    if other is None:
        return None
    needs = _titles(catalog, "needs", pair.needs[:ITEMS_NAMED])
    projects = _titles(catalog, "projects", pair.projects[:ITEMS_NAMED])
    reasons = (
        [
            f"{other.name} hat „{projects[0].title}“ umgesetzt – das passt zu Ihrem offenen "
            f"Bedarf „{needs[0].title}“."
        ]
        if needs and projects
        else []
    )
    if len(pair.needs) > 1:
        reasons.append(f"Das betrifft {len(pair.needs)} Ihrer offenen Bedarfe.")
    if (words := _km_words(pair.km)) is not None:
        reasons.append(f"{other.name} liegt {words}.")
    return TownToMeet(
        town=town_ref(other),
        distance_km=round(pair.km, 1) if pair.km is not None else None,
        score=round(pair.score, SCORE_DIGITS),
        needs=needs,
        projects=projects,
        reasons=reasons,
    )


# -- groups ------------------------------------------------------------------------------------


def _by_town(ctx: QueryContext) -> tuple[dict[str, list[Scored]], dict[str, list[Scored]]]:
    """(town id → its strongly matching open needs, town id → its strongly matching projects)."""
    needs: dict[str, list[Scored]] = defaultdict(list)
    projects: dict[str, list[Scored]] = defaultdict(list)
    for sc in _on_topic(ctx, "needs", ctx.open_needs):
        needs[ctx.catalog.needs[sc.id].municipality].append(sc)
    for sc in _on_topic(ctx, "projects", ctx.projects):
        for town_id in ctx.catalog.projects[sc.id].municipalities:
            projects[town_id].append(sc)
    return needs, projects


def _shared(ctx: QueryContext, kind: str, item_id: str) -> str:
    words = ctx.matched_words(kind, item_id)[:ITEMS_NAMED]
    return f" (gemeinsam: {', '.join(words)})" if words else ""


def group_fits(ctx: QueryContext, group: ExchangeGroup) -> list[GroupFit]:
    """The towns outside `group` whose open needs or projects match its topic (`ctx` is the
    group's topic asked as a query), with reasons in German."""
    catalog, members = ctx.catalog, set(group.members)
    needs, projects = _by_town(ctx)
    fits = []
    for town_id in sorted(set(needs) | set(projects)):
        town = catalog.municipality(town_id)
        if town is None or town_id in members:
            continue
        mine_n, mine_p = (
            needs.get(town_id, [])[:ITEMS_NAMED],
            projects.get(town_id, [])[:ITEMS_NAMED],
        )
        reasons = [
            f"Offener Bedarf „{catalog.needs[sc.id].title}“ passt zum Thema der Gruppe"
            f"{_shared(ctx, 'needs', sc.id)}."
            for sc in mine_n
        ] + [
            f"Projekt „{catalog.projects[sc.id].title}“ passt zum Thema: Erfahrung, von der die "
            "Mitglieder lernen können."
            for sc in mine_p
        ]
        fits.append(
            GroupFit(
                group=Ref(id=group.id, title=group.name),
                town=town_ref(town),
                score=round(max(sc.score for sc in mine_n + mine_p), SCORE_DIGITS),
                needs=[Ref(id=sc.id, title=catalog.needs[sc.id].title) for sc in mine_n],
                projects=[Ref(id=sc.id, title=catalog.projects[sc.id].title) for sc in mine_p],
                reasons=reasons,
            )
        )
    # Towns with a fitting open need first (they come to learn), then those that can teach.
    return sorted(fits, key=lambda f: (not f.needs, -f.score, f.town.id))


# -- events ------------------------------------------------------------------------------------


def _invitee(town: Municipality, role: InviteeRole, score: float, reasons: list[str]) -> Invitee:
    return Invitee(
        kind="kommune",
        id=town.id,
        name=town.name,
        role=role,
        score=round(score, SCORE_DIGITS),
        reasons=reasons,
    )


def invitations(
    matcher: Matcher,
    ctx: QueryContext,
    event: ExchangeEvent,
    group: ExchangeGroup | None,
    k: int,
) -> Invitations:
    """Whom to invite to `event` (`ctx`: its topic asked as a query): the towns whose open
    needs fit (for towns' exchanges also those that have done it), the members of its group,
    and the providers ranked for the topic; each list best first, at most `k` long."""
    catalog = ctx.catalog
    needs, projects = _by_town(ctx)
    towns: list[Invitee] = []
    for town_id, found in needs.items():
        town = catalog.municipality(town_id)
        if town is None:
            continue
        reasons = [
            f"Offener Bedarf „{catalog.needs[sc.id].title}“ passt zum Thema"
            f"{_shared(ctx, 'needs', sc.id)}."
            for sc in found[:ITEMS_NAMED]
        ]
        towns.append(_invitee(town, "bedarf", max(sc.score for sc in found), reasons))
    invited = {t.id for t in towns}
    if event.format == "kommunen_tauschen_aus":
        for town_id, found in projects.items():
            town = catalog.municipality(town_id)
            if town is None or town_id in invited:
                continue
            reasons = [
                f"Hat „{catalog.projects[sc.id].title}“ umgesetzt und kann davon berichten."
                for sc in found[:ITEMS_NAMED]
            ]
            towns.append(_invitee(town, "erfahrung", max(sc.score for sc in found), reasons))
    towns.sort(key=lambda t: (-t.score, t.id))
    towns = towns[:k]
    invited = {t.id for t in towns}
    if group is not None:  # its members come whatever they asked for, after the matches
        for town in catalog.towns(m for m in group.members if m not in invited):
            towns.append(_invitee(town, "mitglied", 0.0, [f"Mitglied der Gruppe „{group.name}“."]))
    providers = [
        Invitee(
            kind="anbieter",
            id=p.id,
            name=p.name,
            role="anbieter",
            score=p.score,
            reasons=list(p.explanation.reasons[:2])
            or [f"Angebot „{o.title}“ passt zum Thema." for o in p.offerings[:ITEMS_NAMED]],
        )
        for p in matcher.providers(ctx, k)
        if p.confidence != "niedrig"
    ]
    return Invitations(
        event=Ref(id=event.id, title=event.title),
        date=event.date,
        format=event.format,
        towns=towns,
        providers=providers,
    )
