"""Names of places as people write them: normalised for comparison, and readable ids."""

from __future__ import annotations

import re


def normalize_name(name: str) -> str:
    """'Erbach (Odenwald)' and 'Erbach, Kreisstadt' → 'erbach'."""
    name = name.split(",")[0]
    name = re.sub(r"\(.*?\)", "", name)
    return re.sub(r"\s+", " ", name).strip().lower()


def slug(name: str) -> str:
    """A readable id from a name: 'Groß-Umstadt' → 'gross-umstadt'."""
    s = name.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        s = s.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")
