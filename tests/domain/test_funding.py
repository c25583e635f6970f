"""Programme records: contradictions refused by field, a call's state on a date, the share and
the grant estimate, names in projects' `funding` resolved; the shipped records are valid."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from matcher.domain.errors import ValidationError
from matcher.domain.funding import (
    Call,
    Programme,
    call_status,
    check_amount,
    check_date,
    check_programme,
    estimate,
    programme_for,
    share_for,
)
from matcher.service.funding import shipped_programmes

SHH = "starke-heimat-hessen-smarte-kommunen"


def _shh() -> Programme:
    return next(p for p in shipped_programmes() if p.id == SHH)


def _with(**update) -> Programme:
    return _shh().model_copy(update=update)


def test_every_shipped_record_is_consistent_sourced_and_dated():
    programmes = shipped_programmes()
    assert len(programmes) >= 3
    assert len({p.funder for p in programmes}) >= 3  # other funders than the Land
    for p in programmes:
        check_programme(p)
        assert p.source_url.startswith("https://") and p.sources
        assert all(s.checked for s in p.sources)
        assert "@" not in p.contact  # public office and page, no mailbox (SECURITY.md)


def test_starke_heimat_hessen_carries_the_facts_of_the_call():
    p = _shh()
    assert (p.min_grant_eur, p.max_grant_eur, p.max_months) == (100_000, 2_500_000, 24)
    assert (p.share.percent, p.share.min_percent, p.share.max_percent) == (80, 70, 90)
    assert p.share.joint_percent == 90 and p.joint == "bevorzugt" and p.land == "Hessen"
    call = p.calls[0]
    assert (call.sketch_until, call.opens, call.closes) == (
        dt.date(2025, 9, 5),
        dt.date(2025, 10, 1),
        dt.date(2025, 11, 7),
    )
    assert p.reuse_line() is not None


@pytest.mark.parametrize(
    ("update", "field"),
    [
        ({"min_grant_eur": 3_000_000}, "min_grant_eur"),
        ({"min_cost_eur": 10, "max_cost_eur": 5}, "min_cost_eur"),
        ({"share": {"percent": 120}}, "share.percent"),
        ({"share": {"joint_percent": 0}}, "share.joint_percent"),
        ({"share": {"min_percent": 90, "max_percent": 70}}, "share.min_percent"),
        ({"calls": [{"opens": "2025-11-07", "closes": "2025-10-01"}]}, "calls.0.closes"),
        ({"contact": "referat@digitales.hessen.example"}, "contact"),
        ({"joint": "erforderlich", "min_partners": 1}, "min_partners"),
    ],
)
def test_contradictory_rules_are_refused_in_german_naming_the_field(update, field):
    record = Programme.model_validate({**_shh().model_dump(), **update})
    with pytest.raises(ValidationError) as caught:
        check_programme(record)
    assert field in [f for f, _ in caught.value.problems]
    assert "Widersprüchliche Förderregeln" in str(caught.value)


def test_the_call_is_open_with_days_to_the_deadline():
    status = call_status(_shh(), dt.date(2025, 10, 15))
    assert status.state == "offen" and status.days_left == 23


def test_before_the_window_the_next_round_is_named_with_the_sketch_deadline():
    status = call_status(_shh(), dt.date(2025, 9, 1))
    assert status.state == "naechste_runde"
    assert status.label == "nächste Runde ab 01.10.2025"
    assert status.sketch_days_left == 4


def test_after_the_deadline_the_call_is_closed_and_no_next_round_is_known():
    status = call_status(_shh(), dt.date(2025, 11, 8))
    assert status.state == "geschlossen"
    assert status.label.startswith("geschlossen")
    assert status.next_call is None


def test_after_the_deadline_a_known_next_round_is_named():
    later = Call(title="Förderrunde 2027", opens=dt.date(2026, 10, 1), closes=dt.date(2026, 11, 6))
    status = call_status(_with(calls=[*_shh().calls, later]), dt.date(2025, 12, 1))
    assert status.state == "naechste_runde"
    assert (
        status.next_call == later
        and status.days_left == (dt.date(2026, 11, 6) - dt.date(2025, 12, 1)).days
    )


def test_a_single_town_gets_the_usual_share_with_its_range():
    share = share_for(_shh(), 1)
    assert (share.percent, share.min_percent, share.max_percent) == (80, 70, 90)
    assert "finanzieller Leistungsfähigkeit" in share.reason
    grant = estimate(_shh(), Decimal(300_000), share.percent)
    assert (grant.grant_eur, grant.own_eur) == (240_000, 60_000)


def test_two_towns_get_the_joint_share_270000_of_300000():
    share = share_for(_shh(), 2)
    assert share.percent == 90
    grant = estimate(_shh(), Decimal(300_000), share.percent)
    assert (grant.share_percent, grant.grant_eur, grant.own_eur) == (90, 270_000, 30_000)


def test_the_grant_is_cut_to_the_maximum():
    grant = estimate(_shh(), Decimal(4_000_000), 90)
    assert grant.capped and grant.grant_eur == 2_500_000 and grant.own_eur == 1_500_000


def test_a_funding_text_that_names_a_programme_resolves_to_it_and_others_stay_text():
    programmes = shipped_programmes()
    assert programme_for("Starke Heimat Hessen", programmes).id == SHH
    assert programme_for("  starke  heimat HESSEN ", programmes).id == SHH
    assert programme_for(SHH, programmes).id == SHH  # a project may name it by id
    assert programme_for("LEADER", programmes).id == "leader-hessen"
    assert programme_for("Eigenmittel", programmes) is None
    assert programme_for("", programmes) is None


@pytest.mark.parametrize("value", [0, -1, -0.01, 1_000_000_001, 1e12, True])
def test_implausible_amounts_are_a_german_400_naming_the_field(value):
    with pytest.raises(ValidationError) as caught:
        check_amount(value, "cost_eur")
    assert caught.value.problems[0][0] == "cost_eur"


@pytest.mark.parametrize("day", [dt.date(2019, 12, 31), dt.date(2031, 1, 1)])
def test_dates_outside_the_data_are_refused(day):
    with pytest.raises(ValidationError) as caught:
        check_date(day)
    assert caught.value.problems[0][0] == "date"
