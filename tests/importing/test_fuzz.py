"""Property-based fuzzing (hypothesis) of the importer and the German text analysis: any input
gives items or one clear ValidationError, never another exception; a rejected file changes
nothing in the store or the index; a spreadsheet saved as CSV by Excel (Windows-1252, `;`, CRLF,
no BOM) reads back field for field."""

import csv
import io
import json
import re
import unicodedata

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from matcher.domain.errors import ValidationError
from matcher.domain.schema import ID_PATTERN, KINDS, WITH_PRIVATE, Category
from matcher.importing.reader import parse_bytes
from matcher.ranking.analysis import GermanAnalyzer

ANALYZER = GermanAnalyzer()
NASTY = st.sampled_from(
    [
        "",
        " ",
        "\ufeff",
        "\x00",
        "\u202e",
        "🚦💡",
        "'; DROP TABLE projects; --",
        "<script>x</script>",
        "Straßenbeleuchtung",
        "a" * 300,
        "\r\n",
        '"',
        ";",
        ",",
        "\t",
        "ß" * 50,
        "\udcff",
    ]
)
TEXT = st.one_of(st.text(max_size=200), NASTY)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(KINDS),
    data=st.binary(max_size=600),
    name=st.sampled_from(["f.csv", "f.jsonl", "f.txt", ""]),
)
def test_any_bytes_give_items_or_a_validation_error(kind, data, name):
    try:
        parsed = parse_bytes(kind, data, name)
    except ValidationError as exc:
        assert str(exc)
    else:
        assert len(parsed.items) == len(parsed.lines)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(KINDS),
    rows=st.lists(
        st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "title",
                    "name",
                    "municipality",
                    "provider",
                    "categories",
                    "year",
                    "population",
                    "status",
                    "date",
                    "x",
                ]
            ),
            st.one_of(
                TEXT,
                st.integers(-(10**12), 10**12),
                st.floats(allow_nan=True),
                st.none(),
                st.lists(TEXT, max_size=3),
                st.booleans(),
            ),
        ),
        max_size=6,
    ),
)
def test_any_jsonl_rows_give_items_or_a_validation_error(kind, rows):
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode(
        "utf-8", "surrogatepass"
    )
    try:
        parse_bytes(kind, data, "f.jsonl")
    except ValidationError as exc:
        assert exc.problems or str(exc)


@settings(max_examples=500, deadline=None)
@given(text=TEXT)
def test_analysis_never_fails(text):
    terms = ANALYZER.terms(text)
    assert all(isinstance(t, str) and t for t in terms)
    assert all(isinstance(w, str) for w in ANALYZER.words(text))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "id": st.one_of(st.from_regex(r"[a-z]{1,8}", fullmatch=True), NASTY),
                "title": TEXT,
                "municipalities": st.lists(
                    st.sampled_from(["mossautal", "kassel", "Atlantis", ""]), max_size=2
                ),
            }
        ),
        min_size=1,
        max_size=5,
    )
)
def test_a_rejected_import_changes_nothing(service, rows):
    before = (
        service.store.ids("projects"),
        service.store.last_change(),
        sorted(service.indexes.vectors["projects"].ids),
    )
    # Lone surrogates become invalid UTF-8 on purpose: the reader must cope with that too.
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode(
        "utf-8", "surrogatepass"
    )
    try:
        service.import_bytes("projects", data, "f.jsonl")
    except ValidationError:
        after = (
            service.store.ids("projects"),
            service.store.last_change(),
            sorted(service.indexes.vectors["projects"].ids),
        )
        assert after == before
    else:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return  # read as Windows-1252: the ids differ from the generated ones
        ids = {r["id"].strip() for r in rows}
        assert ids <= service.store.ids("projects")
        assert ids <= set(service.indexes.vectors["projects"].ids)


# -- Excel exports: "CSV (Trennzeichen-getrennt)" on a German Windows ----------------------------

EXCEL_COLUMNS = (
    "id",
    "title",
    "description",
    "categories",
    "municipalities",
    "year",
    "status",
    "funding",
    "contact",
)
CP1252_CHAR = st.characters(codec="cp1252", exclude_categories=("Cc", "Cs"))
GERMAN_WORDS = st.sampled_from(
    [
        "Straßenbeleuchtung",
        "Bürgerbüro",
        "Fördermittel: 5.000 €",
        "Größe",
        "Übergänge",
        "Öffnungszeiten",
        "Äcker",
        "„Dorfladen“",
        "Müll; Abfall",
        'Er sagte "ja"',
        "Café",
        "– § 3 –",
        "50 % gefördert",
    ]
)


