"""Test fields through the service: a challenge finds the test fields nearby, an import
resolves the town by name, an evaluated pilot becomes public evidence, and the demo's test
fields load with the demo."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from matcher.domain.access import SYSTEM, Actor
from matcher.domain.errors import ConflictError, NotFoundError, ValidationError
from matcher.domain.testfields import ApplicationRequest
from matcher.matching.testfields import rank_testfields
from matcher.service import MatcherService
from tests.helpers import DEMO_DATA, make_settings
from tests.testfields_data import CLOSED_FIELD, HOST_FIELD, LIGHT_FIELD, sample_fields
from tools.fakes import FakeEncoder

LICHTWERK = Actor("provider:lichtwerk")
REQUEST = ApplicationRequest(message="Wir möchten hier unsere Lichtsteuerung erproben.")


@pytest.fixture
def fields(service):
    for field in sample_fields():
        service.create("testfields", field)
    return service


def test_a_challenge_finds_test_fields_nearby_with_reasons(fields):
    query = fields.query("Beleuchtung per Funk steuern und dimmen", municipality="mossautal")
    found = rank_testfields(fields.matcher().context(query), 5)
    by_id = {f.id: f for f in found}
    # The square in Mossautal itself comes first: as fitting, and nearest. Its call has closed,
    # but a challenge is shown where a solution is being piloted, too.
    assert [f.id for f in found[:2]] == [CLOSED_FIELD, LIGHT_FIELD]
    assert by_id[CLOSED_FIELD].distance_km == 0 and not by_id[CLOSED_FIELD].call_open
    light = by_id[LIGHT_FIELD]
    assert light.distance_km is not None and 5 < light.distance_km < 30
    assert any("km von Mossautal" in r for r in light.explanation.reasons)
    assert (
        by_id[CLOSED_FIELD].explanation.components["proximity"]
        > light.explanation.components["proximity"]
    )
    assert HOST_FIELD not in by_id  # a stadium's bus service is no lighting
    assert rank_testfields(fields.matcher().context(query), 1) == found[:1]


def test_import_resolves_the_town_by_name(service):
    row = {
        "id": "tf-import",
        "title": "Quartier",
        "municipality": "Erbach (Odenwald)",
        "place_type": "quartier",
        "facilities": ["lorawan"],
    }
    report = service.import_bytes("testfields", json.dumps(row).encode(), "t.jsonl")
    assert report.imported == 1
    assert service.get("testfields", "tf-import").municipality == "erbach"
    bad = {**row, "id": "tf-bad", "municipality": "Nirgendwo am Meer"}
    with pytest.raises(ValidationError):
        service.import_bytes("testfields", json.dumps(bad).encode(), "t.jsonl")
    csv = "id,title,municipality,place_type,facilities\ntf-csv,Platz,brensbach,platz,5g;strom\n"
    service.import_bytes("testfields", csv.encode(), "t.csv")
    assert service.get("testfields", "tf-csv").facilities == ["5g", "strom"]


def test_an_evaluated_pilot_is_public_evidence(fields):
    made = fields.testfields.apply(LIGHT_FIELD, REQUEST, LICHTWERK)
    assert fields.testfields.pilots("lichtwerk") == []
    owner = Actor("municipality:brensbach")
    for step in ("vorausgewaehlt", "pilot", "evaluiert"):
        fields.testfields.move(made.id, step, owner)
    pilots = fields.testfields.pilots("lichtwerk")
    assert [(p.testfield, p.town, p.status) for p in pilots] == [
        (LIGHT_FIELD, "Brensbach", "evaluiert")
    ]


def test_applications_are_private_to_three_parties(fields):
    made = fields.testfields.apply(HOST_FIELD, REQUEST, LICHTWERK)
    host = Actor("host:stadion-betrieb")
    assert fields.testfields.application(made.id, host).next_statuses == [
        "vorausgewaehlt",
        "beendet",
    ]
    assert fields.testfields.application(made.id, LICHTWERK).next_statuses == []
    for other in (Actor("municipality:kassel"), Actor("provider:mobilfluss"), None):
        with pytest.raises(NotFoundError):
            fields.testfields.application(made.id, other)
    assert fields.testfields.applications(HOST_FIELD, Actor("provider:mobilfluss")) == []
    assert len(fields.testfields.applications(HOST_FIELD, SYSTEM)) == 1
    assert [a.id for a in fields.testfields.mine(LICHTWERK)] == [made.id]


def test_a_call_closes_with_the_clock(fields):
    with pytest.raises(ConflictError, match="geschlossen"):
        fields.testfields.apply(CLOSED_FIELD, REQUEST, LICHTWERK)
    later = dt.date.today() + dt.timedelta(days=31)
    fields.testfields.today = lambda: later  # the stadium's deadline has passed then
    with pytest.raises(ConflictError, match="geschlossen"):
        fields.testfields.apply(HOST_FIELD, REQUEST, LICHTWERK)
    assert HOST_FIELD not in [t.id for t in fields.testfields.for_offering("off-bus").testfields]


def test_the_demo_loads_its_test_fields(tmp_path):
    svc = MatcherService(make_settings(tmp_path / "home"), encoder=FakeEncoder())
    try:
        imported = svc.import_demo(DEMO_DATA)
        assert 8 <= imported["testfields"] <= 12
        stadium = svc.get("testfields", "tf-stadion-frankfurt")
        assert stadium.place_type == "stadion" and stadium.municipality == "frankfurt-am-main"
        places = {f.place_type for f in svc.list_items("testfields")[0]}
        assert {"stadion", "quartier", "platz", "landstrasse"} <= places
        crowd = svc.get("offerings", "off-sensorik-mitte-crowd")
        assert "Besucherströme" in crowd.description
    finally:
        svc.close()
