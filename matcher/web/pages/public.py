"""The public pages: the search with its answer, a project's, a town's and a provider's page
(with the provider's leads as CSV), joint projects, the relevance figures, and feedback.

Server-rendered (Jinja, autoescaped), usable without JavaScript; a few lines of JS add a busy
indicator and send feedback without reloading. A form post must come from a page of this server
(`core.security.same_origin`) and may only lead back to a local path.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from werkzeug.datastructures import MultiDict

from matcher.domain.errors import ValidationError
from matcher.domain.funding import FundingRequest
from matcher.domain.schema import (
    ACTOR_KIND_LABELS,
    CATEGORY_LABELS,
    FEEDBACK_KINDS,
    MAX_CHALLENGE_CHARS,
    MIN_CHALLENGE_CHARS,
    VERDICTS,
    Filters,
    ItemId,
    Municipality,
    Need,
)
from matcher.matching.results import MatchResult
from matcher.web.core.current import current_catalog, service
from matcher.web.core.downloads import csv_download
from matcher.web.core.limits import client_id, limited
from matcher.web.core.security import local_path, same_origin
from matcher.web.pages import advice, needs
from matcher.web.pages import funding as funding_pages
from matcher.web.pages.advice import Params
from matcher.web.pages.browse import suggest_towns
from matcher.web.pages.documents import SHOWN_TEMPLATES
from matcher.web.pages.filters import (
    MAX_TOWN_CHARS,
    PageInputError,
    choices,
    filters_of,
    form_text,
)
from matcher.web.pages.forms import NEED_STATUS
from matcher.web.pages.leads import JOINT_SUGGESTIONS, lead_rows
from matcher.web.pages.leads import to_csv as leads_to_csv
from matcher.web.pages.session import current_account

log = logging.getLogger(__name__)

public = Blueprint(
    "public",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

RESULTS_PER_LIST = 10
# The results page asks for the three lists and, below them, where to pilot and what to reuse.
PAGE_KINDS = ["projects", "municipalities", "providers", "testfields", "documents"]
# Test fields shown below the lists: the nearest few that fit, never an uncertain one.
SHOWN_TESTFIELDS = 3
NEED_PAGE_RESULTS = 6  # of each list on a need's page: the best, not a second search page
LEADS_EXPORTED = 50  # a sales list longer than the page's ten, within the service's limit
# A share link (GET) is offered up to this length: gunicorn refuses request lines over 4,094
# bytes with an English page, and about 2,000 characters pass every browser and proxy.
MAX_SHARE_URL = 2000
_ITEM_ID = TypeAdapter(ItemId)
_NO_WORDS = (
    "Bitte beschreiben Sie Ihre Herausforderung in Worten – das Feld ist leer oder enthält "
    "nur Leerzeichen."
)
_TOO_SHORT_OR_LONG = (
    f"Bitte beschreiben Sie Ihre Herausforderung mit mindestens {MIN_CHALLENGE_CHARS} und "
    f"höchstens {MAX_CHALLENGE_CHARS:,} Zeichen.".replace(",", ".")
)


@public.before_request
def _only_from_own_pages():
    """Every state-changing page request must come from this server's own pages (no CSRF)."""
    if request.method in ("GET", "HEAD", "OPTIONS") or same_origin():
        return None
    log.info("refused a %s to %s from another origin", request.method, request.path)
    page = render_template(
        "error.html",
        heading="Anfrage abgelehnt",
        text="Dieses Formular lässt sich nur von den Seiten des Smart Region Matchers aus "
        "abschicken. Bitte öffnen Sie die Seite neu und versuchen Sie es noch einmal.",
    )
    return page, 403


