"""Leads a sales person can work with: the provider page shows each lead's needs (date,
status, description), all reasons and „bereits Kunde“; the CSV export opens in German Excel
(UTF-8 with BOM, `;`), is proper CSV and defuses formulas; the „Merken“ list survives a
reload. The page and CSV tests use the fixture corpus; the download and the list run in
Chromium against a real server."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from matcher.web.pages.leads import CSV_COLUMNS, LeadNeedRow, LeadRow, to_csv
from tests.helpers import lighting_need_of_mossautal

DATED = lighting_need_of_mossautal().model_copy(
    update={"date": dt.date(2025, 3, 14), "status": "in_arbeit"}
)


@pytest.fixture
def client(app_service, pages_client):
    app_service.upsert("needs", [DATED])
    return pages_client


def _rows(body: bytes) -> list[dict[str, str]]:
    assert body.startswith("\ufeff".encode())  # Excel reads UTF-8 only with a BOM
    text = body.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";")
    assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
    return list(reader)


def test_the_provider_page_shows_need_date_status_reasons_and_customer(client):
    html = client.get("/anbieter/lichtwerk").get_data(as_text=True)
    assert "Bedarf: LED-Umrüstung mit Lichtsteuerung gesucht" in html
    assert "Status: in Arbeit" in html and "gemeldet am" in html
    assert '<time datetime="2025-03-14">14.03.2025</time>' in html
    assert "Leuchtenköpfe tauschen" in html  # the description, shortened
    assert "bereits Kunde" in html
    assert 'class="reasons"' in html
    assert "Liste als CSV herunterladen" in html and "Meine Merkliste" in html


def test_leads_csv_has_one_row_per_lead_and_need(client):
    response = client.get("/anbieter/lichtwerk/leads.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _rows(response.data)
    mossautal = [r for r in rows if r["Kommunen-ID"] == "mossautal"]
    assert mossautal, rows
    row = mossautal[0]
    assert row["Bedarf"] == "LED-Umrüstung mit Lichtsteuerung gesucht"
    assert row["Bedarf-Status"] == "in Arbeit" and row["Bedarf gemeldet am"] == "14.03.2025"
    assert row["Bereits Kunde"] == "ja"
    assert row["Gründe"] and row["Seite"].endswith("/kommunen/mossautal")
    assert all(r["Bereits Kunde"] in ("ja", "nein") for r in rows)


def test_leads_csv_for_one_offering_and_unknown_ones(client):
    assert client.get("/anbieter/lichtwerk/leads.csv?angebot=off-licht").status_code == 200
    assert client.get("/anbieter/lichtwerk/leads.csv?angebot=off-andere").status_code == 404
    assert client.get("/anbieter/gibt-es-nicht/leads.csv").status_code == 404


def test_csv_quotes_separators_and_defuses_formulas():
    need = LeadNeedRow(
        id="n1",
        title='=HYPERLINK("http://example.org";"Klick")',
        status="offen",
        date=None,
        description='Zeile 1; mit "Anführung"\nZeile 2',
        matched="-Angebot",
    )
    row = LeadRow(
        id="a",
        name="@Ort; Teil",
        district="Kreis",
        population=None,
        confident=False,
        basis="bedarf",
        existing_customer=False,
        needs=[need],
        reasons=["+1 Grund", "zweiter"],
        similar_to=None,
    )
    (parsed,) = _rows(to_csv([row], "https://x.example/kommunen/{id}").encode("utf-8"))
    assert parsed["Kommune"] == "'@Ort; Teil"
    assert parsed["Bedarf"].startswith("'=HYPERLINK")
    assert parsed["Bedarf-Beschreibung"] == 'Zeile 1; mit "Anführung"\nZeile 2'
    assert parsed["Passt zu"] == "'-Angebot" and parsed["Gründe"] == "'+1 Grund | zweiter"
    assert parsed["Seite"] == "https://x.example/kommunen/a"


# OWASP's CSV-injection starts and their Unicode look-alikes, which spreadsheet programs may
# read as the ASCII character: full-width, small forms, super- and subscripts, the minus sign.
LOOK_ALIKES = [
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\uff1d",  # ＝ full-width equals
    "\uff0b",  # ＋
    "\uff0d",  # －
    "\uff20",  # ＠
    "\ufe66",  # ﹦ small equals
    "\ufe62",  # ﹢
    "\ufe63",  # ﹣
    "\ufe6b",  # ﹫
    "\u2212",  # − minus sign
    "\u207a",  # ⁺ superscript plus
    "\u208c",  # ₌ subscript equals
]


@pytest.mark.parametrize("start", LOOK_ALIKES, ids=[f"U+{ord(c):04X}" for c in LOOK_ALIKES])
def test_csv_defuses_unicode_look_alikes_of_formula_starts(start):
    formula = start + 'HYPERLINK("http://example.org";"Klick")'
    need = LeadNeedRow(
        id="n1", title=formula, status="offen", date=None, description=formula, matched=formula
    )
    row = LeadRow(
        id="a",
        name=formula,
        district="Kreis",
        population=None,
        confident=False,
        basis="bedarf",
        existing_customer=False,
        needs=[need],
        reasons=[formula],
        similar_to=None,
    )
    (parsed,) = _rows(to_csv([row], "https://x.example/kommunen/{id}").encode("utf-8"))
    for column in ("Kommune", "Bedarf", "Bedarf-Beschreibung", "Passt zu", "Gründe"):
        assert parsed[column] == "'" + formula, (column, parsed[column])


def test_csv_leaves_ordinary_cells_alone():
    need = LeadNeedRow(
        id="n1", title="Ämter – digital", status="offen", date=None, description="", matched="1"
    )
    row = LeadRow(
        id="a",
        name="Groß-Gerau",
        district="",
        population=None,
        confident=False,
        basis="bedarf",
        existing_customer=False,
        needs=[need],
        reasons=["„Zitat“"],
        similar_to=None,
    )
    (parsed,) = _rows(to_csv([row], "https://x.example/kommunen/{id}").encode("utf-8"))
    assert parsed["Kommune"] == "Groß-Gerau" and parsed["Bedarf"] == "Ämter – digital"
    assert parsed["Gründe"] == "„Zitat“" and parsed["Passt zu"] == "1"


@pytest.mark.slow
def test_download_the_csv_and_keep_a_lead_list_in_the_browser(live_site, chromium_browser):
    base, _ = live_site
    context = chromium_browser.new_context(viewport={"width": 1366, "height": 900}, locale="de-DE")
    page = context.new_page()
    page.goto(base + "/anbieter/lichtwerk?angebot=off-lichtwerk-1")
    cards = page.locator("article[data-kind=lead]")
    assert cards.count() >= 2
    assert page.locator(".badge.own", has_text="bereits Kunde").count() >= 1
    assert page.get_by_text("gemeldet am").count() >= 1
    with page.expect_download() as download:
        page.get_by_role("link", name="Liste als CSV herunterladen (Excel)").click()
    rows = _rows(download.value.path().read_bytes())
    ids = {r["Kommunen-ID"] for r in rows}
    shown = {cards.nth(i).get_attribute("data-lead") for i in range(cards.count())}
    assert shown <= ids  # the export has every lead on the page (and may have more)

    first = cards.first
    name = first.locator("h3 a").inner_text()
    keep = page.get_by_role("button", name=f"{name} merken")
    keep.click()
    assert keep.get_attribute("aria-pressed") == "true"
    kept = page.locator("[data-keep-items] li")
    assert kept.count() == 1 and name in kept.first.inner_text()
    page.reload()
    assert page.locator("[data-keep-items] li").count() == 1  # kept in this browser
    page.get_by_role("button", name=f"{name} von der Merkliste entfernen").click()
    assert page.locator("[data-keep-items] li").count() == 0
    context.close()
