"""From a match to a project, on the pages (issue 23): the programme pages (`/foerderung`,
`/foerderung/<id>`), a joint group's printable sheet and its CSV, and the data of the
„Förderung“ and „Wie kaufen?“ boxes that the results, need, project and joint pages show.

The boxes read their amounts from the page's own GET fields („Kosten (EUR)“, „Auftragswert
(EUR)“); a value that is no plausible amount is a German form error naming the field, and the
page answers 400. Programme records, checks and procurement paths come from the service; the
members' mailboxes of „an alle Mitglieder schreiben“ only through the contact card's rule
(`contact.contact_card`), so an anonymous viewer never gets one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast
from urllib.parse import quote

from flask import Blueprint, abort, render_template, request, url_for

from matcher.domain.errors import ValidationError
from matcher.domain.funding import (
    MAX_COST_EUR,
    Estimate,
    FundingRequest,
    Programme,
    ProgrammeFit,
    call_status,
    check_amount,
    estimate,
    euros,
    programme_for,
    share_for,
    stand,
)
from matcher.domain.procurement import ORDER_KIND_LABELS, OrderKind, ProcurementPath
from matcher.domain.schema import ACTOR_KIND_LABELS, CATEGORY_LABELS, LINE_BREAKING, Category
from matcher.domain.spreadsheet import safe_cell
from matcher.matching.results import JointProject
from matcher.web.core.current import current_catalog, service
from matcher.web.core.downloads import csv_download
from matcher.web.core.limits import limited
from matcher.web.pages.advice import Params
from matcher.web.pages.contact import contact_card
from matcher.web.pages.filters import PageInputError, filters_of
from matcher.web.pages.leads import JOINT_SUGGESTIONS
from matcher.web.pages.numbers import decimal_number
from matcher.web.pages.session import current_account

foerderung = Blueprint("foerderung", __name__, template_folder="templates")

COST = ("kosten", "Kosten (EUR)")
VALUE = ("auftragswert", "Auftragswert (EUR)")
KIND = "art"
# The fields the boxes add to a page's address; a box's form keeps every other field.
BOX_FIELDS = (COST[0], VALUE[0], KIND)
# A box lists this many programmes (the fitting ones first); the programme pages list all.
PROGRAMMES_SHOWN = 3
# Digits of an amount before the decimal comma: enough to reach MAX_COST_EUR and say that a
# larger one is not plausible, far below a float's exact range.
AMOUNT_DIGITS = 13
CENTS = 2
# „300.000“ and „300.000,50“: dots between groups of three digits are thousands separators.
_GERMAN_THOUSANDS = re.compile(r"\d{1,3}(\.\d{3})+(,\d+)?")
JOINT_JOIN_FIELDS = ("kategorie", "region", "kreis", "max_ew", "min_ew", "max_km")
DISCLAIMER_ALL = "Angaben ohne Gewähr"


def amount(params: Params, name: str, label: str) -> float | None:
    """The amount in a page's field (German or plain: „300.000“, „300000,50“, „300000“), None
    when empty; a ValidationError with a German message naming the field for anything that is
    no amount above 0 and at most MAX_COST_EUR."""
    raw = "".join(params.get(name, "").split()).removesuffix("EUR").removesuffix("€")
    if not raw:
        return None
    if _GERMAN_THOUSANDS.fullmatch(raw):
        raw = raw.replace(".", "")
    text = raw.replace(",", ".")
    most = euros(MAX_COST_EUR)
    message = (
        f"Bitte geben Sie bei „{label}“ einen Betrag über 0 und höchstens {most} an "
        "(z. B. 300.000)."
    )
    value = decimal_number(text, name, message, AMOUNT_DIGITS, CENTS)
    try:
        check_amount(value, name)
    except ValidationError:
        raise ValidationError(message, [(name, message)]) from None
    return value


def _message(exc: ValidationError) -> str:
    problems = exc.problems or [("", exc.args[0])]
    return " ".join(text for _, text in problems)


def _kept(params: Params, drop: tuple[str, ...]) -> list[tuple[str, str]]:
    """The page's other GET fields, for a box's form to send again with its own."""
    return [(k, v) for k in params for v in params.getlist(k) if k not in drop]


# -- the „Förderung“ box ----------------------------------------------------------------------


@dataclass
class FundingBox:
    """What the „Förderung“ box shows: the programmes (fitting first), the cost as entered,
    a German form error or a note why nothing was checked, and its form's hidden fields."""

    fits: list[ProgrammeFit] = field(default_factory=list)
    cost: str = ""
    error: str | None = None
    note: str | None = None
    hidden: list[tuple[str, str]] = field(default_factory=list)
    form: bool = True
    sheet: str | None = None

    @property
    def shown(self) -> list[ProgrammeFit]:
        fitting = [f for f in self.fits if f.fits]
        return (fitting or self.fits)[:PROGRAMMES_SHOWN]

    @property
    def fitting(self) -> int:
        return sum(1 for f in self.fits if f.fits)


