"""Exchange groups („Erfas“) and events: kept by staff, suggested by the matching.

Groups and events are records in the database (`ExchangeStore`), written only with the admin
key (`check_exchange_writer`); a group's members and an event's group must exist. What towns
should meet is worked out for every town at once (a cap per experienced town holds across all
of them) and kept for the version of the data it was made from; groups to join and whom to
invite are one query each (the group's or event's topic), made when asked.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from matcher.domain.access import Actor
from matcher.domain.catalog import Catalog
from matcher.domain.errors import ConflictError, NotFoundError, NotReadyError, ValidationError
from matcher.domain.exchange import (
    ExchangeEvent,
    ExchangeGroup,
    ExchangeSuggestions,
    GroupCandidates,
    GroupFit,
    Invitations,
    Ref,
    category_words,
    check_event,
    check_exchange_writer,
)
from matcher.domain.schema import (
    MAX_CHALLENGE_CHARS,
    MAX_RESULTS,
    MIN_CHALLENGE_CHARS,
    WITH_PRIVATE,
    Category,
    Filters,
)
from matcher.domain.spreadsheet import safe_cell
from matcher.importing.records import parse_records
from matcher.matching import exchange as matching
from matcher.matching.context import MatchData, QueryContext
from matcher.matching.matcher import Matcher
from matcher.ranking.config import RankingConfig
from matcher.service.answers import Answers, Ask
from matcher.service.home import Home
from matcher.service.replica import Replica, View
from matcher.store.exchange import ExchangeStore

GROUPS_FILE = "groups.jsonl"
EVENTS_FILE = "events.jsonl"
# The invitation list's columns (German Excel reads `;` and a BOM).
CSV_COLUMNS = ("Art", "Rolle", "id", "Name", "Kontakt", "Gründe", "Score")
ROLE_WORDS = {
    "bedarf": "Bedarf passt",
    "erfahrung": "hat Erfahrung",
    "mitglied": "Mitglied der Gruppe",
    "anbieter": "Angebot passt",
}


class Exchange:
    """Exchange groups and events, and the suggestions about them."""

    def __init__(self, home: Home, replica: Replica, answers: Answers, ranking: RankingConfig):
        self._home = home
        self._replica = replica
        self._answers = answers
        self._ranking = ranking
        self._store: ExchangeStore | None = None
        # The pairings of every town, for one change sequence of the data (see `_pairings`).
        self._pairs: tuple[int, dict[str, list[matching.Pairing]]] | None = None
        # Every group's fitting towns, for one version of the data and of the groups.
        self._fits: tuple[tuple, list[GroupFit]] | None = None
        self._pairs_lock = threading.Lock()

    @property
    def store(self) -> ExchangeStore:
        if self._store is None:
            self._store = ExchangeStore(self._home.store)
        return self._store

    # -- records -----------------------------------------------------------------------------

    def groups(self) -> list[ExchangeGroup]:
        return self.store.groups()

    def group(self, group_id: str) -> ExchangeGroup:
        return self.store.group(group_id)

    def groups_of(self, town_id: str) -> list[ExchangeGroup]:
        """The groups a town is a member of."""
        return [g for g in self.store.groups() if town_id in g.members]

    def create_group(self, group: ExchangeGroup, actor: Actor) -> ExchangeGroup:
        check_exchange_writer(actor)
        self._check_members([group])
        self.store.create_group(group)
        return group

    def replace_group(self, group_id: str, group: ExchangeGroup, actor: Actor) -> ExchangeGroup:
        check_exchange_writer(actor)
        _same_id(group_id, group.id)
        self._check_members([group])
        self.store.replace_group(group)
        return group

    def delete_group(self, group_id: str, actor: Actor) -> None:
        check_exchange_writer(actor)
        held = [e.id for e in self.store.events() if e.group == group_id]
        self.store.group(group_id)  # NotFoundError first
        if held:
            raise ConflictError(
                f"Die Gruppe {group_id!r} hält noch Termine ({', '.join(held)}): erst diese "
                "löschen oder einer anderen Gruppe zuordnen"
            )
        self.store.delete_group(group_id)

    def import_groups(self, data: bytes, actor: Actor) -> int:
        check_exchange_writer(actor)
        groups = parse_records(ExchangeGroup, data, "Gruppen")
        self._check_members(groups)
        self.store.upsert_groups(groups)
        return len(groups)

    def events(self, upcoming_from: dt.date | None = None) -> list[ExchangeEvent]:
        """Every event by date; from a day on only, if given."""
        found = self.store.events()
        if upcoming_from is not None:
            found = [e for e in found if e.date >= upcoming_from]
        return found

    def event(self, event_id: str) -> ExchangeEvent:
        return self.store.event(event_id)

    def create_event(self, event: ExchangeEvent, actor: Actor) -> ExchangeEvent:
        check_exchange_writer(actor)
        check_event(event)
        self._check_groups([event])
        self.store.create_event(event)
        return event

    def replace_event(self, event_id: str, event: ExchangeEvent, actor: Actor) -> ExchangeEvent:
        check_exchange_writer(actor)
        _same_id(event_id, event.id)
        check_event(event)
        self._check_groups([event])
        self.store.replace_event(event)
        return event

    def delete_event(self, event_id: str, actor: Actor) -> None:
        check_exchange_writer(actor)
        self.store.delete_event(event_id)

    def import_events(self, data: bytes, actor: Actor) -> int:
        check_exchange_writer(actor)
        events = parse_records(ExchangeEvent, data, "Termine")
        for event in events:
            check_event(event)
        self._check_groups(events, {e.id for e in self.store.groups()})
        self.store.upsert_events(events)
        return len(events)

    def load_demo(self, data_dir: Path, actor: Actor) -> dict[str, int]:
        """The demo's groups and events, where the demo directory has them."""
        loaded: dict[str, int] = {}
        for name, kind, load in (
            (GROUPS_FILE, "groups", self.import_groups),
            (EVENTS_FILE, "events", self.import_events),
        ):
            path = data_dir / name
            if path.exists():
                loaded[kind] = load(path.read_bytes(), actor)
        return loaded

    def _check_members(self, groups: list[ExchangeGroup]) -> None:
        with self._replica.snapshot() as view:
            unknown = [
                (f"members: {m}" if len(groups) == 1 else f"{g.id}: members: {m}", m)
                for g in groups
                for m in g.members
                if view.catalog.municipality(m) is None
            ]
        if unknown:
            names = ", ".join(m for _, m in unknown[:5])
            raise ValidationError(
                f"members: unbekannte Kommune(n): {names}",
                [(where, "keine Kommune mit dieser id") for where, _ in unknown],
            )

    def _check_groups(self, events: list[ExchangeEvent], known: set[str] | None = None) -> None:
        if known is None:
            known = {g.id for g in self.store.groups()}
        unknown = [e for e in events if e.group is not None and e.group not in known]
        if unknown:
            raise ValidationError(
                f"group: unbekannte Gruppe {unknown[0].group!r}",
                [(f"{e.id}: group", "keine Gruppe mit dieser id") for e in unknown],
            )

    # -- suggestions -------------------------------------------------------------------------

    @contextmanager
    def _matcher(self) -> Iterator[tuple[View, Matcher]]:
        """The current data held still for the block, and a matcher over it."""
        with self._replica.snapshot() as view:
            if view.indexes is None:
                raise NotReadyError("the index is not built yet; run `matcher build`")
            data = MatchData(
                view.catalog,
                view.indexes,
                self._ranking,
                self._replica.analyzer,
                known_texts=view.texts,
                known_towns=view.towns,
            )
            yield view, Matcher(data)

    def _pairings(self, view: View, matcher: Matcher) -> dict[str, list[matching.Pairing]]:
        """Every town's pairings for this version of the data, made once per version."""
        with self._pairs_lock:
            if self._pairs is None or self._pairs[0] != view.change_sequence:
                self._pairs = (view.change_sequence, matching.pairings(matcher))
            return self._pairs[1]

    def _group_fits(
        self, view: View, matcher: Matcher, groups: list[ExchangeGroup]
    ) -> list[GroupFit]:
        """Every group's fitting towns (one query a group), made once per version of the data
        and of the groups: a town's page asks for them on every view."""
        key = (view.change_sequence, tuple(g.model_dump_json(context=WITH_PRIVATE) for g in groups))
        with self._pairs_lock:
            if self._fits is not None and self._fits[0] == key:
                return self._fits[1]
        fits = [
            fit
            for group in groups
            for fit in matching.group_fits(
                self._topic_context(matcher, view.catalog, group.topic, group.categories), group
            )
        ]
        with self._pairs_lock:
            self._fits = (key, fits)
        return fits

    def _topic_context(
        self, matcher: Matcher, catalog: Catalog, text: str, categories: list[Category]
    ) -> QueryContext:
        """A group's or event's topic asked as a challenge, its categories the filter (a
        topic of a word or two gets its categories' names; a long one is cut where a challenge
        ends)."""
        if len(text.strip()) < MIN_CHALLENGE_CHARS:
            text = f"{text}. {category_words(categories)}"
        text = text[:MAX_CHALLENGE_CHARS]
        query = self._answers.query(Ask.of(text, filters=Filters(categories=categories)), catalog)
        return matcher.context(query)

    def suggestions(self, town_id: str) -> ExchangeSuggestions:
        """For a town: the groups it should join and the towns it should meet (near first)."""
        groups = self.store.groups()
        config = self._ranking.exchange
        with self._matcher() as (view, matcher):
            town = view.catalog.municipality(town_id)
            if town is None:
                raise NotFoundError(f"municipalities: no item with id {town_id!r}")
            pairs = self._pairings(view, matcher)
            meet = [
                found
                for pair in pairs.get(town_id, [])
                if (found := matching.to_meet(view.catalog, pair)) is not None
            ]
            asked_by = [
                matching.town_ref(other)
                for planner, chosen in sorted(pairs.items())
                if any(p.experienced == town_id for p in chosen)
                and (other := view.catalog.municipality(planner)) is not None
            ]
            fits = [f for f in self._group_fits(view, matcher, groups) if f.town.id == town_id]
        # A group where its open needs fit first: it joins to learn (then where it can teach).
        fits.sort(key=lambda f: (not f.needs, -f.score, f.group.id))
        return ExchangeSuggestions(
            municipality=matching.town_ref(town),
            member_of=[Ref(id=g.id, title=g.name) for g in groups if town_id in g.members],
            groups=fits[: config.groups_per_town],
            meet=meet,
            asked_by=asked_by,
        )

    def group_candidates(self, group_id: str, k: int = 10) -> GroupCandidates:
        """The towns that should join a group (not members), best first."""
        _checked_k(k)
        group = self.store.group(group_id)
        with self._matcher() as (view, matcher):
            ctx = self._topic_context(matcher, view.catalog, group.topic, group.categories)
            fits = matching.group_fits(ctx, group)[:k]
        return GroupCandidates(group=Ref(id=group.id, title=group.name), towns=fits)

    def invitations(self, event_id: str, k: int = 20) -> Invitations:
        """Whom to invite to an event: towns and providers, ranked, with reasons."""
        _checked_k(k)
        event = self.store.event(event_id)
        group = self.store.group(event.group) if event.group else None
        with self._matcher() as (view, matcher):
            ctx = self._topic_context(matcher, view.catalog, event.topic, event.categories)
            return matching.invitations(matcher, ctx, event, group, k)

    def invitation_csv(self, event_id: str, actor: Actor, k: int = 50) -> str:
        """The invitation list as CSV for German Excel, with contact addresses: staff only."""
        check_exchange_writer(actor)
        found = self.invitations(event_id, k)
        with self._replica.snapshot() as view:
            catalog = view.catalog
            out = io.StringIO()
            writer = csv.writer(out, delimiter=";", lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
            for row in [*found.towns, *found.providers]:
                kind = "municipalities" if row.kind == "kommune" else "providers"
                item = catalog.get(kind, row.id)
                mailbox = getattr(item, "contact_email", "") if item is not None else ""
                writer.writerow(
                    [
                        "Kommune" if row.kind == "kommune" else "Anbieter",
                        ROLE_WORDS[row.role],
                        row.id,
                        safe_cell(row.name),
                        mailbox,
                        safe_cell(" ".join(row.reasons)),
                        f"{row.score:.3f}".replace(".", ","),
                    ]
                )
        return "\ufeff" + out.getvalue()


def _same_id(path_id: str, body_id: str) -> None:
    if path_id != body_id:
        raise ValidationError(
            "id: passt nicht zur Adresse", [("id", "muss der id in der Adresse gleichen")]
        )


def _checked_k(k: int) -> None:
    if not 1 <= k <= MAX_RESULTS:
        raise ValidationError(
            f"k: zwischen 1 und {MAX_RESULTS}", [("k", f"zwischen 1 und {MAX_RESULTS}")]
        )
