# ruff: noqa: E501  (the documents' paragraphs are prose, one line each)
"""Write the Toolbox's demo documents (matcher/data/documents/) and their manifest.

Short sample documents for demo projects, written for this demo (not copied from anywhere),
one of each kind a town reuses, in each accepted format: PDF (fpdf2, a dev dependency), DOCX
(python-docx), ODT (odfpy) and plain text. Run it after changing a text:

    .venv/bin/python tools/make_demo_documents.py

The files are committed; `matcher build` attaches them to their projects (the manifest
`documents.jsonl` names project, file, kind, title and licence of each).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "matcher" / "data" / "documents"
# Fixed dates in the files' metadata, so that running this again writes the same bytes where
# the libraries allow it.
WRITTEN = dt.datetime(2026, 12, 1, 9, 0, 0, tzinfo=dt.UTC)

DOCUMENTS = [
    {
        "file": "leistungsbeschreibung-led-dimmung.pdf",
        "project": "prj-en-02",
        "kind": "leistungsbeschreibung",
        "title": "Leistungsbeschreibung: LED-Straßenbeleuchtung mit Dimmprofilen",
        "licence": "cc-by-4.0",
        "procedure": "Öffentliche Ausschreibung nach UVgO, gemeinsam für zwei Gemeinden",
        "text": """Leistungsbeschreibung: Umrüstung der Straßenbeleuchtung auf LED mit Dimmprofilen

1. Gegenstand der Leistung
Die Gemeinden Brensbach und Reichelsheim (Odenwald) vergeben gemeinsam die Lieferung und Montage von 1.150 LED-Leuchtenköpfen für die Straßenbeleuchtung. Die vorhandenen Masten bleiben stehen; getauscht werden Leuchtenköpfe und Vorschaltgeräte.

2. Lichttechnische Anforderungen
Die Leuchten erfüllen die Beleuchtungsklassen der DIN EN 13201 für Anlieger- und Sammelstraßen. Die Farbtemperatur beträgt höchstens 3.000 Kelvin, in Ortsrandlagen und an Gewässern höchstens 2.200 Kelvin, um Insekten zu schonen. Lichtpunkthöhe und Abstände sind im Leuchtenverzeichnis (Anlage 2) angegeben.

3. Dimmung und Nachtabsenkung
Jede Leuchte hat ein integriertes Dimmprofil: von 22 Uhr bis 5 Uhr wird der Lichtstrom auf 50 Prozent abgesenkt, in Wohnstraßen ab Mitternacht auf 30 Prozent. Die Profile müssen sich ohne Leuchtentausch ändern lassen, per Fernwartung über eine offene Schnittstelle oder per Programmiergerät vor Ort. Eine vollständige Nachtabschaltung ist nicht gewünscht.

4. Fernüberwachung
Optional anzubieten ist ein Steuerknoten je Leuchte mit Störungsmeldung, der den Ausfall einer Leuchte innerhalb von 24 Stunden an den Bauhof meldet. Die Daten liegen auf Servern in der Europäischen Union; die Gemeinden erhalten einen Export aller Messwerte in einem offenen Format.

5. Wirtschaftlichkeit und Zuschlag
Zuschlagskriterien sind der Preis (60 Prozent), der Energieverbrauch über zehn Jahre bei den geforderten Dimmprofilen (30 Prozent) und die Garantiezeit (10 Prozent). Verlangt werden mindestens zehn Jahre Garantie auf Leuchte und Treiber.

6. Nachweise
Einzureichen sind Datenblätter, Lichtberechnungen für drei Musterstraßen und zwei Referenzen vergleichbarer Umrüstungen in Kommunen.""",
    },
    {
        "file": "kooperationsvertrag-rufbus-vogelsberg.docx",
        "project": "prj-mob-01",
        "kind": "kooperationsvertrag",
        "title": "Kooperationsvertrag für den gemeinsamen Rufbus im Hohen Vogelsberg",
        "licence": "dl-de-by-2.0",
        "procedure": "Öffentlich-rechtliche Vereinbarung nach dem KGG Hessen",
        "text": """Kooperationsvertrag über den gemeinsamen Betrieb eines Rufbusses

