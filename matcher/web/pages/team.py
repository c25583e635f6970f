"""The programme staff's pages: the relevance figures (`/relevanz`, for everyone), and for staff
signed in with the admin key the „passt / passt nicht“ feedback to accept into training or
dismiss, and the evaluation, run as a background job whose result page staff open when it is
done (no request holds a worker for the 20 s it takes).

Staff sign in like municipalities and providers (`session.py`, the same server-side session,
form token and Origin check); their session acts only here: the account forms refuse it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from matcher.domain.catalog import Catalog
from matcher.domain.errors import NotFoundError, ValidationError
from matcher.domain.schema import display_name
from matcher.service import MatcherService
from matcher.web.core.current import current_catalog, service
from matcher.web.core.limits import limited
from matcher.web.core.security import same_origin
from matcher.web.pages import staff
from matcher.web.pages.numbers import whole_number
from matcher.web.pages.session import current_account, form_token_ok

team = Blueprint("team", __name__)

EVALUATION = "auswertung"  # the job kind of the evaluation
FEEDBACK_PER_PAGE = 25
STATUS_WORDS = {"neu": "neu", "angenommen": "übernommen", "verworfen": "verworfen"}
REVIEW_WORDS = {"angenommen": "in das Training übernommen", "verworfen": "verworfen"}
VERDICT_WORDS = {"passt": "passt", "passt_nicht": "passt nicht"}
KIND_WORDS = {
    "projects": "Projekt",
    "municipalities": "Partnerkommune",
    "providers": "Anbieter",
    "leads": "Interessent",
}
PAGES = {"projects": "public.project", "municipalities": "public.municipality"}
PAGES.update({"providers": "public.provider", "leads": "public.municipality"})
try:
    LOCAL_TIME: dt.tzinfo = ZoneInfo("Europe/Berlin")  # the programme's staff read German time
except ZoneInfoNotFoundError:  # a system without time-zone data
    LOCAL_TIME = dt.UTC


@team.app_template_filter("zeit")
def clock(seconds: float | None) -> str:
    """A moment (seconds since the epoch) as German staff read it: „06.12.2026, 21:03 Uhr“."""
    if seconds is None:
        return "–"
    return dt.datetime.fromtimestamp(seconds, LOCAL_TIME).strftime("%d.%m.%Y, %H:%M Uhr")


# -- who may: staff only, posts with the session's token --------------------------------------


def _refused(heading: str, text: str, status: int) -> ResponseReturnValue:
    return render_template("error.html", heading=heading, text=text), status


@team.before_request
def _guard() -> ResponseReturnValue | None:
    if request.endpoint == "team.relevance":
        return None
    me = current_account()
    if request.method == "POST" and not (same_origin() and form_token_ok()):
        return _refused(
            "Anfrage abgelehnt",
            "Dieses Formular lässt sich nur von den Seiten des Smart Region Matchers aus und nur "
            "in Ihrer eigenen Sitzung abschicken. Bitte öffnen Sie die Seite neu.",
            403,
        )
    if me is None:
        return redirect(url_for("account.sign_in", weiter=request.full_path.rstrip("?")))
    if not me.staff:
        return _refused(
            "Nur für das Programmteam",
            "Diese Seite ist dem Programmteam vorbehalten (Anmeldung mit dem Admin-Schlüssel).",
            403,
        )
    return None


@team.after_request
def _private(response: Response) -> Response:
    if request.endpoint != "team.relevance":
        response.headers["Cache-Control"] = "no-store"
    return response


def is_staff() -> bool:
    me = current_account()
    return me is not None and me.staff


# -- the relevance page and the evaluation -----------------------------------------------------


def evaluation_state(svc: MatcherService) -> dict[str, Any]:
    """The last finished evaluation (its tables and date) and a running one, if any."""
    done = svc.latest_job(EVALUATION, "fertig")
    running = svc.latest_job(EVALUATION)
    return {
        "done": done,
        "table": svc.job_result(done) if done is not None else None,
        "running": running if running is not None and running.running else None,
    }


@team.get("/relevanz")
@limited("matching")
def relevance() -> str:
    """The stored figures and the last evaluation for everyone; staff start a new one.
    Feedback is counted in the database, outside the service's lock."""
    svc = service()
    counts = svc.feedback_counts()  # in SQL, before the page takes the data's lock
    state = evaluation_state(svc)
    return render_template(
        "relevance.html",
        config=svc.ranking,
        feedback=staff.feedback_stats(counts, current_catalog()),
        texts=staff,
        staff=is_staff(),
        **state,
    )


def _evaluate(svc: MatcherService) -> dict:
    """The evaluation's tables (what `matcher eval` prints), for the job's thread. Each query
    holds the data's lock alone (judgments.run): no 20 s under the lock."""
    from matcher.evaluation import judgments as judged

    return judged.table(svc, judged.load(svc.settings.demo_dir))


