"""`matcher testfields`: list, match for an offering, providers, applications (on the tiny
fixture corpus with the fake encoder, the service handed to the commands)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from matcher.cli import main
from matcher.cli import testfields as commands
from matcher.domain.access import Actor
from matcher.domain.testfields import ApplicationRequest
from tests.testfields_data import CLOSED_FIELD, LIGHT_FIELD, sample_fields


@pytest.fixture
def run(service, monkeypatch, tmp_path):
    for field in sample_fields():
        service.create("testfields", field)
    monkeypatch.setattr(commands, "opened", lambda ctx: service)

    def invoke(*args: str):
        return CliRunner().invoke(main, ["--home", str(tmp_path), "testfields", *args])

    return invoke


def test_list_names_each_field_and_its_call(run):
    done = run("list")
    assert done.exit_code == 0, done.output
    assert f"{LIGHT_FIELD}  Straßenzug mit Lichtsteuerung" in done.output
    assert "Aufruf geschlossen" in done.output and "laufende Bewerbung" in done.output
    only = json.loads(run("list", "--topic", "mobilitaet", "--json").output)
    assert [f["id"] for f in only] == ["tf-stadion"]
    assert all("contact_email" not in f for f in only)


def test_match_for_an_offering_leaves_closed_calls_out(run):
    done = run("match", "off-licht")
    assert done.exit_code == 0, done.output
    assert "Offene Testfelder für „LED-Umrüstung mit Lichtsteuerung“" in done.output
    assert " 1. Straßenzug mit Lichtsteuerung" in done.output
    found = json.loads(run("match", "off-licht", "--json").output)
    assert CLOSED_FIELD not in [t["id"] for t in found["testfields"]]
    missing = run("match", "gibt-es-nicht")
    assert missing.exit_code != 0 and "gibt-es-nicht" in missing.output


def test_providers_and_applications(run, service):
    assert "LichtWerk" in run("providers", LIGHT_FIELD).output
    assert "Keine Bewerbungen." in run("applications", LIGHT_FIELD).output
    request = ApplicationRequest(message="Wir möchten hier unsere Lichtsteuerung erproben.")
    service.testfields.apply(LIGHT_FIELD, request, Actor("provider:lichtwerk"))
    assert "LichtWerk Kommunal GmbH  beworben" in run("applications", LIGHT_FIELD).output