Präambel
Die Städte Schotten und Ulrichstein und die Gemeinde Grebenhain wollen ihre Ortsteile auch abends und am Wochenende mit Bus und Bahn verbinden. Sie richten dazu gemeinsam einen On-Demand-Verkehr ein: ein Rufbus, der nach Bestellung per App oder Telefon fährt und Fahrten bündelt.

§ 1 Gegenstand
Gegenstand des Vertrags ist die gemeinsame Bestellung, Finanzierung und Steuerung des Rufbusses im Bediengebiet der drei Kommunen. Die Stadt Schotten übernimmt die Federführung und schließt den Verkehrsvertrag mit dem Betreiber im Namen aller Partner.

§ 2 Kosten und Verteilung
Die nicht durch Fahrgeldeinnahmen und Fördermittel gedeckten Kosten tragen die Partner nach den im Vorjahr gebuchten Fahrten mit Start oder Ziel im eigenen Gemeindegebiet, mindestens aber zu 20 Prozent je Partner. Die Abrechnung erfolgt jährlich bis zum 31. März.

§ 3 Lenkungskreis
Ein Lenkungskreis aus den Bürgermeistern und je einer Fachkraft begleitet den Betrieb. Er beschließt über Bedienzeiten, Haltepunkte und Tarif einstimmig und wertet vierteljährlich die Fahrgastzahlen und die Wartezeiten aus.

§ 4 Daten
Die Buchungsdaten werden nur anonymisiert ausgewertet. Der Betreiber stellt die Fahrplandaten und die Haltepunkte als offene Daten bereit.

§ 5 Laufzeit und Kündigung
Der Vertrag gilt für fünf Jahre und verlängert sich um jeweils zwei Jahre, wenn kein Partner mit einer Frist von zwölf Monaten kündigt.""",
    },
    {
        "file": "dsfa-laermsensoren-altstadt.odt",
        "project": "prj-um-12",
        "kind": "datenschutz-folgenabschaetzung",
        "title": "Datenschutz-Folgenabschätzung für Lärmsensoren in der Altstadt",
        "licence": "cc-by-sa-4.0",
        "procedure": "",
        "text": """Datenschutz-Folgenabschätzung: Lärmsensoren im öffentlichen Raum

1. Beschreibung der Verarbeitung
Die Stadt misst an zwölf Standorten in der Altstadt den Schallpegel, um Beschwerden über nächtlichen Lärm mit Daten zu prüfen. Die Sensoren hängen an Laternenmasten und senden alle fünf Minuten Mittelwerte und Spitzenpegel per LoRaWAN an die städtische Datenplattform.

2. Personenbezug
Die Sensoren zeichnen kein Audio auf und speichern keine Gespräche. Sie berechnen Schallpegel direkt im Gerät; übertragen werden nur Zahlenwerte. Ein Personenbezug ist nur mittelbar denkbar, wenn an einem Standort eine einzelne Wohnung betroffen ist.

3. Risiken und Maßnahmen
Damit aus Pegeln keine Rückschlüsse auf einzelne Haushalte möglich sind, werden Standorte nicht vor Fenstern von Schlafräumen montiert und Werte nur als Fünf-Minuten-Mittel veröffentlicht. Die Geräte sind so konfiguriert, dass eine Aufzeichnung von Ton technisch ausgeschlossen ist; dies hat der Hersteller schriftlich bestätigt.

4. Speicherung und Zugriff
Rohdaten werden nach 13 Monaten gelöscht. Zugriff haben das Ordnungsamt und die Umweltabteilung; veröffentlicht werden nur aggregierte Werte als Open Data.

5. Ergebnis
Die Verarbeitung ist mit den beschriebenen Maßnahmen zulässig. Der Datenschutzbeauftragte wurde beteiligt; die Folgenabschätzung wird nach einem Jahr Betrieb überprüft.""",
    },
    {
        "file": "evaluationsbericht-energiemonitoring.txt",
        "project": "prj-en-04",
        "kind": "evaluationsbericht",
        "title": "Evaluationsbericht: zwei Jahre Energiemonitoring in 38 Liegenschaften",
        "licence": "cc0-1.0",
        "procedure": "",
        "text": """Evaluationsbericht Energiemonitoring