def _consistent(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Render a page from one consistent state of the data: the request's snapshot is taken
    before the page starts (`current_catalog`) and held until the request ends; the worker's
    other request threads wait for it, as they do for each service call."""

    @functools.wraps(view)
    def locked(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        current_catalog()
        return view(*args, **kwargs)

    return locked


@public.route("/", methods=["GET", "POST"])
@limited("matching")
@_consistent
def start():
    """Herausforderung eingeben – and the answer, on one page. The form posts (a challenge of
    5,000 characters does not fit in a URL) and is redirected to a GET address of its answer
    (post/redirect/get): the share link when it is short enough, else `/suche/<id>`, so back,
    reload and bookmarks work. Only an input that cannot be searched is answered at the post.
    The Origin check on every post is this form's CSRF protection."""
    if request.method == "POST":
        return _redirect_to_answer(request.form)
    return _answer(request.args, _share_link(request.args))


@public.get("/suche/<search_id>")
@limited("matching")
@_consistent
def saved_search(search_id: str):
    """The answer of a search saved because its address would be too long (`start`)."""
    query = service().saved_search(search_id)
    if query is None:
        context = _blank(MultiDict())
        context["message"] = (
            "Diese gespeicherte Suche gibt es nicht (mehr). Bitte geben Sie Ihre "
            "Herausforderung noch einmal ein."
        )
        return render_template("start.html", **context), 404
    params = MultiDict(parse_qsl(query, keep_blank_values=False))
    return _answer(params, request.path, search_id)


def _blank(params: Params) -> dict[str, Any]:
    """The start page's context before any answer: the form as sent, „Wir sind“ prefilled
    with the signed-in municipality unless the form or link names another (or none)."""
    text = params.get("text", "").strip()
    me = current_account()
    wir = params.get("wir", "")
    if "wir" not in params and not text and me is not None and me.kind == "municipality":
        wir = me.name
    return {
        "text": text,
        "args": params,
        "wir": wir,
        "result": None,
        "message": None,
        "asker": None,
        "loosen": [],
        "share": None,
        "report_need": None,
        "filtered": False,
        **choices(),
    }


def _redirect_to_answer(form: Params) -> ResponseReturnValue:
    """After the search form's post: to the answer's GET address (303), or the form with a
    German message for a text that cannot be searched (nothing is saved for it)."""
    text = form.get("text", "").strip()
    if not MIN_CHALLENGE_CHARS <= len(text) <= MAX_CHALLENGE_CHARS:
        context = _blank(form)
        context["message"] = _TOO_SHORT_OR_LONG if text else _NO_WORDS
        return render_template("start.html", **context), 400
    pairs = _fields(form)
    link = url_for("public.start") + "?" + urlencode(pairs)
    if len(link) > MAX_SHARE_URL:
        link = url_for("public.saved_search", search_id=service().save_search(urlencode(pairs)))
    return redirect(link + "#ergebnisse", code=303)


def _answer(params: Params, share: str | None, search_id: str | None = None) -> ResponseReturnValue:
    """The start page for the search in `params` (a GET address's fields)."""
    context = _blank(params)
    text = context["text"]
    if not text:
        if "text" in params:
            context["message"] = _NO_WORDS
        return render_template("start.html", **context)
    try:
        filters = filters_of(params)
        asker_text = form_text("wir", MAX_TOWN_CHARS, "Wir sind", params) or ""
    except PageInputError as exc:
        context["message"] = str(exc)
        return render_template("start.html", **context)
    context["filtered"] = not filters.is_empty()
    asker = service().find_municipality(asker_text) if asker_text else None
    if asker_text and asker is None:
        close = [m.name for m in suggest_towns(asker_text)]
        hint = f" Meinten Sie {' oder '.join(f'„{n}“' for n in close)}?" if close else ""
        context["message"] = (
            f"Die Kommune „{asker_text}“ kennen wir nicht.{hint} Die Ergebnisse unten sind "
            "ohne Ortsbezug."
        )
    try:
        result = service().match(text, PAGE_KINDS, RESULTS_PER_LIST, asker, filters)
    except ValidationError as exc:
        context["message"] = _german(exc)
        return render_template("start.html", **context)
    context.update(
        result=result,
        asker=current_catalog().municipality(asker) if asker else None,
        loosen=_loosenings(text, asker, filters, result, params),
        share=share,
        report_need=needs.report_link(text, search_id),
        testfields=[t for t in result.testfields if t.confidence != "niedrig"][:SHOWN_TESTFIELDS],
        templates=result.documents[:SHOWN_TEMPLATES],
        funding=funding_pages.challenge_box(text, asker),
        buying=funding_pages.buying_box(funding_pages.first_offering(result.providers)),
    )
    status = funding_pages.status_of(context["funding"], context["buying"])
    return render_template("start.html", **context), status


def _fields(params: Params) -> list[tuple[str, str]]:
    """The search's fields with a value, in the form's order (one search, one address)."""
    return [(n, v.strip()) for n in advice.FIELDS for v in params.getlist(n) if v.strip()]


def _share_link(params: Params) -> str | None:
    """A GET address of these results to pass on, if it is short enough for every browser,
    proxy and gunicorn's request line."""
    pairs = _fields(params)
    link = url_for("public.start") + ("?" + urlencode(pairs) if pairs else "")
    return link if len(link) <= MAX_SHARE_URL else None


def _loosenings(
    text: str, asker: str | None, filters: Filters, result: MatchResult, params: Params
) -> list[advice.Loosening]:
    """For filters that leave a list without confident results: each active filter, with
    what the search finds without it (one more match per active filter, only then)."""
    empty = advice.empty_lists(result)
    if filters.is_empty() or not empty:
        return []
    found = []
    for group in advice.GROUPS:
        active = advice.describe(group, filters)
        if active is None:
            continue
        fields = advice.without(params, group)
        try:
            looser = filters_of(MultiDict(fields))
            other = service().match(text, None, RESULTS_PER_LIST, asker, looser)
        except (PageInputError, ValidationError):  # the same values passed above
            continue
        found.append(
            advice.Loosening(
                active=active,
                name=group.name,
                empty=advice.empty_words(empty),
                found=advice.found_words(other, empty),
                fields=fields,
            )
        )
    return found


def _german(exc: ValidationError) -> str:
    fields = {w for w, _ in exc.problems}
    if "text" in fields:
        return _TOO_SHORT_OR_LONG
    return "Die Eingabe konnte nicht verarbeitet werden. Bitte prüfen Sie die Filter."


@public.get("/projekte/<item_id>")
@limited("matching")
@_consistent
def project(item_id: str):
    svc = service()
    found = svc.similar(item_id, 8)
    item = svc.get("projects", item_id)
    funding = funding_pages.funding_box(FundingRequest(project=item_id))
    return render_template(
        "project.html",
        project=item,
        summary=found.project,
        similar=found.similar,
        adopters=found.adopters,
        funding=funding,
        programme=funding_pages.programme_of_project(getattr(item, "funding", "")),
    ), funding_pages.status_of(funding)


@public.get("/kommunen/<item_id>")
@limited("matching")
@_consistent
def municipality(item_id: str):
    svc = service()
    town = svc.get("municipalities", item_id)
    assert isinstance(town, Municipality)  # the kind's model
    found = svc.peers(item_id, 8)
    projects = current_catalog().projects_of_municipality.get(item_id, [])
    return render_template(
        "municipality.html",
        town=town,
        kind_label=ACTOR_KIND_LABELS[town.kind],
        members=current_catalog().members(town),
        memberships=current_catalog().memberships(town),
        peers=found.peers,
        needs=found.needs,
        projects=projects,
    )


@public.get("/bedarfe/<item_id>")
@limited("matching")
@_consistent
def need(item_id: str):
    """A town's need with the projects, peer towns and providers that match it: its text
    asked as the town's challenge (`MatcherService.need_matches`)."""
    svc = service()
    item = svc.get("needs", item_id)
    assert isinstance(item, Need)  # the kind's model
    town = current_catalog().municipality(item.municipality)
    me = current_account()
    funding = funding_pages.funding_box(FundingRequest(need=item_id))
    return render_template(
        "need.html",
        need=item,
        town=town,
        found=svc.need_matches(item_id, NEED_PAGE_RESULTS),
        status=NEED_STATUS,
        categories=CATEGORY_LABELS,
        own=me is not None and me.kind == "municipality" and me.owner == item.municipality,
        funding=funding,
    ), funding_pages.status_of(funding)


@public.get("/anbieter/<item_id>")
@limited("matching")
@_consistent
def provider(item_id: str):
    svc = service()
    prov = svc.get("providers", item_id)
    offerings = current_catalog().offerings_of_provider.get(item_id, [])
    chosen = _chosen_offering(item_id, offerings)
    leads = svc.leads(chosen, RESULTS_PER_LIST)
    references = current_catalog().reference_projects(item_id)
    return render_template(
        "provider.html",
        provider=prov,
        offerings=offerings,
        chosen=chosen,
        leads=lead_rows(leads.leads, current_catalog()),
        references=references,
        town=current_catalog().municipality,
        project=lambda pid: current_catalog().get("projects", pid),
    )


def _chosen_offering(provider_id: str, offerings: list) -> str:
    """The offering asked for (`angebot`), or the provider's id for all of its offerings."""
    chosen = request.args.get("angebot") or provider_id
    if chosen != provider_id and chosen not in {o.id for o in offerings}:
        abort(404)
    return chosen


@public.get("/anbieter/<item_id>/leads.csv")
@limited("matching")
@_consistent
def leads_csv(item_id: str) -> Response:
    """The provider's leads (for one offering with `angebot`) as CSV for German Excel."""
    svc = service()
    svc.get("providers", item_id)  # 404 for an unknown provider
    chosen = _chosen_offering(item_id, current_catalog().offerings_of_provider.get(item_id, []))
    leads = svc.leads(chosen, LEADS_EXPORTED)
    page = url_for("public.municipality", item_id="x", _external=True)[:-1] + "{id}"
    body = leads_to_csv(lead_rows(leads.leads, current_catalog()), page)
    return csv_download(body, "interessenten", chosen)


@public.get("/gemeinschaftsprojekte")
@limited("matching")
@_consistent
def joint():
    message = None
    try:
        groups = service().joint_projects(JOINT_SUGGESTIONS, filters_of()).items
    except (PageInputError, ValidationError) as exc:
        groups = []
        message = str(exc) if isinstance(exc, PageInputError) else _german(exc)
    offered = choices()
    points = [
        [t.name, t.latitude, t.longitude]
        for t in offered["towns"]
        if t.latitude is not None and t.longitude is not None
    ]
    buying = funding_pages.buying_box()
    return render_template(
        "joint.html",
        groups=groups,
        members=[[m.model_dump(mode="json") for m in g.members] for g in groups],
        args=request.args,
        town_points=points,
        message=message,
        funding_boxes={g.id: funding_pages.group_box(g) for g in groups},
        buying=buying,
        **offered,
    ), funding_pages.status_of(buying)


@public.post("/rueckmeldung")
@limited("feedback")
def feedback():
    """Fallback without JavaScript: store the verdict, go back to the page."""
    form = request.form
    verdict = form.get("verdict", "")
    kind = form.get("item_kind", "")
    try:
        item_id = _ITEM_ID.validate_python(form.get("item_id", ""))
    except PydanticValidationError:
        abort(400)  # an id no item can have (the German 400 page)
    if verdict not in VERDICTS or kind not in FEEDBACK_KINDS:
        abort(400)
    text = form.get("query", "")[:MAX_CHALLENGE_CHARS] or "(ohne Text)"
    service().add_feedback(text, kind, item_id, verdict, client_id())
    back = urlsplit(local_path(form.get("back", "")) or url_for("public.start"))
    query = "&".join(q for q in (back.query, "danke=1") if q)
    return redirect(urlunsplit(("", "", back.path, query, back.fragment)), code=303)