def funding_box(request_of: FundingRequest | None, note: str | None = None) -> FundingBox:
    """The box for an idea (a challenge's text, a need, a project) and its applicants, with
    the cost from the page's „Kosten (EUR)“ field; `request_of` None: only `note`."""
    params = request.args
    box = FundingBox(cost=params.get(COST[0], ""), hidden=_kept(params, (COST[0],)), note=note)
    try:
        cost = amount(params, *COST)
    except ValidationError as exc:
        box.error = _message(exc)
        return box
    if request_of is None:
        return box
    asked = FundingRequest(
        text=request_of.text,
        need=request_of.need,
        project=request_of.project,
        municipalities=request_of.municipalities,
        cost_eur=cost,
    )
    try:
        box.fits = service().funding_check(asked).programmes
    except ValidationError as exc:
        box.note = _message(exc)
    return box


def challenge_box(text: str, asker: str | None) -> FundingBox:
    """The box on the results of a challenge: checked for the town of „Wir sind“."""
    if asker is None:
        return funding_box(
            None, "Für die Förderprüfung geben Sie oben bei „Wir sind“ Ihre Kommune an."
        )
    return funding_box(FundingRequest(text=text, municipalities=(asker,)))


def group_box(group: JointProject) -> FundingBox:
    """The box of a joint group on the joint page: its programmes as the service judged them
    (no cost there: shares and maxima), and the link to its sheet."""
    return FundingBox(fits=list(group.programmes), form=False, sheet=sheet_url(group.id))


def sheet_url(group_id: str, suffix: str = "blatt") -> str:
    """The sheet of a group, with the joint page's filters (the group is found among them)."""
    endpoint = "foerderung.sheet_csv" if suffix == "blatt.csv" else "foerderung.sheet"
    return url_for(endpoint, item_id=group_id, **_joint_filters())


def _joint_filters() -> dict[str, Any]:
    """The joint page's filters in this request, to pass on in an address."""
    return {k: request.args.getlist(k) for k in JOINT_JOIN_FIELDS if request.args.get(k)}


# -- the „Wie kaufen?“ box --------------------------------------------------------------------


@dataclass
class BuyingBox:
    """What the „Wie kaufen?“ box shows: the path for the value entered (or only the form),
    a German form error, the offering the contract type was guessed from."""

    path: ProcurementPath | None = None
    value: str = ""
    kind: str = "supplies"
    error: str | None = None
    offering: str | None = None
    hidden: list[tuple[str, str]] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=lambda: dict(ORDER_KIND_LABELS))


def buying_box(offering: tuple[str, str] | None = None) -> BuyingBox:
    """The procurement path for the page's „Auftragswert (EUR)“ and „Art“ fields on today's
    rules; `offering` (id, title) suggests the EVB-IT type."""
    params = request.args
    kind = params.get(KIND, "") or "supplies"
    box = BuyingBox(
        value=params.get(VALUE[0], ""),
        kind=kind,
        offering=offering[1] if offering else None,
        hidden=_kept(params, (VALUE[0], KIND)),
    )
    try:
        if kind not in ORDER_KIND_LABELS:
            message = "Bitte wählen Sie bei „Art“ Liefer-/Dienstleistungen oder Bauleistungen."
            raise ValidationError(message, [(KIND, message)])
        value = amount(params, *VALUE)
        if value is not None:
            order = cast(OrderKind, kind)  # one of ORDER_KIND_LABELS, checked above
            box.path = service().procurement(value, order, None, offering[0] if offering else None)
    except ValidationError as exc:
        box.error = _message(exc)
    return box


