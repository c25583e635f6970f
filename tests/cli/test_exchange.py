"""`matcher exchange`: a town's groups and towns to meet, a group's candidates, an event's
invitations (CSV with contacts), the lists and imports — on the fixture service (fake encoder)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from matcher.cli import exchange as cli_exchange
from matcher.cli import main
from matcher.domain.access import SYSTEM
from matcher.domain.exchange import ExchangeEvent, ExchangeGroup

GROUP = {
    "id": "erfa-licht",
    "name": "Erfa Straßenbeleuchtung",
    "description": "LED-Umrüstung, Dimmung und Lichtsteuerung der Straßenbeleuchtung.",
    "categories": ["energie"],
    "keywords": ["Straßenlaternen"],
    "members": ["mossautal"],
}
EVENT = {
    "id": "termin-licht",
    "title": "Straßenbeleuchtung auf LED umrüsten",
    "date": "2027-02-10",
    "place": "Darmstadt",
    "description": "Straßenlaternen nachts dimmen und Stromkosten senken.",
    "categories": ["energie"],
    "group": "erfa-licht",
}


@pytest.fixture
def run(service, monkeypatch):
    service.exchange.create_group(ExchangeGroup.model_validate(GROUP), SYSTEM)
    service.exchange.create_event(ExchangeEvent.model_validate(EVENT), SYSTEM)
    monkeypatch.setattr(cli_exchange, "opened", lambda ctx: service)
    monkeypatch.setattr(cli_exchange, "service_of", lambda settings: service)

    def invoke(*args: str):
        result = CliRunner().invoke(main, ["--home", str(service.settings.home), *args])
        return result

    return invoke


def test_a_towns_groups_and_towns_to_meet(run):
    result = run("exchange", "town", "brensbach")
    assert result.exit_code == 0, result.output
    assert "Austausch für Brensbach" in result.output
    assert "Erfa Straßenbeleuchtung  [erfa-licht]" in result.output
    data = json.loads(run("exchange", "town", "brensbach", "--json").output)
    assert data["groups"][0]["group"]["id"] == "erfa-licht"


def test_a_groups_candidates_and_an_events_invitations(run):
    assert "Brensbach  [brensbach]" in run("exchange", "group", "erfa-licht").output
    text = run("exchange", "invitations", "termin-licht").output
    assert "Einladungen zu „Straßenbeleuchtung auf LED umrüsten“ am 10.02.2027" in text
    assert "Mossautal  [mossautal; mitglied]" in text
    csv = run("exchange", "invitations", "termin-licht", "--csv").output
    assert csv.splitlines()[0] == "Art;Rolle;id;Name;Kontakt;Gründe;Score"


def test_an_unknown_id_is_exit_code_2(run):
    result = run("exchange", "town", "atlantis")
    assert result.exit_code == 2 and "atlantis" in result.output


def test_list_and_import(run, tmp_path):
    path = tmp_path / "groups.jsonl"
    path.write_text(json.dumps({**GROUP, "id": "erfa-2", "name": "Zweite Erfa"}) + "\n")
    assert run("exchange", "import", "groups", str(path)).output.strip() == "importiert: 1 groups"
    listed = run("exchange", "list").output
    assert "Gruppe  erfa-2: Zweite Erfa (1 Mitglied)" in listed
    assert "Termin  termin-licht: 10.02.2027" in listed
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({**GROUP, "members": ["atlantis"]}) + "\n")
    assert run("exchange", "import", "groups", str(bad)).exit_code == 2
