"""Names of places as people write them: folded for comparison, parsed into the name proper,
its qualifiers and the kind of actor the words say, and readable ids.

"Bad Homburg v.d. Höhe", "Bad Homburg v. d. Höhe, Stadt" and "Stadt Bad Homburg vor der Höhe"
are one name; "Landkreis Darmstadt-Dieburg", "Kreis Darmstadt-Dieburg" and "LK Darmstadt
Dieburg" name one district; "Muenster" is "Münster". Both sides of a comparison go through
`parse_place`, so a catalog name and a name in an import row meet when people would say they
are the same.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Hint = Literal["gemeinde", "kreis", "verband"]

# Parsed names kept: every actor of the official directory (about 12,500) with room to spare,
# so that rebuilding the name index after a write parses only what changed.
PARSED_NAMES_KEPT = 32_768

_UMLAUTS = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"))
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")

# Abbreviations in official and everyday names, after folding and with a space after each dot.
_ABBREVIATIONS = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"\bv\. d\. ", "vor der "),
        (r"\ba\. d\. ", "an der "),
        (r"\bi\. d\. ", "in der "),
        (r"\bo\. d\. ", "ob der "),
        (r"\ba\. m\.(?= |$)", "am main"),
        (r"\ba\. ", "am "),
        (r"\bi\. ", "im "),
        (r"\bb\. ", "bei "),
        (r"\bst\. ", "sankt "),
        (r"\bodw\.", "odenwald"),
        (r"\bopf\.", "oberpfalz"),
        (r"\bwestf\.", "westfalen"),
        (r"\berzgeb\.", "erzgebirge"),
        (r"\bvogtl\.", "vogtland"),
    )
)
# Words before a name that only say it is a municipality and of what standing ("Stadt Lich",
# "Universitätsstadt Gießen", "Kreisstadt Erbach"): dropped, longest first.
_GEMEINDE_PREFIXES = (
    "freie und hansestadt",
    "grosse kreisstadt",
    "kreis- und universitaetsstadt",
    "universitaetsstadt",
    "wissenschaftsstadt",
    "landeshauptstadt",
    "hochschulstadt",
    "marktgemeinde",
    "kreisstadt",
    "hansestadt",
    "kurstadt",
    "flecken",
    "kurort",
    "gemeinde",
    "markt",
    "stadt",
)
_KREIS_PREFIXES = (
    "landkreis",
    "landkr",
    "kreis",
    "lkrs",
    "lkr",
    "lk",
    "kr",
    "regionalverband",
)
_VERBAND_PREFIXES = (
    "interkommunale zusammenarbeit",
    "gemeindeverwaltungsverband",
    "verwaltungsgemeinschaft",
    "kirchspielslandgemeinde",
    "verwaltungsverband",
    "verbandsgemeinde",
    "gemeindeverband",
    "planungsverband",
    "samtgemeinde",
    "zweckverband",
    "vgem",
    "amt",
    "gvv",
    "ikz",
    "vvg",
    "vg",
    "zv",
)
# What follows a comma in an official name: its kind, else its status ("Erbach, Kreisstadt").
_KREIS_SUFFIXES = {"landkreis", "kreis"}
# A name followed by one of these words and more is a place with a qualifier ("Frankfurt am
# Main", "Neustadt an der Weinstraße"): the qualifier tells same-named places apart.
_CONNECTORS = re.compile(
    r"^(?P<name>.+?) (?:am|an der|an|in der|im|in|vor der|ob der|bei|unter|auf der) (?P<q>.+)$"
)


def fold(text: str) -> str:
    """Lower case, umlauts as ae/oe/ue, ß as ss, other accents dropped, one kind of dash and
    one space: 'Groß-Umstadt' → 'gross-umstadt', 'Muenster' and 'Münster' → 'muenster'."""
    s = unicodedata.normalize("NFC", text).lower()
    for a, b in _UMLAUTS:
        s = s.replace(a, b)
    if not s.isascii():
        s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
        s = _DASHES.sub("-", s)
    return " ".join(s.split())


def _expand(s: str) -> str:
    if "." in s:
        s = re.sub(r"\.\s*", ". ", s).strip()
        for pattern, repl in _ABBREVIATIONS:
            s = pattern.sub(repl, s)
        s = s.replace(".", " ")
    s = re.sub(r"\s*-\s*", "-", s)
    return re.sub(r"\s+", " ", s).strip()


def compact(text: str) -> str:
    """The comparison form of folded words: no spaces or hyphens ('gross umstadt' and
    'gross-umstadt' → 'grossumstadt')."""
    return re.sub(r"[\s\-']", "", text)


def _strip_prefix(s: str, prefixes: tuple[str, ...]) -> tuple[str, bool]:
    for prefix in prefixes:
        if s.startswith(prefix + " ") and len(s) > len(prefix) + 1:
            return s[len(prefix) + 1 :], True
    return s, False


def _kreis_stem(s: str) -> str | None:
    """'main-kinzig-kreis' → 'main-kinzig', 'odenwaldkreis' → 'odenwald'; None if the name does
    not end in 'kreis' (or is nothing but the word)."""
    if not s.endswith("kreis"):
        return None
    stem = s[: -len("kreis")].rstrip(" -")
    return stem or None


@dataclass(frozen=True)
class PlaceName:
    """A place's name taken apart.

    `full` is the name without status words, kind words and bracketed qualifiers ('frankfurt
    am main'); `base` is also without a trailing qualifier ('frankfurt'); `qualifiers` are the
    folded words that tell same-named places apart ('main', 'hessen', 'odenwald'); `hint` is
    the kind of actor the words say (None: they say nothing); `literal` is the whole folded
    name (for names such as 'Amt Neuhaus' whose kind word is part of the name). Keys are in
    compact form.
    """

    full: str
    base: str
    qualifiers: frozenset[str]
    hint: Hint | None
    literal: str


@lru_cache(maxsize=PARSED_NAMES_KEPT)
def parse_place(name: str) -> PlaceName:
    """Take a place name apart as people write it (see `PlaceName`)."""
    s = _expand(fold(name))
    qualifiers: set[str] = set()
    hint: Hint | None = None
    head, _, tail = s.partition(",")
    literal = compact(re.sub(r"[()]", "", head))
    tail = tail.strip()
    if tail in _KREIS_SUFFIXES:
        hint = "kreis"
    elif tail:  # "Stadt", "Kreisstadt", "kreisfreie Stadt", "GKSt", …: a municipality
        hint = "gemeinde"
    s = head.strip()
    for inner in re.findall(r"\((.*?)\)", s):
        qualifiers.update(_words(inner))
    s = re.sub(r"\(.*?\)", " ", s)
    s = re.sub(r"\s+", " ", s).strip()
    if "/" in s:
        s, _, rest = s.partition("/")
        qualifiers.update(_words(rest))
        s = s.strip()
    s, is_gemeinde = _strip_prefix(s, _GEMEINDE_PREFIXES)
    if is_gemeinde:
        hint = hint or "gemeinde"
    s, is_kreis = _strip_prefix(s, _KREIS_PREFIXES)
    if not is_kreis and (stem := _kreis_stem(s)) is not None:
        s, is_kreis = stem, True
    s, is_verband = _strip_prefix(s, _VERBAND_PREFIXES) if not is_kreis else (s, False)
    if is_kreis:
        hint = "kreis"
    elif is_verband:
        hint = "verband"
    full = s
    base = s
    if match := _CONNECTORS.match(s):
        base = match["name"]
        qualifiers.update(_words(match["q"]))
    return PlaceName(compact(full), compact(base), frozenset(qualifiers), hint, literal)


def _words(text: str) -> set[str]:
    return {compact(w) for w in re.split(r"[\s/,]+", fold(text)) if len(w) > 1}


def place_words(text: str) -> frozenset[str]:
    """Comparison keys a place label stands for: its base key and its full key
    ('Landkreis Darmstadt-Dieburg' → {'darmstadtdieburg'}, 'Hessen' → {'hessen'})."""
    if not text.strip():
        return frozenset()
    parsed = parse_place(text)
    return frozenset(k for k in (parsed.base, parsed.full) if k)


def normalize_name(name: str) -> str:
    """The key a name is compared by: 'Erbach (Odenwald)', 'Erbach, Kreisstadt' and 'Stadt
    Erbach' → 'erbach'; 'Frankfurt a.M.' → 'frankfurt'."""
    return parse_place(name).base


def slug(name: str) -> str:
    """A readable id from a name: 'Groß-Umstadt' → 'gross-umstadt'."""
    s = name.lower()
    for a, b in _UMLAUTS:
        s = s.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")
