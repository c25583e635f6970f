"""Leads for a provider's sales team as rows: the provider page, the provider's own area and the
CSV exports share them.

A lead is a municipality; the rows add what a sales person needs to act on it: the open needs
that matched (date, status, description), every reason, whether the town is a customer, and
the joint-project suggestions it is part of („Teil von Gemeinschaftsvorschlag Nr. 5“). The
provider's own export adds a contact column, filled only as `Viewer` allows (a provider sees a
town's mailbox only when the town reported an open need).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from matcher.domain.catalog import Catalog
from matcher.domain.schema import Need
from matcher.domain.spreadsheet import safe_cell
from matcher.matching.results import JointProject, LeadResult

SHORT_DESCRIPTION_CHARS = 180  # about two lines of a lead card
# The joint-projects page shows this many suggestions, numbered 1 … n; a lead's note („Teil von
# Gemeinschaftsvorschlag Nr. 5“) counts in the same list.
JOINT_SUGGESTIONS = 20
CONTACT_COLUMN = "Kontakt (E-Mail)"
NEED_STATUS_LABELS = {"offen": "offen", "in_arbeit": "in Arbeit", "erledigt": "erledigt"}
BASIS_LABELS = {
    "bedarf": "gemeldeter Bedarf",
    "aehnliche_kommune": "ähnlich wie eine Referenzkommune",
}
CSV_COLUMNS = (
    "Kommune",
    "Kreis",
    "Einwohner",
    "Bereits Kunde",
    "Einschätzung",
    "Grundlage",
    "Bedarf",
    "Bedarf-Status",
    "Bedarf gemeldet am",
    "Bedarf-Beschreibung",
    "Passt zu",
    "Gründe",
    "Kommunen-ID",
    "Seite",
)


@dataclass(frozen=True)
class LeadNeedRow:
    """One open need of a lead that matched the offering."""

    id: str
    title: str
    status: str
    date: dt.date | None
    description: str
    matched: str

    @property
    def short(self) -> str:
        """The description cut at a word to about two lines."""
        return shorten(self.description, SHORT_DESCRIPTION_CHARS)

    @property
    def status_label(self) -> str:
        return NEED_STATUS_LABELS.get(self.status, self.status)

    @property
    def date_label(self) -> str:
        return self.date.strftime("%d.%m.%Y") if self.date else ""


@dataclass(frozen=True)
class JointNote:
    """A joint-project suggestion a lead takes part in: its number on the joint-projects page,
    its id (the page's anchor), its theme and whether the provider is suggested for it."""

    number: int
    id: str
    theme: str
    title: str
    ours: bool

    @property
    def label(self) -> str:
        return f"Teil von Gemeinschaftsvorschlag Nr. {self.number}"


def joint_notes(groups: list[JointProject], provider_id: str) -> dict[str, list[JointNote]]:
    """Town id → the suggestions (numbered as on the joint-projects page) it is a member of."""
    notes: dict[str, list[JointNote]] = {}
    for number, group in enumerate(groups, start=1):
        ours = any(p.id == provider_id for p in group.providers)
        note = JointNote(number, group.id, group.theme, group.title, ours)
        for member in group.members:
            notes.setdefault(member.id, []).append(note)
    return notes


@dataclass(frozen=True)
class LeadRow:
    """A lead as a sales person reads it."""

    id: str
    name: str
    district: str
    population: int | None
    confident: bool
    basis: str
    existing_customer: bool
    needs: list[LeadNeedRow]
    reasons: list[str]
    similar_to: str | None  # name of the reference town a look-alike lead is like
    joint: list[JointNote] = field(default_factory=list)

    @property
    def basis_label(self) -> str:
        return BASIS_LABELS.get(self.basis, self.basis)


def shorten(text: str, limit: int) -> str:
    """`text` cut at the last word boundary before `limit` characters, with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.-–")
    return cut + " …"


def lead_rows(
    leads: list[LeadResult],
    catalog: Catalog,
    joint: dict[str, list[JointNote]] | None = None,
) -> list[LeadRow]:
    """The leads with their needs looked up in the catalog (for date and description), and
    the joint-project suggestions each is part of (`joint_notes`), if given."""
    rows = []
    for lead in leads:
        needs = []
        for hit in lead.needs:
            need = catalog.get("needs", hit.id)
            found = need if isinstance(need, Need) else None
            needs.append(
                LeadNeedRow(
                    id=hit.id,
                    title=hit.title,
                    status=hit.status,
                    date=found.date if found else None,
                    description=found.description if found else "",
                    matched=hit.matched,
                )
            )
        like = catalog.municipality(lead.similar_to) if lead.similar_to else None
        rows.append(
            LeadRow(
                id=lead.id,
                name=lead.name,
                district=lead.district,
                population=lead.population,
                confident=lead.confidence == "hoch",
                basis=lead.basis,
                existing_customer=lead.existing_customer,
                needs=needs,
                reasons=list(lead.explanation.reasons),
                similar_to=like.name if like else None,
                joint=(joint or {}).get(lead.id, []),
            )
        )
    return rows


def to_csv(
    rows: list[LeadRow], page_url: str, contact: Callable[[str], str | None] | None = None
) -> str:
    """The leads as CSV for German spreadsheet programs: `;` between fields, a byte order mark
    so Excel reads UTF-8, one line per lead and need (a lead without a need has one line).
    `page_url` is the municipality page's address with `{id}` for the town's id. With
    `contact` (town id → its mailbox as the reader may see it, else None), a last column
    „Kontakt (E-Mail)“."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow((*CSV_COLUMNS, CONTACT_COLUMN) if contact else CSV_COLUMNS)
    for row in rows:
        town = [
            row.name,
            row.district,
            row.population if row.population is not None else "",
            "ja" if row.existing_customer else "nein",
            "sicher" if row.confident else "unsicher",
            row.basis_label,
        ]
        reasons = [*row.reasons, *(note.label for note in row.joint)]
        tail = [" | ".join(reasons), row.id, page_url.format(id=row.id)]
        if contact is not None:
            tail.append(contact(row.id) or "")
        needs: list[LeadNeedRow | None] = list(row.needs) or [None]
        for need in needs:
            middle = (
                [need.title, need.status_label, need.date_label, need.description, need.matched]
                if need
                else ["", "", "", "", f"ähnlich wie {row.similar_to}" if row.similar_to else ""]
            )
            writer.writerow([safe_cell(v) for v in [*town, *middle, *tail]])
    return out.getvalue()
