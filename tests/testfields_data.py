"""Test fields for the tests of issue 24 on the tiny fixture corpus (which has none)."""

from __future__ import annotations

import datetime as dt

from matcher.domain.schema import TestField

# A town's field with a rolling call, a host's field, and a town's field whose call closed.
LIGHT_FIELD = "tf-licht"
HOST_FIELD = "tf-stadion"
CLOSED_FIELD = "tf-zu"
HOST = "stadion-betrieb"


def sample_fields(today: dt.date | None = None) -> list[TestField]:
    today = today or dt.date.today()
    return [
        TestField(
            id=LIGHT_FIELD,
            title="Straßenzug mit Lichtsteuerung",
            description="Leuchtenköpfe per Funk steuern und die Beleuchtung dimmen.",
            municipality="brensbach",
            place_type="strassenzug",
            categories=["energie"],
            facilities=["strassenlaternen_strom", "lorawan"],
            call="laufend",
            contact="Bauamt",
            contact_email="testfeld@brensbach.example",
        ),
        TestField(
            id=HOST_FIELD,
            title="Stadion mit Rufbus-Anbindung",
            description="Rufbusse und Buchungs-App für die Anreise zum Stadion erproben.",
            municipality="kassel",
            host=HOST,
            host_name="Stadionbetrieb (Test)",
            place_type="stadion",
            latitude=51.30,
            longitude=9.47,
            categories=["mobilitaet"],
            facilities=["5g", "strom"],
            call="frist",
            deadline=today + dt.timedelta(days=30),
            contact_email="stadion@example.org",
        ),
        TestField(
            id=CLOSED_FIELD,
            title="Platz mit Beleuchtung",
            description="Beleuchtung auf dem Marktplatz steuern.",
            municipality="mossautal",
            place_type="platz",
            categories=["energie"],
            call="frist",
            deadline=today - dt.timedelta(days=1),
            contact_email="platz@mossautal.example",
        ),
    ]
