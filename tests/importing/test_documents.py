"""Reading uploads: the text of each format, and each kind of bad file refused by name."""

from __future__ import annotations

import pytest

from matcher.domain.errors import ValidationError
from matcher.importing.documents import MAX_ZIP_MEMBERS, read_document
from tests import document_files as files

LIMIT = 2**20


@pytest.mark.parametrize(
    ("make", "name", "file_type"),
    [
        (files.pdf, "a.pdf", "pdf"),
        (files.docx, "a.docx", "docx"),
        (files.odt, "a.odt", "odt"),
        (files.txt, "a.txt", "txt"),
        (files.txt, "", "txt"),  # no name: the content decides
    ],
)
def test_each_format_gives_its_text(make, name, file_type):
    found = read_document(make(), name, LIMIT)
    assert found.file_type == file_type
    assert "Umrüstung der Straßenbeleuchtung auf LED-Leuchten" in " ".join(found.text.split())
    assert "zehn Jahre" in found.text


def test_the_shipped_demo_documents_are_read():
    names = sorted(p.name for p in files.DEMO_DOCUMENTS.iterdir() if p.suffix != ".jsonl")
    types = set()
    for name in names:
        found = read_document((files.DEMO_DOCUMENTS / name).read_bytes(), name, LIMIT)
        types.add(found.file_type)
        assert len(found.text) > 500, name
    assert types == {"pdf", "docx", "odt", "txt"}


def refusal(data: bytes, name: str, limit: int = LIMIT) -> str:
    with pytest.raises(ValidationError) as caught:
        read_document(data, name, limit)
    assert [field for field, _ in caught.value.problems] == ["file"]
    return caught.value.problems[0][1]


def test_too_big():
    assert "größer als 1 MB" in refusal(b"a" * (LIMIT + 1), "a.txt")
    assert "größer als 48 kB" in refusal(b"a" * (48 * 1024 + 1), "a.txt", 48 * 1024)


@pytest.mark.parametrize(
    ("data", "name", "said"),
    [
        (files.exe(), "bericht.pdf", "getarnte Datei"),
        (files.HTML, "vorlage.pdf", "getarnte Datei"),
        (files.HTML, "vorlage.docx", "getarnte Datei"),
        (files.pdf(), "vorlage.docx", "Inhalt ist aber PDF (getarnte Datei)"),
        (files.docx(), "vorlage.txt", "Inhalt ist aber DOCX (getarnte Datei)"),
        (files.HTML, "vorlage.txt", "HTML oder XML ist kein Dokument"),
        (files.HTML, "", "HTML oder XML ist kein Dokument"),
        (files.exe(), "setup.exe", "Dateiendung .exe nicht erlaubt"),
        (files.exe(), "", "nicht in UTF-8"),
        ("Straßenbeleuchtung".encode("latin-1"), "a.txt", "nicht in UTF-8"),
        (b"Text\x00mit Nullbyte", "a.txt", "Binärdaten"),
        (files.zip_of({"a.csv": b"1;2"}), "", "kein Textdokument"),
    ],
)
def test_wrong_or_disguised_types(data, name, said):
    assert said in refusal(data, name)


def test_encrypted_pdf():
    assert "verschlüsseltes PDF" in refusal(files.encrypted_pdf(), "a.pdf")


def test_encrypted_zip_member():
    data = bytearray(files.docx())
    # Set the "encrypted" flag of the first member in its local and central headers.
    for at in (0, data.find(b"PK\x01\x02")):
        flag_at = at + (6 if at == 0 else 8)
        data[flag_at] |= 0x1
    assert "verschlüsselte Datei" in refusal(bytes(data), "a.docx")


@pytest.mark.parametrize(
    ("data", "name", "said"),
    [
        (files.pdf()[:600], "a.pdf", "beschädigte PDF-Datei"),
        (b"%PDF-1.7\n" + b"\x00kaputt" * 50, "a.pdf", "beschädigte PDF-Datei"),
        (files.docx()[:5000], "a.docx", "beschädigte Datei"),
        (
            files.zip_of({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<kein xml"}),
            "a.docx",
            "beschädigte DOCX-Datei",
        ),
        (
            files.zip_of(
                {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<"}
            ),
            "a.odt",
            "beschädigte ODT-Datei",
        ),
    ],
)
def test_malformed_files(data, name, said):
    assert said in refusal(data, name)


def test_zip_bombs_are_refused_before_decompressing():
    assert "Zip-Bombe" in refusal(files.zip_bomb(), "a.docx")
    many = files.zip_of({f"x/{i}": b"" for i in range(MAX_ZIP_MEMBERS + 1)})
    assert "zu viele Teile" in refusal(many, "a.docx")


@pytest.mark.parametrize(
    ("data", "name"), [(files.blank_pdf(), "scan.pdf"), (b"12 34\n\n56", "a.txt"), (b"", "a.txt")]
)
def test_no_text(data, name):
    assert refusal(data, name) in (
        "die Datei ist leer",
        "kein Text gefunden (ein eingescanntes PDF ohne Texterkennung wird nicht angenommen)",
    )
