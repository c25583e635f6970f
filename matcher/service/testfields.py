"""Test fields in the service (issue 24): matching both ways, and the applications to pilot.

Test fields themselves are a catalog kind (`testfields`): they are written, imported and
listed like every other item. Here: the open test fields for an offering, the providers for a
test field, and the applications, which live in the database only (`ApplicationStore`) and are
seen by the test field's owner, the applicant and admins (`may_see_application`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from matcher.domain.access import Actor, owns
from matcher.domain.errors import NotFoundError
from matcher.domain.schema import TestField
from matcher.domain.testfields import (
    PROVEN,
    STATUS_LABELS,
    TRANSITIONS,
    Application,
    ApplicationRequest,
    Pilot,
    check_apply,
    check_move,
    facilities_needed,
    may_see_application,
)
from matcher.matching.results import ItemRef, OfferingTestFields, TestFieldProviders
from matcher.matching.testfields import rank_testfield_providers, rank_testfields
from matcher.service.answers import Answers, checked_k
from matcher.service.home import Home
from matcher.service.replica import Replica
from matcher.store.testfields import ApplicationStore


class TestFields:
    """Matching of test fields and the applications to them."""

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        home: Home,
        replica: Replica,
        answers: Answers,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self._home = home
        self._replica = replica
        self._answers = answers
        self.today = today  # the date calls are open on (tests pass another clock)

    @property
    def store(self) -> ApplicationStore:
        return ApplicationStore(self._home.store.engine)

    # -- matching ----------------------------------------------------------------------------

    def for_offering(self, offering_id: str, k: int = 10) -> OfferingTestFields:
        """Open test fields for an offering: by its text and topics, each with what the
        offering needs of a place against what the place has."""
        checked_k(k)
        with self._replica.snapshot() as view:
            offering = view.catalog.offerings.get(offering_id)
            if offering is None:
                raise NotFoundError(f"offerings: no item with id {offering_id!r}")
            matcher = self._answers.matcher()
            ctx = matcher.context(matcher.item_query("offerings", offering_id))
            found = rank_testfields(ctx, k, offering, only_open=True, today=self.today())
        return OfferingTestFields(
            offering=ItemRef(id=offering.id, title=offering.title),
            needs=facilities_needed(offering),
            testfields=found,
        )

    def providers(self, testfield_id: str, k: int = 10) -> TestFieldProviders:
        """Providers whose offerings fit a test field, with what they need of it."""
        checked_k(k)
        with self._replica.snapshot() as view:
            field = self._field(view.catalog.testfields, testfield_id)
            matcher = self._answers.matcher()
            ctx = matcher.context(matcher.item_query("testfields", testfield_id))
            return rank_testfield_providers(ctx, field, k)

    @staticmethod
    def _field(fields: dict[str, TestField], testfield_id: str) -> TestField:
        field = fields.get(testfield_id)
        if field is None:
            raise NotFoundError(f"testfields: no item with id {testfield_id!r}")
        return field

    def field(self, testfield_id: str) -> TestField:
        with self._replica.snapshot() as view:
            return self._field(view.catalog.testfields, testfield_id)

    # -- applications ------------------------------------------------------------------------

    def _shown(self, row: dict, actor: Actor | None) -> Application:
        with self._replica.snapshot(fresh=False) as view:
            field = view.catalog.testfields.get(row["testfield"])
            provider = view.catalog.providers.get(row["provider"])
        owner = actor is not None and field is not None and owns(actor, field)
        return Application(
            **row,
            testfield_title=field.title if field else row["testfield"],
            provider_name=provider.name if provider else row["provider"],
            status_label=STATUS_LABELS[row["status"]],
            next_statuses=list(TRANSITIONS[row["status"]]) if owner else [],
        )

    def apply(
        self, testfield_id: str, request: ApplicationRequest, actor: Actor | None
    ) -> Application:
        """A provider's expression of interest; PermissionDenied for anyone else, a German
        ConflictError if the call is closed or it applied already."""
        with self._replica.snapshot() as view:
            field = self._field(view.catalog.testfields, testfield_id)
            offering = view.catalog.offerings.get(request.offering or "")
            provider = check_apply(actor, field, request, offering, self.today())
            row = self.store.add(
                field.id, provider, request.offering, request.message.strip(), request.needs
            )
        return self._shown(row, actor)

    def applications(self, testfield_id: str, actor: Actor) -> list[Application]:
        """The applications to a test field the actor may see: all for its owner and admins,
        a provider's own for a provider, none for others."""
        field = self.field(testfield_id)
        rows = self.store.of_testfield(field.id)
        return [
            self._shown(r, actor) for r in rows if may_see_application(actor, field, r["provider"])
        ]

    def mine(self, actor: Actor) -> list[Application]:
        """A provider's own applications (none for other roles)."""
        if actor.kind != "provider":
            return []
        return [self._shown(r, actor) for r in self.store.of_provider(actor.owner)]

    def application(self, application_id: str, actor: Actor | None) -> Application:
        """One application; NotFoundError for anyone but the owner, the applicant and admins
        (an application's existence is private too)."""
        row = self._visible(application_id, actor)
        return self._shown(row, actor)

    def _visible(self, application_id: str, actor: Actor | None) -> dict:
        missing = NotFoundError(f"applications: no item with id {application_id!r}")
        try:
            row = self.store.get(application_id)
        except NotFoundError:
            raise missing from None
        with self._replica.snapshot(fresh=False) as view:
            field = view.catalog.testfields.get(row["testfield"])
        if field is None or not may_see_application(actor, field, row["provider"]):
            raise missing
        return row

    def move(self, application_id: str, status: str, actor: Actor) -> Application:
        """The owner (or an admin) moves an application one legal step on."""
        with self._replica.snapshot() as view:
            row = self._visible(application_id, actor)
            field = self._field(view.catalog.testfields, row["testfield"])
            check_move(actor, field, row["status"], status)
            moved = self.store.move(application_id, row["status"], status)
        return self._shown(moved, actor)

    def pilots(self, provider_id: str) -> list[Pilot]:
        """A provider's evaluated or adopted pilots: public evidence („erprobt in …“)."""
        rows = self.store.of_provider(provider_id, PROVEN)
        out = []
        with self._replica.snapshot(fresh=False) as view:
            for r in rows:
                field = view.catalog.testfields.get(r["testfield"])
                if field is None:
                    continue
                town = view.catalog.municipality(field.municipality)
                out.append(
                    Pilot(
                        testfield=field.id,
                        title=field.title,
                        town=town.name if town else field.municipality,
                        status=r["status"],
                        status_label=STATUS_LABELS[r["status"]],
                    )
                )
        return out
