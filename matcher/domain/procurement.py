"""The procurement path of a Hessian municipality, from dated rules kept as data.

`matcher/data/procurement_rules.json` holds rule sets (value limits per procedure, for supplies
and services and for works), the EU thresholds, the ways of buying together and the EVB-IT
contract types, each with its source, validity dates and the date it was checked. A reform is
a new rule set with its own `valid_from`; a draft („Entwurf“) is shown as such and never
applied. Everything here is a „Hinweis, keine Rechtsberatung“.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from matcher.domain.errors import ValidationError
from matcher.domain.funding import check_amount, euros

OrderKind = Literal["supplies", "works"]
ORDER_KIND_LABELS = {"supplies": "Liefer- und Dienstleistungen", "works": "Bauleistungen"}
Procedure = Literal[
    "direktauftrag",
    "verhandlungsvergabe",
    "freihaendige_vergabe",
    "beschraenkte_ausschreibung",
    "oeffentliche_ausschreibung",
    "eu_weit",
]
PROCEDURE_LABELS: dict[str, str] = {
    "direktauftrag": "Direktauftrag",
    "verhandlungsvergabe": "Verhandlungsvergabe",
    "freihaendige_vergabe": "Freihändige Vergabe",
    "beschraenkte_ausschreibung": "Beschränkte Ausschreibung",
    "oeffentliche_ausschreibung": "Öffentliche Ausschreibung",
    "eu_weit": "EU-weites Vergabeverfahren",
}
OfferingKind = Literal["lizenz", "wartung", "dienstleistung", "entwicklung", "cloud"]
NOT_LEGAL_ADVICE = "Hinweis, keine Rechtsberatung"


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Step(_Data):
    """A procedure a municipality may choose up to `up_to_eur` (net); None: any value."""

    procedure: Procedure
    up_to_eur: int | None = None
    note: str = ""


class RuleSet(_Data):
    """The value limits of one law or decree, valid from–until; `status` "entwurf": a draft,
    reported but never applied."""

    id: str
    title: str
    status: Literal["in_kraft", "entwurf"]
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    supplies: list[Step]
    works: list[Step]
    source_url: str
    sources: list[str] = Field(default_factory=list)
    checked: dt.date
    note: str = ""

    def covers(self, on: dt.date) -> bool:
        return (
            self.status == "in_kraft"
            and self.valid_from is not None
            and self.valid_from <= on
            and (self.valid_until is None or on <= self.valid_until)
        )


class EuThresholds(_Data):
    """The EU thresholds (net) from which an EU-wide procedure is required (§ 106 GWB: the
    value reaches or exceeds them)."""

    id: str
    valid_from: dt.date
    valid_until: dt.date
    supplies_eur: int
    works_eur: int
    source_url: str
    checked: dt.date

    def covers(self, on: dt.date) -> bool:
        return self.valid_from <= on <= self.valid_until


class Hint(_Data):
    id: str
    title: str
    text: str
    source_url: str


class ContractType(_Data):
    offering_kind: OfferingKind
    evb_it: str
    text: str
    keywords: list[str] = Field(default_factory=list)


class Rules(_Data):
    checked: dt.date
    rule_sets: list[RuleSet]
    eu_thresholds: list[EuThresholds]
    joint_buying: list[Hint]
    contracts: list[ContractType]
    contracts_source: str


def load_rules(path: Path) -> Rules:
    return Rules.model_validate(json.loads(path.read_text(encoding="utf-8")))


class Draft(BaseModel):
    """A rule set not in force: what it would change at this value."""

    id: str
    title: str
    status: str
    procedure: str
    label: str
    text: str
    source_url: str


class ProcurementPath(BaseModel):
    """Which procedure applies to an order of a Hessian municipality on a date, and why."""

    value_eur: int
    kind: OrderKind
    date: dt.date
    procedure: Procedure
    label: str
    alternatives: list[str] = Field(description="other procedures also allowed at this value")
    reasons: list[str]
    rule_set: str
    rule_title: str
    rule_source: str
    rule_valid_from: dt.date | None
    rule_valid_until: dt.date | None
    eu_threshold_eur: int
    eu_source: str
    checked: dt.date
    drafts: list[Draft]
    joint_buying: list[Hint]
    contract: ContractType | None
    disclaimer: str = NOT_LEGAL_ADVICE


def _step(steps: list[Step], value: Decimal) -> Step:
    return next(s for s in steps if s.up_to_eur is None or value <= s.up_to_eur)


def path_for(
    rules: Rules,
    value: float,
    kind: OrderKind,
    on: dt.date,
    offering_kind: OfferingKind | None = None,
) -> ProcurementPath:
    """The procedure for `value` EUR (net) of `kind` on `on`; a German 400 naming the field for
    an implausible value or a date no rule covers."""
    amount = check_amount(value, "value_eur")
    rule = next((r for r in rules.rule_sets if r.covers(on)), None)
    eu = next((t for t in rules.eu_thresholds if t.covers(on)), None)
    if rule is None or eu is None:
        raise ValidationError(
            "date: für dieses Datum liegen keine Vergaberegeln vor",
            [("date", f"keine gültige Regel am {on:%d.%m.%Y} (Daten bis auf Weiteres geprüft)")],
        )
    threshold = eu.supplies_eur if kind == "supplies" else eu.works_eur
    steps = rule.supplies if kind == "supplies" else rule.works
    what = ORDER_KIND_LABELS[kind]
    if amount >= threshold:
        procedure: Procedure = "eu_weit"
        reasons = [
            f"{euros(amount)} erreicht den EU-Schwellenwert für {what} ({euros(threshold)}, "
            f"gültig {eu.valid_from:%d.%m.%Y}–{eu.valid_until:%d.%m.%Y}): EU-weites Verfahren "
            "nach GWB/VgV bzw. VOB/A-EU"
        ]
        alternatives: list[str] = []
    else:
        step = _step(steps, amount)
        procedure = step.procedure
        limit = f"bis {euros(step.up_to_eur)}" if step.up_to_eur else "ohne Wertgrenze"
        reasons = [f"{PROCEDURE_LABELS[procedure]} ist für {what} {limit} zulässig ({rule.title})"]
        if step.note:
            reasons.append(step.note)
        reasons.append(f"unter dem EU-Schwellenwert von {euros(threshold)}")
        later = steps[steps.index(step) + 1 :]
        alternatives = [PROCEDURE_LABELS[s.procedure] for s in later]
    drafts = [_draft(r, kind, amount, threshold) for r in rules.rule_sets if r.status == "entwurf"]
    contract = next((c for c in rules.contracts if c.offering_kind == offering_kind), None)
    return ProcurementPath(
        value_eur=int(amount),
        kind=kind,
        date=on,
        procedure=procedure,
        label=PROCEDURE_LABELS[procedure],
        alternatives=alternatives,
        reasons=reasons,
        rule_set=rule.id,
        rule_title=rule.title,
        rule_source=rule.source_url,
        rule_valid_from=rule.valid_from,
        rule_valid_until=rule.valid_until,
        eu_threshold_eur=threshold,
        eu_source=eu.source_url,
        checked=min(rule.checked, eu.checked),
        drafts=drafts,
        joint_buying=rules.joint_buying,
        contract=contract,
    )


def _draft(rule: RuleSet, kind: OrderKind, amount: Decimal, threshold: int) -> Draft:
    steps = rule.supplies if kind == "supplies" else rule.works
    procedure = "eu_weit" if amount >= threshold else _step(steps, amount).procedure
    when = f"ab {rule.valid_from:%d.%m.%Y}" if rule.valid_from else "ab Inkrafttreten"
    text = (
        f"Entwurf, nicht in Kraft: {when} wäre hier {PROCEDURE_LABELS[procedure]} möglich"
        f" – bis dahin gilt die Regel oben. {rule.note}"
    ).strip()
    return Draft(
        id=rule.id,
        title=rule.title,
        status="Entwurf",
        procedure=procedure,
        label=PROCEDURE_LABELS[procedure],
        text=text,
        source_url=rule.source_url,
    )


def offering_kind_of(text: str, rules: Rules) -> OfferingKind | None:
    """The contract kind an offering's text suggests (its first matching keyword list), or
    None: a guess from words, said so on output."""
    lowered = text.casefold()
    for contract in rules.contracts:
        if any(k.casefold() in lowered for k in contract.keywords):
            return contract.offering_kind
    return None
