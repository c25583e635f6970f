"""Rows out of CSV and JSONL files, with their line numbers, whatever the spreadsheet did.

Handles UTF-8 with or without BOM, Windows-1252 (Excel exports), and `,` `;` or tab as separator.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from matcher.domain.errors import ValidationError

Row = tuple[int, dict]
MAX_FILE_BYTES = 200 * 1024 * 1024


def decode(data: bytes) -> str:
    """Text of a file: UTF-8 (BOM stripped), else Windows-1252."""
    if b"\x00" in data[:4096]:
        raise ValidationError("file looks binary (NUL bytes); expected CSV or JSONL text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_bytes(path: Path) -> bytes:
    """The file's bytes; ValidationError if it is missing or too large."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ValidationError(f"{path}: file too large ({size} bytes)")
        return path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror}") from None


def is_jsonl(text: str, name: str = "") -> bool:
    """JSON Lines if the name says so or the first non-blank character opens an object."""
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return True
    if name.endswith((".csv", ".tsv", ".txt")):
        return False
    return text.lstrip()[:1] == "{"


def jsonl_rows(text: str) -> list[Row]:
    """One object per non-blank line; ValidationError naming every bad line."""
    rows: list[Row] = []
    problems: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append((f"line {number}", f"invalid JSON: {exc.msg}"))
            continue
        if not isinstance(value, dict):
            problems.append((f"line {number}", "expected a JSON object"))
            continue
        rows.append((number, value))
    if problems:
        raise ValidationError("the file has invalid lines; nothing was imported", problems)
    return rows


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    """The separator sniffed from the header line; quoting as every spreadsheet writes it."""
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel
    # An unquoted header says nothing about quoting, and the sniffer then turns off doubled
    # quotes; Excel (RFC 4180) writes a quote inside a cell as "", so "a ""b""" must read as a "b".
    dialect.quotechar, dialect.doublequote = '"', True
    return dialect


def csv_rows(text: str) -> list[Row]:
    """Rows as dicts keyed by the header, with the line each row starts on."""
    if not text.strip():
        return []
    header_line = text.splitlines()[0] if text.splitlines() else ""
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_dialect(header_line), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise ValidationError(f"cannot read the CSV header: {exc}") from None
    if len(set(header)) != len(header) or any(not h for h in header):
        raise ValidationError(
            "the CSV header has empty or repeated column names", [("line 1", ",".join(header))]
        )
    rows: list[Row] = []
    problems: list[tuple[str, str]] = []
    try:
        line = reader.line_num + 1
        for values in reader:
            if any(v.strip() for v in values):
                if len(values) != len(header):
                    problems.append(
                        (f"line {line}", f"{len(values)} fields, the header has {len(header)}")
                    )
                else:
                    rows.append((line, dict(zip(header, values, strict=True))))
            line = reader.line_num + 1
    except csv.Error as exc:
        problems.append((f"line {reader.line_num}", f"broken CSV: {exc}"))
    if problems:
        raise ValidationError("the file has invalid lines; nothing was imported", problems)
    return rows
