"""Reading an uploaded document: what it really is, whether it is safe to open, and its text.

The type is decided by the content (magic bytes, the zip's members), never by the file name or
a declared content type; a name whose extension says otherwise is refused as disguised.
PDF is read with pypdf, DOCX with python-docx, ODT with odfpy, plain text as UTF-8. Refused,
each with a German `ValidationError` on the field `file` (nothing is stored by the caller):
too large, empty, an unknown or disguised type, HTML, an encrypted PDF or zip, a malformed
file, a zip bomb (members, total and ratio checked from the zip's directory before anything is
decompressed; reading a member never yields more than its declared size), no text.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from matcher.domain.documents import EXTENSIONS, FILE_TYPE_LABELS, megabytes
from matcher.domain.errors import ValidationError

log = logging.getLogger(__name__)

# A DOCX or ODT has a few dozen members; thousands are a bomb or not a text document.
MAX_ZIP_MEMBERS = 1000
# Uncompressed, a text document of a few MB stays far below this (images included).
MAX_UNCOMPRESSED_BYTES = 100 * 2**20
# XML compresses about 5–20 fold; a member compressed more than this is built to explode.
MAX_COMPRESSION_RATIO = 100
# Members smaller than this are never a danger, whatever their ratio (a 40 kB XML of spaces).
RATIO_CHECKED_ABOVE = 1 * 2**20
# Pages read of a PDF, and characters of text kept from any document (a 400-page tender text
# has about 1.2 million): beyond them the passages are not matched anyway (`MAX_PASSAGES`).
MAX_PDF_PAGES = 500
MAX_TEXT_CHARS = 1_000_000
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml")
# What a refusal says about the allowed types.
ALLOWED = "erlaubt sind PDF, ODT, DOCX und Text (UTF-8)"


@dataclass(frozen=True)
class Extracted:
    """A checked document: its type and its text."""

    file_type: str
    text: str


def refuse(message: str) -> ValidationError:
    return ValidationError(f"Datei abgelehnt: {message}", [("file", message)])


def read_document(data: bytes, filename: str, limit: int) -> Extracted:
    """The type and text of an upload, or a German ValidationError (field `file`)."""
    if len(data) > limit:
        raise refuse(f"größer als {megabytes(limit)}")
    if not data.strip():
        raise refuse("die Datei ist leer")
    suffix, claimed = _claimed(filename)
    file_type = sniff(data, suffix, claimed)
    if claimed is not None and claimed != file_type:
        raise refuse(
            f"der Dateiname endet auf {suffix}, der Inhalt ist aber "
            f"{FILE_TYPE_LABELS[file_type]} (getarnte Datei)"
        )
    text = _EXTRACT[file_type](data)
    text = text.strip()[:MAX_TEXT_CHARS]
    if not any(c.isalpha() for c in text):
        raise refuse(
            "kein Text gefunden (ein eingescanntes PDF ohne Texterkennung wird nicht angenommen)"
        )
    return Extracted(file_type, text)


def sniff(data: bytes, suffix: str = "", claimed: str | None = None) -> str:
    """The file type by content: 'pdf', 'docx', 'odt' or 'txt'; else refused. A file whose
    name claims an office type or PDF but whose content is not one is refused as disguised."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    if claimed not in (None, "txt"):
        raise refuse(
            f"der Dateiname endet auf {suffix}, der Inhalt ist aber kein "
            f"{FILE_TYPE_LABELS[str(claimed)]} (getarnte Datei)"
        )
    return _text_type(data)


