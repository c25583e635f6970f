"""The procurement path from dated rules: the procedure at each threshold, on dates either side
of a rule's validity, a draft never applied, bad values and dates refused by field."""

from __future__ import annotations

import datetime as dt

import pytest

from matcher.domain.errors import ValidationError
from matcher.domain.procurement import Rules, load_rules, offering_kind_of, path_for
from matcher.service.funding import RULES_FILE

DAY = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules(RULES_FILE)


@pytest.mark.parametrize(
    ("value", "procedure"),
    [
        (10_000, "direktauftrag"),
        (10_001, "verhandlungsvergabe"),
        (50_000, "verhandlungsvergabe"),
        (50_001, "beschraenkte_ausschreibung"),
        (100_000, "beschraenkte_ausschreibung"),
        (100_001, "oeffentliche_ausschreibung"),
        (215_999, "oeffentliche_ausschreibung"),
        (216_000, "eu_weit"),  # § 106 GWB: the value reaches the threshold
        (216_001, "eu_weit"),
    ],
)
def test_supplies_and_services_at_the_thresholds(rules, value, procedure):
    found = path_for(rules, value, "supplies", DAY)
    assert found.procedure == procedure
    assert found.rule_source.startswith("https://") and found.eu_source.startswith("https://")
    assert found.eu_threshold_eur == 216_000
    assert found.disclaimer == "Hinweis, keine Rechtsberatung"


@pytest.mark.parametrize(
    ("value", "procedure"),
    [
        (10_000, "direktauftrag"),
        (10_001, "freihaendige_vergabe"),
        (100_000, "freihaendige_vergabe"),
        (250_000, "beschraenkte_ausschreibung"),
        (250_001, "oeffentliche_ausschreibung"),
        (5_403_999, "oeffentliche_ausschreibung"),
        (5_404_000, "eu_weit"),
    ],
)
def test_works_at_the_thresholds(rules, value, procedure):
    assert path_for(rules, value, "works", DAY).procedure == procedure


def test_the_eu_threshold_of_the_day_applies_either_side_of_its_validity(rules):
    """218,000 EUR: under the 2024–25 threshold (221,000), over the 2026–27 one (216,000)."""
    before = path_for(rules, 218_000, "supplies", dt.date(2025, 12, 31))
    after = path_for(rules, 218_000, "supplies", dt.date(2026, 1, 1))
    assert (before.procedure, before.eu_threshold_eur) == ("oeffentliche_ausschreibung", 221_000)
    assert (after.procedure, after.eu_threshold_eur) == ("eu_weit", 216_000)


def test_the_hvtg_draft_is_reported_as_entwurf_and_never_applied(rules):
    found = path_for(rules, 50_000, "supplies", dt.date(2027, 6, 1))
    assert found.procedure == "verhandlungsvergabe"
    (draft,) = found.drafts
    assert draft.status == "Entwurf" and draft.procedure == "direktauftrag"
    assert "nicht in Kraft" in draft.text


def test_a_reform_in_force_applies_from_its_date_and_not_a_day_before(rules):
    """The reform as a data edit: the draft in force from 01.01.2027, the old rule until then."""
    sets = []
    for rule in rules.rule_sets:
        if rule.status == "entwurf":
            rule = rule.model_copy(update={"status": "in_kraft", "valid_from": dt.date(2027, 1, 1)})
        else:
            rule = rule.model_copy(update={"valid_until": dt.date(2026, 12, 31)})
        sets.append(rule)
    reformed = rules.model_copy(update={"rule_sets": sets})
    before = path_for(reformed, 50_000, "supplies", dt.date(2026, 12, 31))
    after = path_for(reformed, 50_000, "supplies", dt.date(2027, 1, 1))
    assert before.procedure == "verhandlungsvergabe" and before.rule_set == "hvtg-2021"
    assert after.procedure == "direktauftrag" and after.rule_set == "hvtg-novelle-2026-entwurf"
    assert path_for(reformed, 700_000, "works", dt.date(2027, 1, 1)).procedure == "direktauftrag"


def test_buying_together_and_the_contract_type_are_named(rules):
    found = path_for(rules, 30_000, "supplies", DAY, "cloud")
    assert [h.id for h in found.joint_buying] == [
        "kooperation-108-6",
        "gemeinsame-ausschreibung",
        "rahmenvereinbarung",
    ]
    assert "genannt" in found.joint_buying[2].text
    assert found.contract is not None and found.contract.evb_it == "EVB-IT Cloud"
    assert offering_kind_of("Wartung und Pflege der Lichtsteuerung", rules) == "wartung"
    assert offering_kind_of("Individuelle Entwicklung einer Fachanwendung", rules) == "entwicklung"
    assert offering_kind_of("Gehostete Plattform im Abonnement", rules) == "cloud"


@pytest.mark.parametrize("value", [0, -10_000, 2_000_000_000])
def test_implausible_values_are_refused_naming_the_field(rules, value):
    with pytest.raises(ValidationError) as caught:
        path_for(rules, value, "supplies", DAY)
    assert caught.value.problems[0][0] == "value_eur"


@pytest.mark.parametrize("day", [dt.date(2021, 8, 31), dt.date(2028, 1, 1)])
def test_a_date_no_rule_covers_is_refused(rules, day):
    with pytest.raises(ValidationError) as caught:
        path_for(rules, 5_000, "supplies", day)
    assert caught.value.problems[0][0] == "date"
