"""Test field pages in German (issue 24): the list with filters (`/testfelder`), and with an
offering chosen the open test fields that fit it; a test field's page with the providers that
fit it, the „Interesse bekunden“ form for a signed-in provider and, for its owner, the
applications with buttons that move them on. Providers' pages show evaluated pilots
(„erprobt in …“) through the template global `pilots_of`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from pydantic import ValidationError as PydanticValidationError

from matcher.domain.access import owns
from matcher.domain.errors import (
    ConflictError,
    NotFoundError,
    PermissionDenied,
    ValidationError,
)
from matcher.domain.schema import CATEGORY_LABELS, TestField
from matcher.domain.testfields import (
    CONDITION_LABELS,
    FACILITY_LABELS,
    PAYER_LABELS,
    PLACE_TYPE_LABELS,
    STATUS_LABELS,
    Application,
    ApplicationRequest,
    Pilot,
    call_label,
    call_open,
)
from matcher.web.core.current import current_catalog, service
from matcher.web.core.limits import limited
from matcher.web.core.security import same_origin
from matcher.web.pages.browse import (
    PAGE_SIZE,
    Facet,
    _place_facets,
    _topic_facet,
    listing,
)
from matcher.web.pages.session import current_account, form_token_ok, page_viewer

testfelder = Blueprint("testfelder", __name__, template_folder="templates")

PROVIDERS_SHOWN = 5  # fitting providers on a test field's page
MATCHES_SHOWN = 10  # test fields for an offering


def _consistent(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Render from one consistent state of the data (the request's snapshot, held to its end)."""

    @functools.wraps(view)
    def locked(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        current_catalog()
        return view(*args, **kwargs)

    return locked


@testfelder.before_request
def _only_own_forms() -> ResponseReturnValue | None:
    """Posts come from this server's pages, in the poster's own session (form token)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    if same_origin() and form_token_ok():
        return None
    text = (
        "Dieses Formular lässt sich nur von den Seiten des Smart Region Matchers aus und nur "
        "in Ihrer eigenen Sitzung abschicken. Bitte öffnen Sie die Seite neu (und melden Sie "
        "sich gegebenenfalls wieder an)."
    )
    return render_template("error.html", heading="Anfrage abgelehnt", text=text), 403


@testfelder.app_template_global("pilots_of")
def pilots_of(provider_id: str) -> list[Pilot]:
    """A provider's evaluated or adopted pilots („erprobt in …“), for its page."""
    return service().testfields.pilots(provider_id)


def testfield_facets() -> list[Facet]:
    """The filters of the test field list: place, topic and kind of place."""
    return [
        *_place_facets(current_catalog()),
        _topic_facet(),
        Facet(
            "ort",
            "Art des Orts",
            list(PLACE_TYPE_LABELS.items()),
            lambda v: {"place_type": v},
        ),
    ]


def _labels() -> dict[str, Any]:
    return {
        "category_labels": CATEGORY_LABELS,
        "place_labels": PLACE_TYPE_LABELS,
        "facility_labels": FACILITY_LABELS,
        "condition_labels": CONDITION_LABELS,
        "payer_labels": PAYER_LABELS,
        "status_labels": STATUS_LABELS,
    }


@testfelder.get("/testfelder")
@limited("matching")
@_consistent
def testfields() -> str:
    """Testfelder: the list with filters; with `angebot`, the open ones that fit an offering."""
    catalog = current_catalog()
    me = current_account()
    own = catalog.offerings_of_provider.get(me.owner, []) if me and me.kind == "provider" else []
    chosen = request.args.get("angebot", "").strip()
    matched, notice = None, None
    if chosen:
        if chosen in catalog.offerings:
            matched = service().testfields.for_offering(chosen, MATCHES_SHOWN)
        else:
            notice = f"Das Angebot „{chosen[:80]}“ gibt es nicht; gezeigt werden alle Testfelder."
    facets = testfield_facets()
    today = dt.date.today()
    return render_template(
        "testfields/list.html",
        listing=listing("testfields", facets),
        facets=facets,
        catalog=catalog,
        page_size=PAGE_SIZE,
        own_offerings=own,
        mine=service().testfields.mine(me.actor) if me is not None else [],
        chosen=chosen if matched else "",
        matched=matched,
        offering_notice=notice,
        call_label=lambda f: call_label(f, today),
        **_labels(),
    )


@testfelder.get("/testfelder/<item_id>")
@limited("matching")
@_consistent
def testfield(item_id: str) -> ResponseReturnValue:
    """A test field: what it offers, who fits, how to apply; its applications for its owner."""
    return _page(item_id)


def _page(
    item_id: str, errors: dict[str, str] | None = None, entered: dict | None = None
) -> ResponseReturnValue:
    svc = service()
    field = svc.testfields.field(item_id)
    catalog = current_catalog()
    me = current_account()
    today = dt.date.today()
    applications: list[Application] = []
    if me is not None:
        applications = svc.testfields.applications(item_id, me.actor)
    may_apply = me is not None and me.kind == "provider"
    own_offerings = catalog.offerings_of_provider.get(me.owner, []) if may_apply and me else []
    return render_template(
        "testfields/detail.html",
        field=field,
        town=catalog.municipality(field.municipality),
        providers=svc.testfields.providers(item_id, PROVIDERS_SHOWN).providers,
        call_open=call_open(field, today),
        call_text=call_label(field, today),
        contact=_contact(field),
        applications=applications,
        owner=me is not None and owns(me.actor, field),
        may_apply=may_apply,
        own_offerings=own_offerings,
        errors=errors or {},
        entered=entered or {},
        **_labels(),
    ), (400 if errors else 200)


def _contact(field: TestField) -> dict[str, str] | None:
    """The contact as the signed-in account may see it (the one rule), else None."""
    if not page_viewer().may_see_private(field):
        return None
    return {"office": field.contact, "email": field.contact_email}


@testfelder.post("/testfelder/<item_id>/interesse")
@limited("writes")
def apply(item_id: str) -> ResponseReturnValue:
    """A signed-in provider's expression of interest."""
    me = current_account()
    entered = {k: request.form.get(k, "") for k in ("message", "needs", "offering")}
    try:
        body = ApplicationRequest(
            message=entered["message"],
            needs=entered["needs"],
            offering=entered["offering"] or None,
        )
        service().testfields.apply(item_id, body, me.actor if me else None)
    except PydanticValidationError:
        problem = "Bitte beschreiben Sie in 10 bis 2.000 Zeichen, was Sie hier erproben möchten."
        return _page(item_id, {"message": problem}, entered)
    except (ConflictError, PermissionDenied, ValidationError) as exc:
        return _page(item_id, {"form": str(exc.args[0])}, entered)
    return redirect(url_for("testfelder.testfield", item_id=item_id, beworben=1), code=303)


@testfelder.post("/testfelder/<item_id>/bewerbungen/<application_id>")
@limited("writes")
def move(item_id: str, application_id: str) -> ResponseReturnValue:
    """The owner moves an application on (one of the buttons under it)."""
    me = current_account()
    if me is None:
        raise NotFoundError("applications: not signed in")
    try:
        service().testfields.move(application_id, request.form.get("status", ""), me.actor)
    except (ConflictError, PermissionDenied) as exc:
        return _page(item_id, {"form": str(exc.args[0])})
    return redirect(url_for("testfelder.testfield", item_id=item_id, geaendert=1), code=303)