def _claimed(filename: str) -> tuple[str, str | None]:
    """The name's extension and the type it claims (None without one); an extension of no
    accepted type is refused."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name.lower()
    suffix = "." + name.rsplit(".", 1)[1] if "." in name else ""
    if not suffix:
        return "", None
    for file_type, suffixes in EXTENSIONS.items():
        if suffix in suffixes:
            return suffix, file_type
    raise refuse(f"Dateiendung {suffix} nicht erlaubt; {ALLOWED}")


def _text_type(data: bytes) -> str:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].lower()
    if head.startswith(_HTML_STARTS):
        raise refuse(f"HTML oder XML ist kein Dokument; {ALLOWED}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse(f"unbekannter Dateityp oder Text nicht in UTF-8; {ALLOWED}") from None
    if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text[:100_000]):
        raise refuse(f"Binärdaten, kein Text; {ALLOWED}")
    return "txt"


def _zip_type(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise refuse("beschädigte Datei (kein lesbares ZIP/Office-Dokument)") from None
    _check_zip(infos, len(data))
    names = {i.filename for i in infos}
    if "word/document.xml" in names and "[Content_Types].xml" in names:
        return "docx"
    if "mimetype" in names and "content.xml" in names:
        with archive.open("mimetype") as member:
            if member.read(len(ODT_MIMETYPE) + 1).strip() == ODT_MIMETYPE:
                return "odt"
    raise refuse(f"ein ZIP-Archiv, aber kein Textdokument; {ALLOWED}")


def _check_zip(infos: list[zipfile.ZipInfo], packed: int) -> None:
    """Refuse a zip bomb or an encrypted zip from its directory, before decompressing."""
    if len(infos) > MAX_ZIP_MEMBERS:
        raise refuse(f"zu viele Teile im Archiv (mehr als {MAX_ZIP_MEMBERS}; Zip-Bombe?)")
    if any(i.flag_bits & 0x1 for i in infos):
        raise refuse("verschlüsselte Datei; bitte ohne Kennwort speichern")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise refuse(f"entpackt größer als {megabytes(MAX_UNCOMPRESSED_BYTES)} (Zip-Bombe?)")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECKED_ABOVE and ratio > MAX_COMPRESSION_RATIO:
            raise refuse(f"ungewöhnlich stark komprimiert ({ratio:.0f}:1; Zip-Bombe?)")
    if total > RATIO_CHECKED_ABOVE and total / max(packed, 1) > MAX_COMPRESSION_RATIO:
        raise refuse("ungewöhnlich stark komprimiert (Zip-Bombe?)")


def _malformed(file_type: str, exc: BaseException) -> ValidationError:
    log.info("refused a malformed %s: %r", file_type, exc)
    return refuse(f"beschädigte {FILE_TYPE_LABELS[file_type]}-Datei, sie lässt sich nicht lesen")


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise refuse("verschlüsseltes PDF; bitte ohne Kennwort und Schutz speichern")
        pages = reader.pages[:MAX_PDF_PAGES]
        return "\n\n".join(page.extract_text() or "" for page in pages)
    except ValidationError:
        raise
    # pypdf raises its own errors, and others (KeyError, ValueError, RecursionError …) on
    # broken structure: every one is a malformed upload, never a 500.
    except Exception as exc:
        raise _malformed("pdf", exc) from None


def _docx_text(data: bytes) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                parts.append(" | ".join(cell.text for cell in row.cells))
        return "\n".join(parts)
    except Exception as exc:  # lxml, zip and key errors: a malformed file
        raise _malformed("docx", exc) from None


def _odt_text(data: bytes) -> str:
    from odf import teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load

    try:
        document = load(io.BytesIO(data))
        wanted = ((TEXTNS, "p"), (TEXTNS, "h"))
        # Headings and paragraphs in document order (odfpy lists each element type apart).
        return "\n".join(
            teletype.extractText(node) for node in _walk(document.text) if node.qname in wanted
        )
    except Exception as exc:  # SAX, zip and key errors: a malformed file
        raise _malformed("odt", exc) from None


def _walk(node):  # type: ignore[no-untyped-def]  # odfpy's elements are untyped
    """The elements under `node` in document order, paragraphs not descended into."""
    stack = list(reversed(node.childNodes))
    while stack:
        child = stack.pop()
        if getattr(child, "qname", None) is None:
            continue
        yield child
        if child.qname[1] not in ("p", "h"):
            stack.extend(reversed(child.childNodes))


def _plain_text(data: bytes) -> str:
    return data.decode("utf-8-sig")


_EXTRACT = {"pdf": _pdf_text, "docx": _docx_text, "odt": _odt_text, "txt": _plain_text}
