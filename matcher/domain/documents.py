"""The Toolbox: documents of funded projects (concepts, tender texts, contracts, council
decisions, evaluations) that other towns reuse.

A document belongs to a project and carries what a town needs to reuse it: its kind, title,
language, a licence from a closed list (required: a text without one cannot be reused
lawfully), the procedure it was used in and a link to published source code. Its file is kept
by content hash; its extracted text is split into passages that are matched against a
challenge (`matcher.matching.documents`).

„nur zur Ansicht“ means: anyone may read and download the file to learn from it, but not copy
or adapt it for their own procedure; pages and API say so beside every such document
(`reusable` is False).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import ErrorDetails

from matcher.domain.errors import ValidationError
from matcher.domain.schema import ItemId, Short, Title

DocumentKind = Literal[
    "konzept",
    "leistungsbeschreibung",
    "kooperationsvertrag",
    "beschlussvorlage",
    "evaluationsbericht",
    "datenschutz-folgenabschaetzung",
    "sonstiges",
]
KINDS: tuple[str, ...] = get_args(DocumentKind)
KIND_LABELS: dict[str, str] = {
    "konzept": "Konzept",
    "leistungsbeschreibung": "Leistungsbeschreibung / Ausschreibung",
    "kooperationsvertrag": "Kooperationsvertrag",
    "beschlussvorlage": "Beschlussvorlage",
    "evaluationsbericht": "Evaluationsbericht",
    "datenschutz-folgenabschaetzung": "Datenschutz-Folgenabschätzung",
    "sonstiges": "Sonstiges",
}

Licence = Literal[
    "cc-by-4.0", "cc-by-sa-4.0", "cc0-1.0", "dl-de-by-2.0", "dl-de-zero-2.0", "nur-ansicht"
]
LICENCE_IDS: tuple[str, ...] = get_args(Licence)


@dataclass(frozen=True)
class LicenceInfo:
    label: str
    url: str  # the licence text
    reusable: bool  # may others copy and adapt it


LICENCES: dict[str, LicenceInfo] = {
    "cc-by-4.0": LicenceInfo(
        "CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/deed.de", True
    ),
    "cc-by-sa-4.0": LicenceInfo(
        "CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/deed.de", True
    ),
    "cc0-1.0": LicenceInfo(
        "CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/deed.de", True
    ),
    "dl-de-by-2.0": LicenceInfo(
        "Datenlizenz Deutschland – Namensnennung 2.0", "https://www.govdata.de/dl-de/by-2-0", True
    ),
    "dl-de-zero-2.0": LicenceInfo(
        "Datenlizenz Deutschland – Zero 2.0", "https://www.govdata.de/dl-de/zero-2-0", True
    ),
    "nur-ansicht": LicenceInfo(
        "nur zur Ansicht (keine Nachnutzung)",
        "",
        False,
    ),
}
# What a licence field may name, besides its id: its label as people write it.
_LICENCE_BY_LABEL = {
    **{info.label.casefold(): key for key, info in LICENCES.items()},
    "nur zur ansicht": "nur-ansicht",
    "cc0": "cc0-1.0",
    "cc by": "cc-by-4.0",
}

FileType = Literal["pdf", "odt", "docx", "txt"]
FILE_TYPES: tuple[str, ...] = get_args(FileType)
# The one content type a file of each type is served with (never what an upload declared).
CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "txt": "text/plain; charset=utf-8",
}
FILE_TYPE_LABELS = {"pdf": "PDF", "odt": "ODT", "docx": "DOCX", "txt": "Text"}
# The file name extensions each type may have (a name with another one is refused).
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "pdf": (".pdf",),
    "odt": (".odt",),
    "docx": (".docx",),
    "txt": (".txt", ".text", ".md"),
}

# A passage is a paragraph, or as many of a long paragraph's sentences as fit in this many
# characters: long enough to quote as a reason, short enough that one passage is about one
# thing (encoders read about 128 words well).
MAX_PASSAGE_CHARS = 600
# Paragraphs shorter than this (list items), and headings (no sentence end), are joined to
# the next one.
MIN_PASSAGE_CHARS = 100
# A document is matched by at most this many passages (a 40-page tender text has about 300).
MAX_PASSAGES = 400
LANGUAGE_PATTERN = r"^[a-z]{2}$"
# A line that ends like this ends its paragraph: a sentence's or a list's end, or a short line
# (a heading; a wrapped line of a PDF is longer).
_ENDS_PARAGRAPH = re.compile(r"[.!?:;]$|^.{1,59}$")
_SENTENCE_ENDS = (".", "!", "?", ":", ";", "…", '"', "“", ")")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÄÖÜ0-9„\"(])")


class DocumentMeta(BaseModel):
    """What an uploader says about a document (the file itself is checked elsewhere)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: DocumentKind
    title: Title
    licence: Licence
    language: str = Field("de", pattern=LANGUAGE_PATTERN, description="ISO 639-1, e.g. de")
    procedure: Short = Field("", description="the procedure it was used in (Vergabeverfahren …)")
    source_url: str = Field(
        "", max_length=500, description="published source code (https only), if any"
    )

    @field_validator("licence", mode="before")
    @classmethod
    def _licence_label(cls, value: object) -> object:
        if isinstance(value, str):
            return _LICENCE_BY_LABEL.get(value.strip().casefold(), value.strip())
        return value

    @field_validator("source_url")
    @classmethod
    def _https(cls, value: str) -> str:
        value = value.strip()
        if value and not re.fullmatch(r"https://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?", value):
            raise ValueError("nur eine https-Adresse (https://…)")
        return value

    @classmethod
    def of(cls, fields: dict[str, object]) -> DocumentMeta:
        """The fields of a form or request, checked; one German ValidationError naming each
        field otherwise (no licence, an unknown one, an empty title …)."""
        given = {k: v for k, v in fields.items() if v is not None and v != ""}
        try:
            return cls.model_validate(given)
        except PydanticValidationError as exc:
            problems = [_german(e) for e in exc.errors(include_url=False)]
            names = ", ".join(dict.fromkeys(field for field, _ in problems))
            raise ValidationError(f"Angaben zum Dokument unvollständig: {names}", problems) from exc


