"""The exchange pages: /austausch (groups and upcoming events), a group's page with the towns
that should join it, an event's page with its invitation list (staff only), and the
„Austausch“ section of a town's page (`exchange_of`, a template global).

The organiser's contact shows only to a signed-in account that may see it (the one rule,
`page_viewer`); the invitation list names towns and providers with reasons, and its CSV
carries their contact addresses, so both are the staff's (admin key).
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import Blueprint, Response, render_template

from matcher.domain.errors import MatcherError
from matcher.domain.exchange import (
    FORMAT_LABELS,
    ExchangeEvent,
    ExchangeGroup,
    ExchangeSuggestions,
    category_words,
)
from matcher.domain.schema import CATEGORY_LABELS
from matcher.web.core.current import current_catalog, service
from matcher.web.core.downloads import csv_download
from matcher.web.core.limits import limited
from matcher.web.pages.session import current_account, page_viewer

log = logging.getLogger(__name__)

austausch = Blueprint("austausch", __name__, template_folder="templates")

# Towns a group's page suggests to invite, and towns and providers an event's list names: a
# page of suggestions, not every town with a faint match.
GROUP_SUGGESTIONS = 10
INVITATIONS = 20


def _staff() -> bool:
    me = current_account()
    return me is not None and me.staff


def _contact(item: ExchangeGroup | ExchangeEvent) -> tuple[str, str] | None:
    """(office, mailbox) of a group or event for a viewer that may see it (the one rule),
    else None."""
    if not item.contact_email or current_account() is None:
        return None
    if not page_viewer().may_see_private(item):
        return None
    return item.contact, item.contact_email


def _common() -> dict:
    return {
        "formats": FORMAT_LABELS,
        "categories": CATEGORY_LABELS,
        "category_words": category_words,
        "town": current_catalog().municipality,
    }


@austausch.get("/austausch")
def overview() -> str:
    svc = service().exchange
    today = dt.date.today()
    events = svc.events()
    return render_template(
        "exchange/overview.html",
        groups=svc.groups(),
        upcoming=[e for e in events if e.date >= today],
        past=[e for e in events if e.date < today][::-1],
        **_common(),
    )


@austausch.get("/austausch/gruppen/<item_id>")
@limited("matching")
def group(item_id: str) -> str:
    svc = service().exchange
    found = svc.group(item_id)
    return render_template(
        "exchange/group.html",
        group=found,
        events=[e for e in svc.events() if e.group == found.id],
        candidates=svc.group_candidates(found.id, GROUP_SUGGESTIONS).towns,
        contact=_contact(found),
        **_common(),
    )


@austausch.get("/austausch/termine/<item_id>")
@limited("matching")
def event(item_id: str) -> str:
    svc = service().exchange
    found = svc.event(item_id)
    staff = _staff()
    return render_template(
        "exchange/event.html",
        event=found,
        group=svc.group(found.group) if found.group else None,
        invitations=svc.invitations(found.id, INVITATIONS) if staff else None,
        staff=staff,
        contact=_contact(found),
        today=dt.date.today(),
        **_common(),
    )


@austausch.get("/austausch/termine/<item_id>/einladungen.csv")
@limited("matching")
def invitations_csv(item_id: str) -> Response | tuple[str, int]:
    """The invitation list with contact addresses, for staff (others get a German 403)."""
    me = current_account()
    if me is None or not me.staff:
        page = render_template(
            "error.html",
            heading="Nur für das Programmteam",
            text="Die Einladungsliste mit Kontaktadressen ist dem Programmteam vorbehalten "
            "(Anmeldung mit dem Admin-Schlüssel).",
        )
        return page, 403
    body = service().exchange.invitation_csv(item_id, me.actor, INVITATIONS * 2)
    return csv_download(body, "einladungen", item_id, private=True)


def exchange_of(town_id: str) -> ExchangeSuggestions | None:
    """A town's exchange suggestions for its page, or None when they cannot be made now (the
    page shows the rest; the suggestions are an addition, not its point)."""
    try:
        return service().exchange.suggestions(town_id)
    except MatcherError as exc:
        log.info("no exchange suggestions for %s: %s", town_id, exc)
        return None