def _cell(max_size: int, newlines: bool = False) -> st.SearchStrategy[str]:
    """What people type into a cell: German words, any Windows-1252 text, or both."""
    alphabet = st.one_of(CP1252_CHAR, st.just("\n")) if newlines else CP1252_CHAR
    chars = st.text(alphabet, max_size=max_size)
    words = st.lists(GERMAN_WORDS, max_size=6).map(" ".join)
    return st.one_of(words, chars, st.tuples(words, chars).map("".join))


# Ids of the id alphabet (schema.ItemId), in Windows-1252 like everything else of the file.
EXCEL_ID = st.text(st.sampled_from("abmxzäöüß0179-_."), min_size=1, max_size=20).filter(
    lambda s: re.fullmatch(ID_PATTERN, s) is not None
)


def _reference(name: str) -> bool:
    """True for what may name a town (schema.Reference): empty (dropped), or not only dots and
    without format characters (a soft hyphen is one)."""
    name = name.strip()
    return not name or (
        bool(name.strip(".")) and all(unicodedata.category(c) != "Cf" for c in name)
    )


EXCEL_ROW = st.fixed_dictionaries(
    {
        "id": EXCEL_ID,
        "title": _cell(100).filter(lambda s: s.strip()),
        "description": _cell(300, newlines=True),
        "categories": st.lists(st.sampled_from([c.value for c in Category]), max_size=3),
        "municipalities": st.lists(
            _cell(30).filter(lambda s: ";" not in s and _reference(s)), max_size=3
        ),
        "year": st.one_of(st.none(), st.integers(1990, 2100)),
        "status": st.sampled_from(["", "geplant", "laufend", "abgeschlossen"]),
        "funding": _cell(60),
        "contact": _cell(60),
    }
)


def _excel_csv(rows: list[dict]) -> bytes:
    """The rows as Excel writes them: `;` between cells, CRLF after rows, quotes only where
    needed (doubled inside), list cells joined by `;`, Windows-1252 without a BOM."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(EXCEL_COLUMNS)
    for row in rows:
        cells = [row[c] for c in EXCEL_COLUMNS]
        writer.writerow(
            [";".join(v) if isinstance(v, list) else "" if v is None else v for v in cells]
        )
    return out.getvalue().encode("cp1252")


def _reads_as_written(data: bytes) -> bool:
    """False for the rare Windows-1252 file that is also valid UTF-8 with another meaning
    (e.g. "ß€", bytes DF 80): it is read as UTF-8 by design, and no German text looks like that."""
    try:
        return data.decode("utf-8") == data.decode("cp1252")
    except UnicodeDecodeError:
        return True


def _expected(row: dict) -> dict:
    """What the importer should make of a row: cells trimmed, empty list entries dropped."""
    names = [n.strip() for n in row["municipalities"] if n.strip()]
    return {
        "id": row["id"].strip(),
        "title": row["title"].strip(),
        "description": row["description"].strip(),
        "categories": list(dict.fromkeys(row["categories"])),
        "municipalities": list(dict.fromkeys(names)),
        "year": row["year"],
        "status": row["status"] or None,
        "funding": row["funding"].strip(),
        "contact": row["contact"].strip(),
    }


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(EXCEL_ROW, min_size=1, max_size=4, unique_by=lambda r: r["id"].strip()))
def test_an_excel_export_in_windows_1252_reads_back_field_for_field(rows):
    data = _excel_csv(rows)
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    assume(_reads_as_written(data))
    parsed = parse_bytes("projects", data, "export.csv")
    fields = set(EXCEL_COLUMNS)
    dumped = [
        item.model_dump(mode="json", include=fields, context=WITH_PRIVATE) for item in parsed.items
    ]
    assert dumped == [_expected(r) for r in rows]
    assert parsed.warnings == []


TOWNS = {"mossautal": "mossautal", "Mossautal": "mossautal", "Erbach (Odenwald)": "erbach"}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(EXCEL_ROW, min_size=1, max_size=3, unique_by=lambda r: r["id"].strip()),
    towns=st.lists(st.sampled_from(sorted(TOWNS)), max_size=2),
)
def test_an_excel_export_round_trips_through_the_store(service, rows, towns):
    rows = [{**r, "municipalities": towns} for r in rows]
    data = _excel_csv(rows)
    assume(_reads_as_written(data))
    service.import_bytes("projects", data, "export.csv")
    for row in rows:
        want = _expected(row)
        want["municipalities"] = list(dict.fromkeys(TOWNS[n] for n in towns))
        stored = service.store.get("projects", want["id"]).model_dump(
            mode="json", context=WITH_PRIVATE
        )
        assert {k: stored[k] for k in want} == want
        assert want["id"] in service.indexes.vectors["projects"].ids
