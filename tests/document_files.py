"""Files for the Toolbox's tests, good and bad, made on the spot (small and fast)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from tools.make_demo_documents import write_docx, write_odt, write_pdf

DEMO_DOCUMENTS = Path(__file__).resolve().parent.parent / "matcher" / "data" / "documents"

LED_TEXT = (
    "Leistungsbeschreibung LED-Straßenbeleuchtung\n\n"
    "Die Gemeinde vergibt die Umrüstung der Straßenbeleuchtung auf LED-Leuchten mit Dimmung. "
    "In der Nacht wird die Beleuchtung abgesenkt, um Strom zu sparen.\n\n"
    "Der Auftragnehmer liefert die Leuchten, montiert sie und übernimmt die Wartung für zehn "
    "Jahre."
)

FIELDS = {"kind": "leistungsbeschreibung", "title": "LED-Ausschreibung", "licence": "cc-by-4.0"}


def pdf(text: str = LED_TEXT) -> bytes:
    return write_pdf(text, "Test")


def docx(text: str = LED_TEXT) -> bytes:
    return write_docx(text, "Test")


def odt(text: str = LED_TEXT) -> bytes:
    return write_odt(text, "Test")


def txt(text: str = LED_TEXT) -> bytes:
    return text.encode("utf-8")


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf())))
    writer.encrypt("geheim", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blank_pdf() -> bytes:
    """A PDF without text (as a scan without text recognition)."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A DOCX-shaped zip whose document is 3 MB of zeros packed into 3 kB (1000:1)."""
    return zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\0" * (3 * 2**20)})


def exe() -> bytes:
    """The start of a Windows program."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(range(256)) * 4


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
