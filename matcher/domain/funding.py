"""Funding programmes as data: who may apply, how much, on what, and when.

A `Programme` record carries its source address and the date staff last checked it („Stand“):
funding rules and calls change, so a change is a data edit (API or import), not a code change.
`check_programme` refuses contradictory rules with German messages naming the field;
`call_status` tells a call's state on a date; `share_for` and `estimate` give the applicable
share and the grant. The records shipped with the package are `matcher/data/programmes.jsonl`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from matcher.domain.errors import ValidationError
from matcher.domain.schema import ActorKind, Categories, ItemId, Short, Shorts, Text, Title

# Costs and grants a check accepts: a cent is no project, and more than a billion euros is no
# municipal digital project but a typo (or an attack on the arithmetic).
MAX_COST_EUR = 1_000_000_000
# The dates a check may ask about: the shipped records and rules cover these years; outside
# them an answer would pretend to know.
FIRST_DATE = dt.date(2020, 1, 1)
LAST_DATE = dt.date(2030, 12, 31)
DISCLAIMER = "Angaben ohne Gewähr"

JointRule = Literal["erforderlich", "bevorzugt", "moeglich"]
CallState = Literal["offen", "naechste_runde", "geschlossen", "laufend"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Share(_Record):
    """What share of the eligible costs the grant covers, in percent. `percent` is the usual
    share; `min_percent`–`max_percent` the range and `decided_by` what decides within it (a
    single town's financial strength); `joint_percent` the share of a joint project."""

    percent: float | None = Field(None, description="usual share, e.g. 80")
    min_percent: float | None = None
    max_percent: float | None = None
    joint_percent: float | None = Field(None, description="share for joint projects, e.g. 90")
    decided_by: Short = ""


class Call(_Record):
    """One round of a programme: optional sketch deadline, application window, decision."""

    title: Short = ""
    sketch_until: dt.date | None = None
    opens: dt.date | None = None
    closes: dt.date | None = Field(None, description="last day of the application window")
    decision: dt.date | None = None
    rolling: bool = Field(False, description="applications any time within the window")


class FundingLine(_Record):
    """A line of a programme; `reuse` marks the line for re-using a use case the programme
    already funded (it is offered only with such a funded project as reference)."""

    id: ItemId
    title: Title
    reuse: bool = False


class Source(_Record):
    url: Short = Field(description="the address the fact was read at")
    title: Short = ""
    checked: dt.date | None = Field(None, description="when it was read")


def _councils() -> list[ActorKind]:
    return ["gemeinde", "kreis"]


class Programme(_Record):
    """A funding programme. `contact` is the programme office's public mailbox or page, never
    a person's: it is published like the funder's own web page (see SECURITY.md)."""

    id: ItemId
    title: Title
    funder: Title
    aliases: Shorts = Field(
        default_factory=list, description="names used in projects' free-text `funding` field"
    )
    summary: Text = ""
    actor_kinds: list[ActorKind] = Field(default_factory=_councils)
    land: Short = Field("", description="the Land whose bodies may apply; empty: any Land")
    max_population: int | None = Field(
        None, ge=1, description="only towns up to this many inhabitants may apply"
    )
    joint: JointRule = "moeglich"
    min_partners: int = Field(1, ge=1, le=100)
    share: Share = Field(default_factory=Share)
    min_grant_eur: int | None = Field(None, ge=0)
    max_grant_eur: int | None = Field(None, ge=0)
    min_cost_eur: int | None = Field(None, ge=0)
    max_cost_eur: int | None = Field(None, ge=0)
    max_months: int | None = Field(None, ge=1, le=240)
    eligible_costs: Short = ""
    categories: Categories = Field(default_factory=list)
    keywords: Shorts = Field(default_factory=list)
    lines: list[FundingLine] = Field(default_factory=list)
    calls: list[Call] = Field(default_factory=list)
    selection: Short = ""
    contact: Short = Field("", description="public office mailbox or page (not private)")
    source_url: Short = ""
    sources: list[Source] = Field(default_factory=list)
    checked: dt.date = Field(description="„Stand“: when staff last checked the record")
    unverified: Shorts = Field(
        default_factory=list, description="fields not confirmed by a source (said so on output)"
    )

    def names(self) -> set[str]:
        """The id, title and aliases, folded: what a project's `funding` text may say."""
        return {fold(n) for n in (self.id, self.title, *self.aliases) if n}

    def reuse_line(self) -> FundingLine | None:
        return next((line for line in self.lines if line.reuse), None)


def fold(text: str) -> str:
    """A name compared loosely: NFC, case-folded, inner white space collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def programme_for(funding: str, programmes: list[Programme]) -> Programme | None:
    """The programme a project's `funding` field names (its id, title or an alias), or None:
    a text that names no known programme stays text."""
    key = fold(funding)
    if not key:
        return None
    return next((p for p in programmes if key in p.names()), None)


def _percent(problems: list[tuple[str, str]], field: str, value: float | None) -> None:
    if value is not None and not 0 < value <= 100:
        problems.append((field, f"Förderquote {value} % liegt nicht zwischen 0 und 100 %"))


def _order(problems: list[tuple[str, str]], field: str, low: object, high: object) -> None:
    if low is not None and high is not None and low > high:  # type: ignore[operator]
        problems.append((field, f"Minimum ({low}) ist größer als das Maximum ({high})"))


_MAILBOX = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


def check_programme(programme: Programme, where: str = "") -> None:
    """Refuse contradictory rules (min above max, a share outside 0–100 %, a call that ends
    before it opens) with one German message per field; ValidationError lists them all."""
    problems: list[tuple[str, str]] = []
    share = programme.share
    for name in ("percent", "min_percent", "max_percent", "joint_percent"):
        _percent(problems, f"{where}share.{name}", getattr(share, name))
    _order(problems, f"{where}share.min_percent", share.min_percent, share.max_percent)
    if share.percent is not None:
        _order(problems, f"{where}share.percent", share.min_percent, share.percent)
        _order(problems, f"{where}share.percent", share.percent, share.max_percent)
    _order(problems, f"{where}min_grant_eur", programme.min_grant_eur, programme.max_grant_eur)
    _order(problems, f"{where}min_cost_eur", programme.min_cost_eur, programme.max_cost_eur)
    for i, call in enumerate(programme.calls):
        at = f"{where}calls.{i}"
        _order(problems, f"{at}.closes", call.opens, call.closes)
        _order(problems, f"{at}.decision", call.closes, call.decision)
        if call.sketch_until and call.closes and call.sketch_until > call.closes:
            problems.append(
                (f"{at}.sketch_until", "die Skizzenfrist liegt nach dem Ende der Antragsfrist")
            )
    if _MAILBOX.search(programme.contact):
        problems.append(
            (
                f"{where}contact",
                "eine Stelle und ihre Kontaktseite, keine E-Mail-Adresse: Antworten ohne "
                "Schlüssel zeigen keine Adressen (SECURITY.md)",
            )
        )
    if programme.joint == "erforderlich" and programme.min_partners < 2:
        problems.append((f"{where}min_partners", "ein Verbund braucht mindestens 2 Partner"))
    if problems:
        fields = ", ".join(dict.fromkeys(f for f, _ in problems))
        raise ValidationError(f"Widersprüchliche Förderregeln: {fields}", problems)


def check_date(value: dt.date, field: str = "date") -> dt.date:
    """A date the data can speak about (FIRST_DATE–LAST_DATE), else a German 400."""
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValidationError(
            f"{field}: Datum außerhalb der Daten",
            [(field, f"nur Daten vom {FIRST_DATE:%d.%m.%Y} bis {LAST_DATE:%d.%m.%Y}")],
        )
    return value


def check_amount(value: float, field: str) -> Decimal:
    """An amount in euros above zero and at most MAX_COST_EUR, else a German 400."""
    if isinstance(value, bool) or not 0 < value <= MAX_COST_EUR:
        raise ValidationError(
            f"{field}: Betrag nicht plausibel",
            [(field, f"ein Betrag über 0 und höchstens {MAX_COST_EUR:,} EUR".replace(",", "."))],
        )
    return Decimal(str(value))


class CallStatus(BaseModel):
    """A programme's state on a date: open (with days to the deadline), a next round known
    (with its dates), or closed (and no next round known)."""

    state: CallState
    label: str = Field(description="„offen“, „nächste Runde“, „geschlossen“ in German")
    call: Call | None = None
    days_left: int | None = Field(None, description="days from the date to the deadline")
    sketch_days_left: int | None = None
    next_call: Call | None = None


def call_status(programme: Programme, on: dt.date) -> CallStatus:
    """Which call is open on `on` (and how many days are left), which comes next, or that all
    are closed and no next round is known."""
    calls = sorted(programme.calls, key=lambda c: c.opens or c.closes or dt.date.min)
    upcoming = [c for c in calls if c.opens is not None and c.opens > on]
    for call in calls:
        started = call.opens is None or call.opens <= on
        if started and call.closes is not None and on <= call.closes:
            label = "laufend (Antrag jederzeit)" if call.rolling else "offen"
            if call.opens is None:
                label += f" bis {call.closes:%d.%m.%Y} (Beginn nicht belegt)"
            return CallStatus(
                state="laufend" if call.rolling else "offen",
                label=label,
                call=call,
                days_left=(call.closes - on).days,
                sketch_days_left=_days_to(call.sketch_until, on),
                next_call=upcoming[0] if upcoming else None,
            )
    if upcoming:
        nxt = upcoming[0]
        return CallStatus(
            state="naechste_runde",
            label=f"nächste Runde ab {nxt.opens:%d.%m.%Y}",
            next_call=nxt,
            days_left=(nxt.closes - on).days if nxt.closes else None,
            sketch_days_left=_days_to(nxt.sketch_until, on),
        )
    return CallStatus(
        state="geschlossen",
        label="geschlossen – nächste Runde noch nicht bekannt",
        call=calls[-1] if calls else None,
    )


def _days_to(day: dt.date | None, on: dt.date) -> int | None:
    return (day - on).days if day is not None and day >= on else None


class ShareChoice(BaseModel):
    percent: float | None
    min_percent: float | None = None
    max_percent: float | None = None
    reason: str


def share_for(programme: Programme, applicants: int) -> ShareChoice:
    """The share for this many applicants: the joint share for two or more where there is one,
    else the usual share, with the range and what decides it."""
    share = programme.share
    if applicants >= 2 and share.joint_percent is not None:
        return ShareChoice(
            percent=share.joint_percent,
            min_percent=share.joint_percent,
            max_percent=share.joint_percent,
            reason=f"Gemeinschaftsvorhaben: {_pct(share.joint_percent)} der förderfähigen Kosten",
        )
    if share.percent is None:
        return ShareChoice(percent=None, reason="Förderquote nicht hinterlegt – bitte erfragen")
    reason = f"in der Regel {_pct(share.percent)}"
    if share.min_percent is not None and share.max_percent is not None:
        reason += f", je nach {share.decided_by or 'Einzelfall'} {_pct(share.min_percent)}"
        reason += f"–{_pct(share.max_percent)}"
    return ShareChoice(
        percent=share.percent,
        min_percent=share.min_percent,
        max_percent=share.max_percent,
        reason=reason,
    )


def _pct(value: float) -> str:
    return f"{value:g} %".replace(".", ",")


def euros(value: Decimal | int) -> str:
    """An amount as Germans write it: 270.000 EUR."""
    return f"{int(value):,} EUR".replace(",", ".")


class Estimate(BaseModel):
    """The grant and the own share for a cost estimate (whole euros)."""

    cost_eur: int
    share_percent: float
    grant_eur: int
    own_eur: int
    capped: bool = Field(False, description="the grant was cut to the programme's maximum")


def estimate(programme: Programme, cost: Decimal, percent: float) -> Estimate:
    """Grant = cost × share, cut to the maximum grant; the rest is the own contribution."""
    grant = (cost * Decimal(str(percent)) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    capped = programme.max_grant_eur is not None and grant > programme.max_grant_eur
    if capped:
        grant = Decimal(programme.max_grant_eur or 0)
    whole = cost.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Estimate(
        cost_eur=int(whole),
        share_percent=percent,
        grant_eur=int(grant),
        own_eur=int(whole - grant),
        capped=capped,
    )


# -- the question and the answer of a funding check --------------------------------------------


@dataclass(frozen=True)
class FundingRequest:
    """What a funding check is about: a text, a need or a project (ids), its applicants (ids),
    an optional cost estimate (EUR) and the date (today if None)."""

    text: str | None = None
    need: str | None = None
    project: str | None = None
    municipalities: tuple[str, ...] = ()
    cost_eur: float | None = None
    date: dt.date | None = None


CheckName = Literal["antragsberechtigt", "land", "verbund", "thema", "betrag", "frist"]


class Check(BaseModel):
    """One rule of a programme against the applicants and the idea: met (True), not met
    (False) or not known (None), and why, in German."""

    name: CheckName
    ok: bool | None
    reason: str


class ReuseOffer(BaseModel):
    """Line 2: a fitting project the programme itself funded; its towns are the ones to ask."""

    line: FundingLine
    project: str = Field(description="id of the funded project")
    project_title: str
    municipalities: list[str] = Field(description="names of its towns: the ones to ask")
    reason: str


class ProgrammeFit(BaseModel):
    """A programme for one idea and its applicants: whether and why it fits, the share and the
    estimate, the call's state on the date, and line 2 where a funded reference exists."""

    id: str
    title: str
    funder: str
    fits: bool = Field(description="no rule is broken (unknown rules do not count against it)")
    checks: list[Check]
    share: ShareChoice
    estimate: Estimate | None = Field(None, description="only with a cost estimate")
    status: CallStatus
    lines: list[FundingLine]
    reuse: list[ReuseOffer] = Field(default_factory=list)
    max_grant_eur: int | None = None
    contact: str = Field("", description="the programme office's public address")
    source_url: str
    checked: dt.date
    unverified: list[str]
    disclaimer: str = Field(description="„Angaben ohne Gewähr, Stand …“")


class FundingCheck(BaseModel):
    """The programmes for an idea (a text, a need or a project) and its applicants."""

    date: dt.date
    text: str = Field(description="the idea as matched")
    municipalities: list[str] = Field(description="names of the applicants")
    municipality_ids: list[str]
    joint: bool
    cost_eur: int | None
    categories: list[str] = Field(description="the idea's topics (from the matching projects)")
    programmes: list[ProgrammeFit] = Field(description="fitting ones first")
    disclaimer: str


class LeadSuggestion(BaseModel):
    """Who could lead a joint group, and why."""

    id: str | None = Field(description="municipality id, if the lead is a known record")
    name: str
    reason: str


def stand(programme: Programme) -> str:
    """„Angaben ohne Gewähr, Stand 06.12.2026“."""
    return f"{DISCLAIMER}, Stand {programme.checked:%d.%m.%Y}"
