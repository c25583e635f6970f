"""Import files → validated schema models, or one error listing every bad row.

A file with any bad row is rejected whole: the caller gets either all items or none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError as PydanticValidationError

from matcher.domain.actors import PlaceContext
from matcher.domain.errors import ValidationError
from matcher.domain.schema import LIST_FIELDS, Entity, model_for
from matcher.importing import destatis
from matcher.importing.tabular import csv_rows, decode, is_jsonl, jsonl_rows, read_bytes

# Columns of project and need rows that say where the named actors are: not stored, used to
# tell same-named places apart ("Münster" with Land "Hessen").
CONTEXT_COLUMNS = {
    "district": "district",
    "kreis": "district",
    "landkreis": "district",
    "region": "region",
    "regierungsbezirk": "region",
    "land": "land",
    "bundesland": "land",
}
_CONTEXT_KINDS = ("projects", "needs")


@dataclass
class ParsedFile:
    """Items of one file with the line each came from, the place context of each row (its
    district, region and Land columns; empty where it has none) and warnings (e.g. ignored
    columns)."""

    kind: str
    items: list[Entity] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    contexts: list[PlaceContext] = field(default_factory=list)

    def place_contexts(self) -> list[PlaceContext]:
        """A context for every item (an empty one where the file gave none)."""
        if len(self.contexts) == len(self.items):
            return self.contexts
        return [PlaceContext() for _ in self.items]


def _context(kind: str, data: dict) -> PlaceContext:
    """The row's place columns (taken out of `data`)."""
    if kind not in _CONTEXT_KINDS:
        return PlaceContext()
    found: dict[str, str] = {}
    for key in [k for k in data if str(k).strip().lower() in CONTEXT_COLUMNS]:
        value = data.pop(key)
        if isinstance(value, str) and value.strip():
            found.setdefault(CONTEXT_COLUMNS[str(key).strip().lower()], value.strip()[:300])
    return PlaceContext(
        district=found.get("district", ""),
        region=found.get("region", ""),
        land=found.get("land", ""),
    )


def _from_csv_cell(kind: str, row: dict) -> dict:
    """CSV cells are strings: split list fields on ';', drop empty optional cells."""
    out: dict = {}
    for key, value in row.items():
        value = value.strip() if isinstance(value, str) else value
        if key in LIST_FIELDS[kind]:
            out[key] = [v.strip() for v in value.split(";") if v.strip()] if value else []
        elif value != "":
            out[key] = value
    return out


def _problem_text(exc: PydanticValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in exc.errors()]


def parse_rows(kind: str, rows: list[tuple[int, dict]], from_csv: bool) -> ParsedFile:
    """Validate rows as items of `kind`; raise ValidationError listing every bad row."""
    model = model_for(kind)
    known = set(model.model_fields)
    parsed = ParsedFile(kind)
    unknown: dict[str, int] = {}
    problems: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        data = _from_csv_cell(kind, row) if from_csv else dict(row)
        context = _context(kind, data)
        for key in [k for k in data if k not in known]:
            unknown.setdefault(str(key), line)
            del data[key]
        try:
            item = model.model_validate(data)
        except PydanticValidationError as exc:
            problems.extend((f"line {line}", msg) for msg in _problem_text(exc))
            continue
        if item.id in seen:
            problems.append((f"line {line}", f"id {item.id!r} repeats line {seen[item.id]}"))
            continue
        seen[item.id] = line
        parsed.items.append(item)
        parsed.lines.append(line)
        parsed.contexts.append(context)
    if problems:
        raise ValidationError(f"{kind}: the file has invalid rows; nothing was imported", problems)
    for key, line in unknown.items():
        parsed.warnings.append(f"unknown column {key!r} ignored (first seen on line {line})")
    return parsed


def parse_bytes(kind: str, data: bytes, name: str = "") -> ParsedFile:
    """Parse an import file's content (CSV or JSONL, or a Destatis directory for municipalities)."""
    text = decode(data)
    if is_jsonl(text, name):
        return parse_rows(kind, jsonl_rows(text), from_csv=False)
    rows = csv_rows(text)
    if kind == "municipalities" and rows and destatis.detect(rows[0][1]):
        parsed = ParsedFile(kind)
        parsed.items.extend(destatis.municipalities(rows))
        parsed.lines = [0] * len(parsed.items)
        return parsed
    return parse_rows(kind, rows, from_csv=True)


def parse_file(kind: str, path: str | Path) -> ParsedFile:
    """Parse an import file from disk."""
    path = Path(path)
    return parse_bytes(kind, read_bytes(path), path.name.lower())