def _german(error: ErrorDetails) -> tuple[str, str]:
    field = ".".join(str(p) for p in error["loc"]) or "body"
    kind = error["type"]
    if field == "licence":
        if kind == "missing":
            return field, "Lizenz fehlt: ohne Lizenz kann niemand das Dokument nachnutzen"
        return field, "unbekannte Lizenz; erlaubt: " + ", ".join(
            info.label for info in LICENCES.values()
        )
    if field == "kind":
        if kind == "missing":
            return field, "Art des Dokuments fehlt"
        return field, "unbekannte Art; erlaubt: " + ", ".join(KIND_LABELS.values())
    if kind == "missing":
        return field, "fehlt"
    if field == "source_url":
        return field, "nur eine https-Adresse (https://…)"
    if field == "language":
        return field, "Sprachkürzel aus zwei Kleinbuchstaben (z. B. de)"
    if kind == "extra_forbidden":
        return field, "unbekanntes Feld"
    return field, "ungültig (leer, zu lang oder mehrzeilig)"


class Document(BaseModel):
    """A stored document's record (its file and text are kept beside it)."""

    model_config = ConfigDict(frozen=True)

    id: ItemId
    project: ItemId
    kind: DocumentKind
    title: str
    licence: Licence
    language: str = "de"
    procedure: str = ""
    source_url: str = ""
    filename: str = Field(description="a safe file name for the download")
    file_type: FileType
    size: int = Field(description="bytes")
    sha256: str
    passages: int = Field(0, description="how many passages of its text are matched")
    created: dt.date

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def licence_label(self) -> str:
        return LICENCES[self.licence].label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def licence_url(self) -> str:
        return LICENCES[self.licence].url

    @computed_field  # type: ignore[prop-decorator]
    @property
    def reusable(self) -> bool:
        """False for „nur zur Ansicht“: read and download it, but do not copy or adapt it."""
        return LICENCES[self.licence].reusable

    @computed_field  # type: ignore[prop-decorator]
    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.file_type]


def megabytes(limit: int) -> str:
    """A size limit as a German text ("8 MB", "1,5 MB", "48 kB")."""
    if limit < 2**20:
        return f"{limit // 1024} kB"
    return f"{limit / 2**20:.1f}".replace(".", ",").removesuffix(",0") + " MB"


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def document_id(project: str, sha256: str) -> str:
    """The same file attached to the same project twice is the same document (a conflict)."""
    return "doc-" + hashlib.sha256(f"{project}:{sha256}".encode()).hexdigest()[:16]


# Umlauts spelt out in file names, as Germans write them without umlauts.
_SPELT_OUT = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


def safe_filename(title: str, file_type: str) -> str:
    """An ASCII file name from a title: letters, digits, '-' and '_' only (no path, no quote,
    no header break), umlauts spelt out, at most 80 characters before the extension."""
    spelt = title.translate(_SPELT_OUT)
    ascii_only = unicodedata.normalize("NFKD", spelt).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_only).strip("-_")[:80] or "dokument"
    return f"{stem}.{file_type}"


def split_passages(text: str) -> list[str]:
    """The text's passages: paragraphs (blank-line or line separated), short ones joined to the
    next, long ones split at sentence ends into pieces of at most `MAX_PASSAGE_CHARS`;
    whitespace collapsed; at most `MAX_PASSAGES`."""
    out: list[str] = []
    pending = ""
    for paragraph in _paragraphs(text):
        paragraph = f"{pending} {paragraph}".strip() if pending else paragraph
        pending = ""
        if len(paragraph) < MIN_PASSAGE_CHARS or not paragraph.endswith(_SENTENCE_ENDS):
            pending = paragraph  # a heading: it belongs to the text that follows
            continue
        out.extend(_pieces(paragraph))
        if len(out) >= MAX_PASSAGES:
            return out[:MAX_PASSAGES]
    if pending:
        if out and len(out[-1]) + len(pending) < MAX_PASSAGE_CHARS:
            out[-1] = f"{out[-1]} {pending}"
        else:
            out.append(pending)
    return out[:MAX_PASSAGES]


def _paragraphs(text: str) -> list[str]:
    """Paragraphs of a text whose lines may be wrapped (a PDF's are): a line continues the
    one before unless that one is blank, ends a sentence or is short (a heading, a last line)."""
    out: list[str] = []
    current: list[str] = []
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if current and (not line or _ENDS_PARAGRAPH.search(current[-1])):
            out.append(" ".join(current))
            current = []
        if line:
            current.append(line)
    if current:
        out.append(" ".join(current))
    return out


def _pieces(paragraph: str) -> list[str]:
    if len(paragraph) <= MAX_PASSAGE_CHARS:
        return [paragraph]
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(paragraph):
        while len(sentence) > MAX_PASSAGE_CHARS:  # one endless sentence: cut at a space
            cut = sentence.rfind(" ", 0, MAX_PASSAGE_CHARS)
            cut = cut if cut > 0 else MAX_PASSAGE_CHARS
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:cut])
            sentence = sentence[cut:].strip()
        if current and len(current) + 1 + len(sentence) > MAX_PASSAGE_CHARS:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        pieces.append(current)
    return pieces
