"""Cells of the CSV files the service hands out (lead lists, group sheets, invitation lists):
a value a spreadsheet would run as a formula is written as text.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel
and LibreOffice (CSV injection, OWASP). They also read the compatibility forms that NFKC maps
to those characters: full-width (＝＋－＠), small (﹦﹢﹣﹫), super- and subscript forms; the
minus sign (U+2212) has no such mapping and is named itself.
"""

from __future__ import annotations

import unicodedata

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\u2212")


def safe_cell(value: object) -> str:
    """The value as a CSV cell, prefixed with `'` when a spreadsheet would run it."""
    text = "" if value is None else str(value)
    first = unicodedata.normalize("NFKC", text[:1])
    return "'" + text if first.startswith(FORMULA_START) else text