Ausgangslage
Bad Hersfeld hat 2022 in 38 städtischen Liegenschaften Zähler für Strom, Wärme und Wasser mit Fernauslesung ausgestattet. Schulen, Kitas, Sporthallen und das Rathaus melden ihre Verbräuche seitdem stündlich an eine Energiemanagement-Software.

Ergebnisse
Im zweiten Betriebsjahr lag der Wärmeverbrauch witterungsbereinigt 14 Prozent unter dem Mittel der drei Jahre davor, der Stromverbrauch 9 Prozent darunter. Die größten Einsparungen brachten korrigierte Heizzeiten in Sporthallen und abgeschaltete Lüftungsanlagen an Wochenenden.

Was gut lief
Lastgänge machten Fehler sichtbar, die niemand bemerkt hatte: eine Heizung, die in den Sommerferien durchlief, und eine Pumpe ohne Zeitschaltung. Hausmeisterinnen und Hausmeister bekommen monatlich einen kurzen Bericht für ihr Gebäude.

Was wir anders machen würden
Die Zähler früh im Bestand erfassen und Messstellen eindeutig benennen; die Datenbereinigung hat ein halbes Jahr gekostet. Ohne eine feste Stelle für das Energiemanagement werden Auffälligkeiten nicht abgearbeitet.

Empfehlung
Für Kommunen ab etwa 20 Liegenschaften lohnt sich ein Monitoring mit Fernauslesung; kleinere Kommunen können es gemeinsam mit Nachbarn betreiben.""",
    },
    {
        "file": "beschlussvorlage-waermeplanung-konvoi.odt",
        "project": "prj-en-12",
        "kind": "beschlussvorlage",
        "title": "Beschlussvorlage: gemeinsame kommunale Wärmeplanung im Konvoi",
        "licence": "dl-de-zero-2.0",
        "procedure": "Beschluss der Stadtverordnetenversammlung",
        "text": """Beschlussvorlage für die Stadtverordnetenversammlung

Betreff
Gemeinsame kommunale Wärmeplanung der Städte Michelstadt, Erbach und Bad König im Konvoi

Beschlussvorschlag
Die Stadtverordnetenversammlung beschließt, die kommunale Wärmeplanung gemeinsam mit den Nachbarstädten Erbach und Bad König zu erstellen. Der Magistrat wird beauftragt, eine Vereinbarung über die gemeinsame Vergabe zu schließen und Fördermittel zu beantragen.

Begründung
Das Wärmeplanungsgesetz verpflichtet die Kommunen, einen Wärmeplan aufzustellen. Eine gemeinsame Planung spart Kosten bei Datenerhebung, Bestandsanalyse und Ausschreibung, weil ein Planungsbüro die drei Städte mit einer Methode bearbeitet. Wärmenetze und Abwärmequellen an den Gemeindegrenzen lassen sich nur gemeinsam sinnvoll bewerten.

Finanzielle Auswirkungen
Die Kosten für alle drei Städte werden auf 180.000 Euro geschätzt und nach Einwohnerzahl geteilt. Der Anteil der Stadt beträgt rund 72.000 Euro; nach Abzug der erwarteten Förderung verbleiben etwa 25.000 Euro im Haushalt.

Zeitplan
Vergabe im ersten Quartal, Bestands- und Potenzialanalyse bis zum Jahresende, Beteiligung der Öffentlichkeit und Beschluss des Wärmeplans im Folgejahr.""",
    },
    {
        "file": "konzept-ozg-kleinstgemeinde.docx",
        "project": "prj-vw-02",
        "kind": "konzept",
        "title": "Konzept: Onlinedienste in einer Kleinstgemeinde einführen",
        "licence": "nur-ansicht",
        "procedure": "",
        "text": """Konzept: Wenige Onlinedienste, aber richtig

Ziel
Mossautal hat rund 2.500 Einwohner und eine Verwaltung mit wenigen Stellen. Statt alle Leistungen des Onlinezugangsgesetzes auf einmal anzubieten, führt die Gemeinde zuerst die zehn Verwaltungsleistungen online ein, die am häufigsten nachgefragt werden, und bearbeitet sie ohne Medienbruch.

