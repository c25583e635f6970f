"""Web pages in German for municipalities, providers and programme staff.

Server-rendered (Jinja, autoescaped), usable without JavaScript; a few lines of JS add a busy
indicator and send feedback without reloading. Every asset is served from this app.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from api.routes.common import service
from matcher.domain.errors import MatcherError, ValidationError
from matcher.domain.schema import (
    CATEGORY_LABELS,
    FEEDBACK_KINDS,
    MAX_CHALLENGE_CHARS,
    MIN_CHALLENGE_CHARS,
    VERDICTS,
    Category,
    Filters,
)

web = Blueprint(
    "web", __name__, template_folder="templates", static_folder="static", static_url_path="/static"
)

_EVAL_CACHE: dict[str, object] = {}


def _int(name: str) -> int | None:
    value = request.args.get(name, "").strip().replace(".", "")
    return int(value) if value.isdigit() else None


def _filters() -> Filters:
    km = request.args.get("max_km", "").strip().replace(",", ".")
    try:
        distance = float(km) if km else None
    except ValueError:
        distance = None
    cats = [c for c in request.args.getlist("kategorie") if c in Category.__members__]
    return Filters(
        categories=cats,
        region=request.args.get("region") or None,
        district=request.args.get("kreis") or None,
        min_population=_int("min_ew"),
        max_population=_int("max_ew"),
        max_distance_km=distance if distance and distance > 0 else None,
    )


def _choices() -> dict:
    towns = sorted(service().catalog.municipalities.values(), key=lambda m: m.name)
    return {
        "categories": [(c.value, CATEGORY_LABELS[c]) for c in Category],
        "towns": towns[:5000],
        "regions": sorted({m.region for m in towns if m.region}),
        "districts": sorted({m.district for m in towns if m.district}),
    }


@web.get("/")
def start():
    """Herausforderung eingeben – and the answer, on one page."""
    text = request.args.get("text", "").strip()
    context = {
        "text": text,
        "args": request.args,
        "result": None,
        "message": None,
        "asker": None,
        **_choices(),
    }
    if text:
        asker_text = request.args.get("wir", "").strip()
        asker = service().find_municipality(asker_text) if asker_text else None
        if asker_text and asker is None:
            context["message"] = (
                f"Die Kommune „{asker_text}“ kennen wir nicht – bitte aus der "
                "Liste wählen. Die Ergebnisse unten sind ohne Ortsbezug."
            )
        try:
            context["result"] = service().match(text, None, 10, asker, _filters())
            context["asker"] = service().catalog.municipality(asker) if asker else None
        except ValidationError as exc:
            context["message"] = _german(exc)
    return render_template("start.html", **context)


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


@web.get("/projekte/<item_id>")
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


@web.get("/kommunen/<item_id>")
def municipality(item_id: str):
    svc = service()
    town = svc.get("municipalities", item_id)
    found = svc.peers(item_id, 8)
    projects = svc.catalog.projects_of_municipality.get(item_id, [])
    return render_template(
        "municipality.html",
        town=town,
        peers=found.peers,
        needs=found.needs,
        projects=projects,
    )


@web.get("/anbieter/<item_id>")
def provider(item_id: str):
    svc = service()
    prov = svc.get("providers", item_id)
    offerings = svc.catalog.offerings_of_provider.get(item_id, [])
    chosen = request.args.get("angebot") or item_id
    if chosen != item_id and chosen not in {o.id for o in offerings}:
        abort(404)
    leads = svc.leads(chosen, 10)
    references = svc.catalog.reference_projects(item_id)
    return render_template(
        "provider.html",
        provider=prov,
        offerings=offerings,
        chosen=chosen,
        leads=leads.leads,
        references=references,
        town=svc.catalog.municipality,
        project=lambda pid: svc.catalog.get("projects", pid),
    )


@web.get("/gemeinschaftsprojekte")
def joint():
    groups = service().joint_projects(20, _filters()).items
    choices = _choices()
    points = [
        [t.name, t.latitude, t.longitude]
        for t in choices["towns"]
        if t.latitude is not None and t.longitude is not None
    ]
    return render_template(
        "joint.html",
        groups=groups,
        members=[[m.model_dump(mode="json") for m in g.members] for g in groups],
        args=request.args,
        town_points=points,
        **choices,
    )


@web.get("/relevanz")
def relevance():
    svc = service()
    table = _EVAL_CACHE.get("table")
    if request.args.get("auswerten") and table is None:
        from matcher.evaluation import judgments as judged

        try:
            table = judged.table(svc, judged.load(svc.settings.demo_dir))
        except MatcherError:
            table = {}
        _EVAL_CACHE["table"] = table
    return render_template("relevance.html", config=svc.ranking, table=table)


@web.post("/rueckmeldung")
def feedback():
    """Fallback without JavaScript: store the verdict, go back to the page."""
    form = request.form
    verdict = form.get("verdict", "")
    kind = form.get("item_kind", "")
    if verdict not in VERDICTS or not form.get("item_id") or kind not in FEEDBACK_KINDS:
        abort(400)
    service().add_feedback(
        form.get("query", "")[:MAX_CHALLENGE_CHARS] or "(ohne Text)",
        kind,
        form["item_id"][:120],
        verdict,
    )
    back = form.get("back", "")
    if not back.startswith("/") or back.startswith("//"):
        back = url_for("web.start")
    return redirect(back + ("&" if "?" in back else "?") + "danke=1", code=303)