def first_offering(providers: list) -> tuple[str, str] | None:
    """The first provider's best offering (id, title): what the contract type is guessed from."""
    for provider in providers:
        if provider.offerings:
            return provider.offerings[0].id, provider.offerings[0].title
    return None


def status_of(*boxes: FundingBox | BuyingBox | None) -> int:
    """400 when a box's field could not be used (its German message is on the page)."""
    return 400 if any(b is not None and b.error for b in boxes) else 200


# -- programme pages --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeFacts:
    """A programme's record as its page shows it, with the state of its calls today."""

    programme: Programme
    status_label: str
    days_left: int | None
    single_share: str
    joint_share: str
    categories: list[str]
    kinds: list[str]
    disclaimer: str


def facts(programme: Programme, today: dt.date) -> ProgrammeFacts:
    status = call_status(programme, today)
    return ProgrammeFacts(
        programme=programme,
        status_label=status.label,
        days_left=status.days_left,
        single_share=share_for(programme, 1).reason,
        joint_share=share_for(programme, 2).reason,
        categories=[CATEGORY_LABELS[Category(c)] for c in programme.categories],
        kinds=[ACTOR_KIND_LABELS[k] for k in programme.actor_kinds],
        disclaimer=stand(programme),
    )


def programme_of_project(funding_text: str) -> Programme | None:
    """The programme a project's free-text `funding` names, for its page's link."""
    return programme_for(funding_text, service().programmes()) if funding_text else None


@foerderung.get("/foerderung")
def programmes():
    today = dt.date.today()
    found = [facts(p, today) for p in service().programmes()]
    return render_template("funding/list.html", programmes=found, today=today)


@foerderung.get("/foerderung/<item_id>")
def programme(item_id: str):
    svc = service()
    found = svc.programme(item_id)  # NotFoundError: the German 404 page
    catalog = current_catalog()
    projects = [
        (p, [t.name for i in p.municipalities if (t := catalog.municipality(i))])
        for p in svc.funded_projects(item_id)
    ]
    return render_template(
        "funding/programme.html",
        item=facts(found, dt.date.today()),
        projects=projects,
        today=dt.date.today(),
    )


# -- a joint group's sheet --------------------------------------------------------------------


@dataclass(frozen=True)
class SheetProgramme:
    fit: ProgrammeFit
    estimate: Estimate | None


@dataclass(frozen=True)
class Sheet:
    group: JointProject
    population: int
    programmes: list[SheetProgramme]
    cost: str
    error: str | None
    mailto: str | None
    addresses: int
    cost_eur: int | None = None


def _group(group_id: str) -> JointProject:
    try:
        groups = service().joint_projects(JOINT_SUGGESTIONS, filters_of()).items
    except (PageInputError, ValidationError):
        abort(400)
    found = next((g for g in groups if g.id == group_id), None)
    if found is None:
        abort(404)
    return found


def _sheet(group: JointProject) -> Sheet:
    error, cost = None, None
    try:
        value = amount(request.args, *COST)
        cost = Decimal(str(value)) if value is not None else None
    except ValidationError as exc:
        error = _message(exc)
    rows = []
    for fit in group.programmes:
        grant = None
        if cost is not None and fit.share.percent is not None:
            grant = estimate(service().programme(fit.id), cost, fit.share.percent)
        rows.append(SheetProgramme(fit, grant))
    href, count = _write_to_all(group)
    return Sheet(
        group=group,
        population=sum(m.population or 0 for m in group.members),
        programmes=rows,
        cost=request.args.get(COST[0], ""),
        error=error,
        mailto=href,
        addresses=count,
        cost_eur=int(cost) if cost is not None else None,
    )


