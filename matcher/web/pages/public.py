"""The public pages: the search with its answer, a project's, a town's and a provider's page
(with the provider's leads as CSV), joint projects, the relevance figures, and feedback.

Server-rendered (Jinja, autoescaped), usable without JavaScript; a few lines of JS add a busy
indicator and send feedback without reloading. A form post must come from a page of this server
(`core.security.same_origin`) and may only lead back to a local path.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from werkzeug.datastructures import MultiDict

from matcher.domain.errors import MatcherError, ValidationError
from matcher.domain.schema import (
    ACTOR_KIND_LABELS,
    FEEDBACK_KINDS,
    MAX_CHALLENGE_CHARS,
    MIN_CHALLENGE_CHARS,
    VERDICTS,
    Filters,
    ItemId,
    Municipality,
)
from matcher.matching.results import MatchResult
from matcher.web.core.current import current_catalog, role, service
from matcher.web.core.errors import AuthError
from matcher.web.core.limits import client_id, limited
from matcher.web.core.security import local_path, same_origin
from matcher.web.pages import advice, staff
from matcher.web.pages.advice import Params
from matcher.web.pages.browse import suggest_towns
from matcher.web.pages.filters import (
    MAX_TOWN_CHARS,
    PageInputError,
    choices,
    filters_of,
    form_text,
)
from matcher.web.pages.leads import lead_rows
from matcher.web.pages.leads import to_csv as leads_to_csv

log = logging.getLogger(__name__)

public = Blueprint(
    "public",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

RESULTS_PER_LIST = 10
LEADS_EXPORTED = 50  # a sales list longer than the page's ten, within the service's limit
# A share link (GET) is offered up to this length: gunicorn refuses request lines over 4,094
# bytes with an English page, and about 2,000 characters pass every browser and proxy.
MAX_SHARE_URL = 2000
_ITEM_ID = TypeAdapter(ItemId)


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
    5,000 characters does not fit in a URL); a GET with `text` still works, for shared links.
    Nothing is stored, so the Origin check on every post is this form's CSRF protection."""
    params = request.form if request.method == "POST" else request.args
    text = params.get("text", "").strip()
    context: dict[str, Any] = {
        "text": text,
        "args": params,
        "result": None,
        "message": None,
        "asker": None,
        "loosen": [],
        "share": None,
        "filtered": False,
        **choices(),
    }
    if not text:
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
        result = service().match(text, None, RESULTS_PER_LIST, asker, filters)
    except ValidationError as exc:
        context["message"] = _german(exc)
        return render_template("start.html", **context)
    context.update(
        result=result,
        asker=current_catalog().municipality(asker) if asker else None,
        loosen=_loosenings(text, asker, filters, result, params),
        share=_share_link(params),
    )
    return render_template("start.html", **context)


def _share_link(params: Params) -> str | None:
    """A GET address of these results to pass on, if it is short enough for every browser,
    proxy and gunicorn's request line."""
    pairs = [(n, v) for n in advice.FIELDS for v in params.getlist(n) if v.strip()]
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
        return (
            "Bitte beschreiben Sie Ihre Herausforderung mit mindestens "
            f"{MIN_CHALLENGE_CHARS} und höchstens {MAX_CHALLENGE_CHARS:,} Zeichen.".replace(
                ",", "."
            )
        )
    return "Die Eingabe konnte nicht verarbeitet werden. Bitte prüfen Sie die Filter."


@public.get("/projekte/<item_id>")
@limited("matching")
@_consistent
def project(item_id: str):
    svc = service()
    found = svc.similar(item_id, 8)
    item = svc.get("projects", item_id)
    return render_template(
        "project.html",
        project=item,
        summary=found.project,
        similar=found.similar,
        adopters=found.adopters,
    )


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
    name = re.sub(r"[^A-Za-z0-9_-]", "_", chosen)[:80]
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="interessenten-{name}.csv"'},
    )


@public.get("/gemeinschaftsprojekte")
@limited("matching")
@_consistent
def joint():
    message = None
    try:
        groups = service().joint_projects(20, filters_of()).items
    except (PageInputError, ValidationError) as exc:
        groups = []
        message = str(exc) if isinstance(exc, PageInputError) else _german(exc)
    offered = choices()
    points = [
        [t.name, t.latitude, t.longitude]
        for t in offered["towns"]
        if t.latitude is not None and t.longitude is not None
    ]
    return render_template(
        "joint.html",
        groups=groups,
        members=[[m.model_dump(mode="json") for m in g.members] for g in groups],
        args=request.args,
        town_points=points,
        message=message,
        **offered,
    )


def _is_admin() -> bool:
    """True if the request carries an admin key (`Authorization: Bearer <key>`)."""
    try:
        return role() == "admin"
    except AuthError:
        return False


@public.get("/relevanz")
@limited("matching")
def relevance() -> str:
    """The stored figures for everyone; the evaluation on demand (about 20 s of a worker) only
    with an admin key. Its result is kept for this worker's lifetime and then shown to all.
    Feedback is counted in the database, outside the service's lock."""
    svc = service()
    counts = svc.feedback_counts()  # in SQL, before the page takes the data's lock
    cache: dict[str, object] = current_app.extensions.setdefault("matcher_evaluation", {})
    table = cache.get("table")
    refused = False
    if request.args.get("auswerten") and table is None:
        if not _is_admin():
            refused = True
        else:
            from matcher.evaluation import judgments as judged

            try:  # each query holds the data's lock alone (judged.run): no 20 s under the lock
                table = judged.table(svc, judged.load(svc.settings.demo_dir))
            except MatcherError:
                table = {}
            cache["table"] = table
    return render_template(
        "relevance.html",
        config=svc.ranking,
        table=table,
        refused=refused,
        feedback=staff.feedback_stats(counts, current_catalog()),
        texts=staff,
    )


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
