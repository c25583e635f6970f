"""Signed-in pages for municipalities and providers: sign in with the API key, report needs and
projects (municipalities) or offerings (providers), edit them and the own contact mailbox; a
provider's area lists its leads per offering (with a CSV that has the contact column). Staff
sign in here with the admin key too; their area is the staff's (`team.py`).

Writes go through the service's own `create`/`replace` with the account's role, so the API's
models validate them and the tenancy rules (`check_change`, on what the write finally changes)
decide them, exactly as for the API. A saved item is live at once: it is in the very next
search (README, "Web pages"; SECURITY.md says why there is no review step).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from matcher.domain.access import Actor, owns
from matcher.domain.errors import (
    ConflictError,
    NotFoundError,
    PermissionDenied,
    ValidationError,
)
from matcher.domain.schema import VIEWER, WITH_PRIVATE, Entity, Offering, display_name
from matcher.web.core.current import current_catalog, service
from matcher.web.core.downloads import csv_download
from matcher.web.core.limits import limited
from matcher.web.core.security import local_path, same_origin
from matcher.web.pages import forms, team
from matcher.web.pages import needs as pages_needs
from matcher.web.pages.contact import contact_card
from matcher.web.pages.leads import JOINT_SUGGESTIONS, LeadRow, joint_notes, lead_rows, to_csv
from matcher.web.pages.session import (
    PAGE_ROLES,
    current_account,
    end_session,
    form_token_ok,
    login_token,
    open_session,
    owner_name,
    page_viewer,
    role_of_key,
    set_login_cookie,
    sign_in_token_ok,
)

account = Blueprint("account", __name__)

# URL word → kind, and what each role may report in the pages.
KIND_OF = {"bedarfe": "needs", "projekte": "projects", "angebote": "offerings"}
SLUG_OF = {kind: word for word, kind in KIND_OF.items()}
REPORTS = {"municipality": ("needs", "projects"), "provider": ("offerings",)}
NOUN = {"needs": "Bedarf", "projects": "Projekt", "offerings": "Angebot"}
OWN_KIND = {"municipality": "municipalities", "provider": "providers"}
STATUS_TEXT = "ist jetzt sichtbar und wird in der Suche gefunden."
LEADS_IN_AREA = 5  # per offering; the provider page and the CSV have more
LEADS_EXPORTED = 50  # as the public CSV


# -- request checks ----------------------------------------------------------------------------


def _refused(heading: str, text: str, status: int) -> ResponseReturnValue:
    return render_template("error.html", heading=heading, text=text), status


@account.before_request
def _guard() -> ResponseReturnValue | None:
    """Posts: this server's origin and the form's token. Pages: a signed-in account."""
    if request.method == "POST":
        token_ok = sign_in_token_ok() if request.endpoint == "account.post_sign_in" else None
        if token_ok is None:
            token_ok = form_token_ok()
        if not same_origin() or not token_ok:
            return _refused(
                "Anfrage abgelehnt",
                "Dieses Formular lässt sich nur von den Seiten des Smart Region Matchers aus "
                "und nur in Ihrer eigenen Sitzung abschicken. Bitte öffnen Sie die Seite neu "
                "(und melden Sie sich gegebenenfalls wieder an).",
                403,
            )
        return None
    if request.endpoint != "account.sign_in" and current_account() is None:
        return redirect(url_for("account.sign_in", weiter=request.full_path.rstrip("?")))
    return None


@account.after_request
def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return set_login_cookie(response)


def dumped(item: Entity) -> dict[str, Any]:
    """An item of the signed-in account as its form shows it (private fields as `Viewer`
    allows the account: its own records' in full)."""
    data: dict[str, Any] = item.model_dump(mode="json", context={VIEWER: page_viewer()})
    return data


# -- sign in and out -------------------------------------------------------------------------


def _next() -> str:
    return local_path(request.values.get("weiter", "")) or url_for("account.home")


@account.get("/anmelden")
def sign_in() -> ResponseReturnValue:
    return render_template("account/sign_in.html", token=login_token(), weiter=_next(), error=None)


@account.post("/anmelden")
@limited("signin")
def post_sign_in() -> ResponseReturnValue:
    key = request.form.get("schluessel", "")[:200]
    role = role_of_key(key)
    error = None
    if role is None:
        error = "Diesen Zugangsschlüssel kennen wir nicht. Bitte prüfen Sie ihn (ohne Leerzeichen)."
    elif Actor(role).kind not in PAGE_ROLES:  # every role of a key today signs in
        error = "Mit diesem Schlüssel meldet man sich hier nicht an."
    elif owner_name(role) is None:
        error = "Zu diesem Schlüssel ist keine Kommune und kein Anbieter eingetragen."
    if error is not None:
        page = render_template(
            "account/sign_in.html", token=login_token(), weiter=_next(), error=error
        )
        return page, 400 if role is None else 403
    assert role is not None
    response = redirect(_next(), code=303)
    open_session(response, role, key)
    return response


@account.post("/abmelden")
@limited("writes")
def post_sign_out() -> ResponseReturnValue:
    response = redirect(url_for("account.sign_in", abgemeldet=1), code=303)
    end_session(response)
    return response


# -- the account's own page --------------------------------------------------------------------


@account.get("/mein-bereich")
@limited("matching")  # a town's needs with their best matches (needs.area), a provider's leads
def home() -> ResponseReturnValue:
    me = current_account()
    assert me is not None  # _guard
    if me.staff:
        return _staff_home()
    data = current_catalog()  # the request's snapshot, held until it ends
    needs = sorted(
        data.needs_of_municipality.get(me.owner, []),
        key=lambda n: (n.date is None, -(n.date.toordinal() if n.date else 0), n.title),
    )
    town, provider = me.kind == "municipality", me.kind == "provider"
    context = {
        "me": me,
        "own": data.get(OWN_KIND[me.kind], me.owner),
        "needs": needs if town else [],
        "area": pages_needs.area(me, needs) if town else None,
        "projects": data.projects_of_municipality.get(me.owner, []) if town else [],
        "offerings": data.offerings_of_provider.get(me.owner, []) if provider else [],
        "leads": _leads_by_offering(me.owner) if provider else [],
        "saved": _saved(),
        "reports": REPORTS[me.kind],
        "slug_of": SLUG_OF,
        "noun": NOUN,
        "need_status": forms.NEED_STATUS,
    }
    return render_template("account/home.html", **context)


def _staff_home() -> ResponseReturnValue:
    svc = service()
    return render_template(
        "account/home.html",
        me=current_account(),
        tally=svc.feedback_tally(),
        saved=None,
        **team.evaluation_state(svc),
    )


def _leads_by_offering(provider_id: str) -> list[tuple[Offering, list[LeadRow]]]:
    """Each offering of the provider with its best leads, noting the joint-project suggestions
    (numbered as on their page) each lead is part of."""
    svc = service()
    data = current_catalog()
    notes = joint_notes(svc.joint_projects(JOINT_SUGGESTIONS).items, provider_id)
    found = []
    for offering in data.offerings_of_provider.get(provider_id, []):
        leads = svc.leads(offering.id, LEADS_IN_AREA).leads
        found.append((offering, lead_rows(leads, data, notes)))
    return found


@account.get("/mein-bereich/interessenten.csv")
@limited("matching")
def leads_csv() -> ResponseReturnValue:
    """The provider's leads (for one offering with `angebot`) as CSV for German Excel, with the
    contact column: each town's mailbox as `Viewer` lets this provider see it."""
    me = current_account()
    assert me is not None
    if me.kind != "provider":
        abort(404)
    svc, data = service(), current_catalog()
    chosen = request.args.get("angebot") or me.owner
    offered = {o.id for o in data.offerings_of_provider.get(me.owner, [])}
    if chosen != me.owner and chosen not in offered:
        abort(404)
    notes = joint_notes(svc.joint_projects(JOINT_SUGGESTIONS).items, me.owner)
    rows = lead_rows(svc.leads(chosen, LEADS_EXPORTED).leads, data, notes)
    page = url_for("public.municipality", item_id="x", _external=True)[:-1] + "{id}"

    def mailbox(town_id: str) -> str | None:
        card = contact_card("municipalities", town_id)["contact"]  # the one rule (Viewer)
        return card.email if card is not None else None

    return csv_download(to_csv(rows, page, mailbox), "interessenten", chosen)


def _saved() -> dict | None:
    """The notice after saving: what was saved, that it is live, and where to see it."""
    kind, item_id = request.args.get("gespeichert", ""), request.args.get("id", "")
    if kind not in (*NOUN, "contact"):
        return None
    if kind == "contact":
        return {"text": "Ihre Kontaktadresse ist gespeichert.", "link": None}
    item = current_catalog().get(kind, item_id)
    if item is None:
        return None
    link = {
        "needs": lambda: url_for("public.need", item_id=item.id),
        "projects": lambda: url_for("public.project", item_id=item.id),
        "offerings": lambda: url_for("public.provider", item_id=getattr(item, "provider", "")),
    }[kind]()
    return {
        "text": f"Ihr {NOUN[kind]} „{display_name(item)}“ {STATUS_TEXT}",
        "link": link,
    }


# -- reporting and editing -------------------------------------------------------------------


def _kind(word: str) -> str:
    me = current_account()
    kind = KIND_OF.get(word, "")
    if me is None or kind not in REPORTS.get(me.kind, ()):
        raise NotFoundError(word)
    return kind


def _stored(kind: str, item_id: str) -> Entity:
    """The record to edit; NotFoundError, or PermissionDenied if it is not the account's."""
    item = current_catalog().get(kind, item_id)
    me = current_account()
    if item is None or me is None:
        raise NotFoundError(item_id)
    if not owns(me.actor, item):
        raise PermissionDenied(item_id)
    return item


def _form_page(kind: str, data: dict, item_id: str | None, errors: dict, status: int = 200):
    me = current_account()
    assert me is not None
    references = []
    if kind == "offerings":
        items = current_catalog()
        allowed = {p.id: p for p in items.projects_of_provider.get(me.owner, [])}
        for ref in data.get("references", []):
            project = items.projects.get(ref)
            if project is not None:
                allowed.setdefault(ref, project)
        references = sorted(allowed.values(), key=lambda p: p.title)
    page = render_template(
        "account/item_form.html",
        kind=kind,
        noun=NOUN.get(kind, ""),
        word=SLUG_OF.get(kind, ""),
        data=data,
        item_id=item_id,
        errors=errors,
        labels=forms.LABELS,
        categories=forms.CATEGORIES,
        need_status=forms.NEED_STATUS,
        project_status=forms.PROJECT_STATUS,
        references=references,
        me=me,
    )
    return page, status


def _problem_page(exc: Exception) -> ResponseReturnValue:
    if isinstance(exc, NotFoundError):
        return _refused(
            "Nicht gefunden", "Diesen Eintrag gibt es nicht (mehr) in Ihrem Bereich.", 404
        )
    return _refused(
        "Keine Berechtigung",
        "Diesen Eintrag kann Ihr Zugang nicht ändern: Er gehört einer anderen Kommune oder einem "
        "anderen Anbieter. Ändern können Sie Ihre eigenen Bedarfe, Projekte und Angebote.",
        403,
    )


@account.get("/mein-bereich/<word>/neu", endpoint="new_item")
@account.get("/mein-bereich/<word>/<item_id>")
def item_form(word: str, item_id: str | None = None) -> ResponseReturnValue:
    try:
        kind = _kind(word)
        # A new need may come from a search („als Bedarf melden“): its text prefilled.
        data: dict[str, Any] = {}
        if kind == "needs":
            data = {"date": forms.today(), **pages_needs.prefill()}
        if item_id is not None:
            data = dumped(_stored(kind, item_id))
    except (NotFoundError, PermissionDenied) as exc:
        return _problem_page(exc)
    return _form_page(kind, data, item_id, {})


@account.post("/mein-bereich/<word>/neu", endpoint="post_new_item")
@account.post("/mein-bereich/<word>/<item_id>")
@limited("writes")
def post_item(word: str, item_id: str | None = None) -> ResponseReturnValue:
    me = current_account()
    assert me is not None
    try:
        kind = _kind(word)
        entered = forms.values(kind, request.form)
        if item_id is None:
            title = str(entered.get("title", ""))
            owner: dict[str, dict[str, Any]] = {
                "needs": {"municipality": me.owner},
                "projects": {"municipalities": [me.owner]},
                "offerings": {"provider": me.owner},
            }
            base = {
                "id": forms.new_id(kind, me.owner, title, set(current_catalog().items[kind])),
                **owner[kind],
            }
        else:
            # Whole, private fields included: the form's values are laid over it and saved.
            base = _stored(kind, item_id).model_dump(mode="json", context=WITH_PRIVATE)
    except (NotFoundError, PermissionDenied) as exc:
        return _problem_page(exc)
    return _save(kind, base, entered, item_id, "gespeichert")


def _save(
    kind: str, base: dict, entered: dict, item_id: str | None, notice: str
) -> ResponseReturnValue:
    """Validate with the model, write as the account (the service authorises), then go home."""
    me = current_account()
    assert me is not None
    svc = service()
    try:
        item = forms.build(kind, base, entered)
        if item_id is None:
            saved = svc.create(kind, item, me.actor)
        else:
            saved = svc.replace(kind, item_id, item, me.actor)
    except forms.FormErrors as exc:
        return _form_page(kind, {**base, **entered}, item_id, exc.errors, 400)
    except (PermissionDenied, NotFoundError) as exc:
        return _problem_page(exc)
    except (ValidationError, ConflictError):
        errors = {"form": "Die Angaben konnten nicht gespeichert werden. Bitte prüfen Sie sie."}
        return _form_page(kind, {**base, **entered}, item_id, errors, 400)
    target = "contact" if kind in OWN_KIND.values() else kind
    query = urlencode({notice: target, "id": saved.id})
    return redirect(f"{url_for('account.home')}?{query}", code=303)


@account.get("/mein-bereich/kontakt")
def contact_form() -> ResponseReturnValue:
    me = current_account()
    assert me is not None
    if me.kind not in OWN_KIND:  # staff have no record of their own
        abort(404)
    own = current_catalog().get(OWN_KIND[me.kind], me.owner)
    data = dumped(own) if own is not None else {}
    return _form_page(OWN_KIND[me.kind], data, me.owner, {})


@account.post("/mein-bereich/kontakt")
@limited("writes")
def post_contact() -> ResponseReturnValue:
    me = current_account()
    assert me is not None
    if me.kind not in OWN_KIND:
        abort(404)
    kind = OWN_KIND[me.kind]
    try:
        base = _stored(kind, me.owner).model_dump(mode="json", context=WITH_PRIVATE)
    except (NotFoundError, PermissionDenied) as exc:
        return _problem_page(exc)
    return _save(kind, base, forms.values(kind, request.form), me.owner, "gespeichert")