Auswahl der Leistungen
Grundlage ist eine Zählung der Vorgänge eines Jahres: Meldebescheinigungen, Hundesteuer, Gewerbeanmeldung, Sperrmüll und Anträge für Vereine machen zusammen drei Viertel aller Vorgänge aus. Diese Leistungen werden über das Landesportal mit Servicekonto und Bezahlfunktion angeboten.

Organisation
Jede Leistung hat eine verantwortliche Person in der Verwaltung. Eingehende Anträge landen direkt im Fachverfahren; Papierformulare bleiben für Menschen ohne Internet erhalten.

Schulung und Beteiligung
Die Beschäftigten werden in zwei halbtägigen Schulungen vorbereitet. Eine Sprechstunde im Rathaus hilft Bürgerinnen und Bürgern beim ersten Onlineantrag.

Bewertung
Nach einem Jahr werden Nutzung, Bearbeitungszeit und Rückfragen je Leistung ausgewertet; erst dann kommen weitere Leistungen hinzu.""",
    },
]


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def write_pdf(text: str, title: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(WRITTEN)
    pdf.set_title(_latin1(title))
    pdf.set_author("Smart Region Matcher (Demo)")
    pdf.add_page()
    pdf.set_margins(20, 20, 20)
    for number, paragraph in enumerate(paragraphs(text)):
        heading = number == 0 or (len(paragraph) < 60 and not paragraph.endswith("."))
        pdf.set_font("Helvetica", "B" if heading else "", 13 if number == 0 else 11)
        pdf.multi_cell(0, 6, _latin1(paragraph), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    return bytes(pdf.output())


def _latin1(text: str) -> str:
    """The core PDF fonts know Latin-1 only."""
    swaps = {"„": '"', "“": '"', "–": "-", "…": "...", "’": "'", "§": "Par."}
    for old, new in swaps.items():
        text = text.replace(old, new)
    return text


def write_docx(text: str, title: str) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = "Smart Region Matcher (Demo)"
    document.core_properties.created = WRITTEN.replace(tzinfo=None)
    document.core_properties.modified = WRITTEN.replace(tzinfo=None)
    for number, paragraph in enumerate(paragraphs(text)):
        if number == 0:
            document.add_heading(paragraph, level=1)
        elif len(paragraph) < 60 and not paragraph.endswith("."):
            document.add_heading(paragraph, level=2)
        else:
            document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def write_odt(text: str, title: str) -> bytes:
    from odf import dc, meta
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text=title))
    document.meta.addElement(meta.CreationDate(text=WRITTEN.strftime("%Y-%m-%dT%H:%M:%S")))
    for number, paragraph in enumerate(paragraphs(text)):
        if number == 0 or (len(paragraph) < 60 and not paragraph.endswith(".")):
            document.text.addElement(H(outlinelevel=1 if number == 0 else 2, text=paragraph))
        else:
            document.text.addElement(P(text=paragraph))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def write_txt(text: str, title: str) -> bytes:
    return (text.strip() + "\n").encode("utf-8")


def fixed_times(data: bytes) -> bytes:
    """The zip (DOCX, ODT) with every member dated `WRITTEN`, in the same order and packing
    (an ODT's uncompressed `mimetype` first), so that the same text gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=WRITTEN.timetuple()[:6])
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


WRITERS = {
    ".pdf": write_pdf,
    ".docx": lambda text, title: fixed_times(write_docx(text, title)),
    ".odt": lambda text, title: fixed_times(write_odt(text, title)),
    ".txt": write_txt,
}


def main(out: Path = OUT) -> int:
    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for entry in DOCUMENTS:
        name = str(entry["file"])
        data = WRITERS[Path(name).suffix](str(entry["text"]), str(entry["title"]))
        (out / name).write_bytes(data)
        manifest.append({k: v for k, v in entry.items() if k != "text" and v != ""})
        print(f"{name}: {len(data):,} bytes")
    lines = [json.dumps(m, ensure_ascii=False) for m in manifest]
    (out / "documents.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