@team.post("/mein-bereich/auswertungen")
@limited("matching")
def start_evaluation() -> ResponseReturnValue:
    """Start the evaluation in the background (or find the one running): its page at once."""
    svc = service()
    job, _ = svc.start_job(EVALUATION, lambda: _evaluate(svc))
    return redirect(url_for("team.evaluation", job_id=job.id), code=303)


@team.get("/mein-bereich/auswertungen/<int:job_id>")
def evaluation(job_id: int) -> ResponseReturnValue:
    svc = service()
    job = svc.job(job_id)
    if job is None or job.kind != EVALUATION:
        abort(404)
    table = svc.job_result(job) if job.state == "fertig" else None
    return render_template("team/evaluation.html", job=job, table=table, texts=staff)


# -- feedback review ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """One feedback row as staff read it."""

    id: int
    date: str
    query: str
    kind: str
    item: str
    link: str | None
    verdict: str
    status: str
    signed: bool  # given with a key (counts unless dismissed), else anonymous

    @property
    def status_word(self) -> str:
        return STATUS_WORDS.get(self.status, self.status)


def _item(catalog: Catalog, kind: str, item_id: str, query: str) -> tuple[str, str | None, str]:
    """The rated item's name and page, and the query as staff read it (for a lead: the
    offering or provider it was rated for)."""
    lookup = "municipalities" if kind == "leads" else kind
    found = catalog.get(lookup, item_id) if lookup in catalog.items else None
    name = display_name(found) if found is not None else f"{item_id} (gelöscht)"
    link = url_for(PAGES[kind], item_id=item_id) if found is not None and kind in PAGES else None
    if kind == "leads":
        offering = catalog.get("offerings", query) or catalog.get("providers", query)
        query = f"Angebot „{display_name(offering)}“" if offering is not None else query
    return name, link, query


def _verdict(catalog: Catalog, row: dict) -> Verdict:
    name, link, query = _item(catalog, row["item_kind"], row["item_id"], row["query"])
    created = str(row.get("created", ""))
    date = f"{created[8:10]}.{created[5:7]}.{created[:4]}" if len(created) >= 10 else created
    return Verdict(
        id=int(row["id"]),
        date=date,
        query=query,
        kind=KIND_WORDS.get(row["item_kind"], row["item_kind"]),
        item=name,
        link=link,
        verdict=VERDICT_WORDS.get(row["verdict"], row["verdict"]),
        status=row.get("status", "neu"),
        signed=str(row.get("client", "")).startswith("key:"),
    )


def _page_number() -> int:
    raw = request.args.get("seite", "1").strip() or "1"
    try:
        return max(1, whole_number(raw, "seite", "", max_digits=5))
    except ValidationError:  # a page number that is none: page 1
        return 1


@team.get("/mein-bereich/rueckmeldungen")
def feedback() -> str:
    status = request.args.get("stand", "neu")
    status = status if status in STATUS_WORDS or status == "alle" else "neu"
    page = _page_number()
    svc = service()
    rows = svc.feedback_page(
        FEEDBACK_PER_PAGE + 1,
        (page - 1) * FEEDBACK_PER_PAGE,
        None if status == "alle" else status,
    )
    catalog = current_catalog()
    verdicts = [_verdict(catalog, r) for r in rows[:FEEDBACK_PER_PAGE]]
    return render_template(
        "team/feedback.html",
        verdicts=verdicts,
        status=status,
        page=page,
        more=len(rows) > FEEDBACK_PER_PAGE,
        tally=svc.feedback_tally(),
        status_words=STATUS_WORDS,
        done=_done_notice(),
    )


def _done_notice() -> str | None:
    done, word = request.args.get("erledigt", ""), request.args.get("als", "")
    if not done.isdigit() or word not in REVIEW_WORDS:
        return None
    return f"Rückmeldung Nr. {done} ist {REVIEW_WORDS[word]}."


@team.post("/mein-bereich/rueckmeldungen/<int:feedback_id>")
@limited("writes")
def review(feedback_id: int) -> ResponseReturnValue:
    me = current_account()
    assert me is not None  # _guard
    status = request.form.get("stand", "")
    if status not in REVIEW_WORDS:
        abort(400)
    try:
        service().review_feedback(feedback_id, status, me.actor)
    except NotFoundError:
        abort(404)
    seite = request.form.get("zurueck_seite", "")
    back = url_for(
        "team.feedback",
        stand=request.form.get("zurueck_stand", "neu"),
        seite=seite if seite.isdigit() and seite != "1" else None,
        erledigt=feedback_id,
        als=status,
    )
    return redirect(back + "#liste", code=303)
