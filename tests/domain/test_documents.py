"""The Toolbox's records: the fields an uploader gives, licences, file names, passages."""

from __future__ import annotations

import pytest

from matcher.domain.documents import (
    LICENCES,
    MAX_PASSAGE_CHARS,
    MAX_PASSAGES,
    DocumentMeta,
    document_id,
    megabytes,
    safe_filename,
    split_passages,
)
from matcher.domain.errors import ValidationError

GOOD = {"kind": "konzept", "title": "Ein Konzept", "licence": "cc-by-4.0"}


def problems(fields: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        DocumentMeta.of(fields)
    return dict(caught.value.problems)


def test_a_licence_is_required_and_from_the_list():
    assert "Lizenz fehlt" in problems({**GOOD, "licence": None})["licence"]
    assert "Lizenz fehlt" in problems({k: v for k, v in GOOD.items() if k != "licence"})["licence"]
    unknown = problems({**GOOD, "licence": "alle Rechte vorbehalten"})["licence"]
    assert "unbekannte Lizenz" in unknown and "CC BY 4.0" in unknown


def test_a_licence_may_be_named_by_its_label():
    assert DocumentMeta.of({**GOOD, "licence": "CC0 1.0"}).licence == "cc0-1.0"
    named = DocumentMeta.of({**GOOD, "licence": "Datenlizenz Deutschland – Namensnennung 2.0"})
    assert named.licence == "dl-de-by-2.0"
    assert DocumentMeta.of({**GOOD, "licence": "nur zur Ansicht"}).licence == "nur-ansicht"


def test_only_view_means_not_reusable():
    assert [k for k, info in LICENCES.items() if not info.reusable] == ["nur-ansicht"]


def test_fields_are_checked_by_name():
    found = problems(
        {
            "kind": "roman",
            "title": "",
            "licence": "cc0-1.0",
            "source_url": "http://example.org/x",
            "language": "deutsch",
        }
    )
    assert set(found) == {"kind", "title", "source_url", "language"}
    assert "https" in found["source_url"]
    assert problems({**GOOD, "secret": "x"}) == {"secret": "unbekanntes Feld"}
    assert problems({**GOOD, "title": "zwei\nZeilen"})["title"].startswith("ungültig")


def test_source_code_links_are_https_only():
    ok = DocumentMeta.of({**GOOD, "source_url": "https://gitlab.opencode.de/x/y"})
    assert ok.source_url == "https://gitlab.opencode.de/x/y"
    for bad in ("javascript:alert(1)", "https://", "ftp://x.de/y", "https://x.de/a b"):
        assert "source_url" in problems({**GOOD, "source_url": bad})


def test_file_names_are_safe():
    assert safe_filename('Straßen-Übersicht: Ä/Ö "quoted"\r\n', "pdf") == (
        "Strassen-Uebersicht-Ae-Oe-quoted.pdf"
    )
    assert safe_filename("../../etc/passwd", "txt") == "etc-passwd.txt"
    assert safe_filename("„…“", "odt") == "dokument.odt"
    assert len(safe_filename("x" * 500, "docx")) == 80 + len(".docx")


def test_the_same_file_on_the_same_project_is_the_same_document():
    assert document_id("p", "abc") == document_id("p", "abc")
    assert document_id("p", "abc") != document_id("q", "abc")


def test_passages_join_wrapped_lines_and_headings_and_split_long_paragraphs():
    wrapped = (
        "1. Gegenstand\n"
        "Die Gemeinde vergibt die Umrüstung der Straßenbeleuchtung auf LED-Leuchten mit einer\n"
        "Dimmung in der Nacht. Der Auftragnehmer montiert die Leuchten.\n"
        "\n"
        "2. Wartung\n" + "Der Auftragnehmer wartet die Leuchten zehn Jahre lang. " * 30
    )
    found = split_passages(wrapped)
    assert found[0].startswith("1. Gegenstand Die Gemeinde")
    assert "mit einer Dimmung in der Nacht." in found[0]
    assert found[1].startswith("2. Wartung Der Auftragnehmer")
    assert len(found) > 3 and all(len(p) <= MAX_PASSAGE_CHARS for p in found)


def test_passages_are_bounded():
    text = "\n".join(
        f"Absatz {i} hat einen ganzen Satz, der lang genug ist, um zu zählen." for i in range(2000)
    )
    assert len(split_passages(text)) == MAX_PASSAGES
    assert split_passages("   \n\n ") == []


def test_sizes_in_words():
    assert megabytes(8 * 2**20) == "8 MB"
    assert megabytes(3 * 2**19) == "1,5 MB"
    assert megabytes(48 * 1024) == "48 kB"