def _one_line(text: str) -> str:
    return " ".join(LINE_BREAKING.sub(" ", text).split())


def _write_to_all(group: JointProject) -> tuple[str | None, int]:
    """„an alle Mitglieder schreiben“: a mailto: with the members' mailboxes as the contact
    card shows them to this viewer (signed in, the one rule, not the viewer's own town);
    None for anyone who may see none."""
    if current_account() is None:
        return None, 0
    cards = [contact_card("municipalities", m.id) for m in group.members]
    emails = [c["contact"].email for c in cards if c["contact"] is not None]
    if not emails:
        return None, 0
    me = current_account()
    subject = _one_line(f"Gemeinschaftsprojekt „{group.title}“")
    body = "\r\n".join(
        [
            "Guten Tag,",
            "",
            "der Smart Region Matcher schlägt uns für ein gemeinsames Projekt vor: "
            f"„{_one_line(group.title)}“ ({', '.join(m.name for m in group.members)}).",
            "",
            "Wollen wir uns dazu austauschen?",
            "",
            "Mit freundlichen Grüßen",
            _one_line(me.name if me else ""),
        ]
    )
    to = ",".join(quote(e, safe="@") for e in emails)
    return f"mailto:{to}?subject={quote(subject, safe='')}&body={quote(body, safe='')}", len(emails)


@foerderung.get("/gemeinschaftsprojekte/<item_id>/blatt")
@limited("matching")
def sheet(item_id: str):
    """A joint group's printable sheet: members, population, distance, the suggested lead and
    why, the programmes and the estimated grant, example providers, how to buy."""
    group = _group(item_id)
    found = _sheet(group)
    buying = buying_box(first_offering(group.providers))
    page = render_template(
        "funding/sheet.html",
        sheet=found,
        g=group,
        buying=buying,
        csv_url=sheet_url(group.id, "blatt.csv"),
        today=dt.date.today(),
        back=url_for("public.joint", **_joint_filters()),
    )
    return page, 400 if found.error or buying.error else 200


SHEET_COLUMNS = (
    "Gruppe",
    "Thema",
    "Kommune",
    "Kommune-ID",
    "Kreis",
    "Einwohner",
    "Bedarf",
    "Federführung (Vorschlag)",
    "Federführung: warum",
    "Programm",
    "Förderquote (%)",
    "Kosten (EUR)",
    "Förderung geschätzt (EUR)",
    "Eigenanteil (EUR)",
    "Antragsfrist",
    "Beispielanbieter (keine Empfehlung)",
    "Stand",
    "Quelle",
)


def sheet_csv_text(found: Sheet) -> str:
    """The sheet as CSV for German spreadsheets (`;`, a byte order mark, CR LF): one line per
    member, the group's lead, first fitting programme and estimate beside each."""
    group = found.group
    best = found.programmes[0] if found.programmes else None
    fit = best.fit if best else None
    grant = best.estimate if best else None
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(SHEET_COLUMNS)
    providers = ", ".join(p.name for p in group.providers)
    for member in group.members:
        row = [
            group.title,
            group.theme,
            member.name,
            member.id,
            member.district,
            member.population if member.population is not None else "",
            member.need_title,
            group.lead.name if group.lead else "",
            group.lead.reason if group.lead else "",
            fit.title if fit else "",
            f"{fit.share.percent:g}" if fit and fit.share.percent is not None else "",
            grant.cost_eur if grant else (found.cost_eur or ""),
            grant.grant_eur if grant else "",
            grant.own_eur if grant else "",
            fit.status.label if fit else "",
            providers,
            fit.disclaimer if fit else DISCLAIMER_ALL,
            fit.source_url if fit else "",
        ]
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


@foerderung.get("/gemeinschaftsprojekte/<item_id>/blatt.csv")
@limited("matching")
def sheet_csv(item_id: str):
    group = _group(item_id)
    found = _sheet(group)
    if found.error:
        abort(400)
    return csv_download(sheet_csv_text(found), "antragsskizze", group.id)
