"""Tenancy with districts and associations: a district key owns the district's items and
nothing of its member municipalities, and the other way round."""

from __future__ import annotations

import pytest

from matcher.domain.access import Actor, check_change, owns
from matcher.domain.catalog import Catalog
from matcher.domain.errors import PermissionDenied
from matcher.domain.schema import Municipality, Need, Project

KREIS = Municipality(id="odenwaldkreis", name="Odenwaldkreis", kind="kreis")
TOWN = Municipality(id="mossautal", name="Mossautal", district="Odenwaldkreis")
OTHER = Municipality(id="erbach", name="Erbach", district="Odenwaldkreis")
VERBAND = Municipality(id="zv", name="Zweckverband", kind="verband", members=["mossautal"])
DISTRICT_KEY = Actor("municipality:odenwaldkreis")
TOWN_KEY = Actor("municipality:mossautal")
VERBAND_KEY = Actor("municipality:zv")


@pytest.fixture
def catalog() -> Catalog:
    return Catalog({"municipalities": {m.id: m for m in (KREIS, TOWN, OTHER, VERBAND)}})


def test_a_district_key_owns_the_districts_record_needs_and_projects(catalog):
    project = Project(id="p", title="Frühwarnung", municipalities=["odenwaldkreis"])
    need = Need(id="n", municipality="odenwaldkreis", title="Sirenen")
    for before, after in ((None, project), (None, need), (KREIS, KREIS.model_copy())):
        kind = {Project: "projects", Need: "needs", Municipality: "municipalities"}[type(after)]
        check_change(catalog, DISTRICT_KEY, kind, before, after)


def test_no_implicit_rights_between_a_district_and_its_members(catalog):
    town_need = Need(id="n", municipality="mossautal", title="Licht")
    district_need = Need(id="k", municipality="odenwaldkreis", title="Sirenen")
    assert not owns(DISTRICT_KEY, town_need) and not owns(DISTRICT_KEY, TOWN)
    assert not owns(TOWN_KEY, district_need) and not owns(TOWN_KEY, KREIS)
    assert not owns(VERBAND_KEY, town_need) and not owns(TOWN_KEY, VERBAND)
    with pytest.raises(PermissionDenied):
        check_change(catalog, DISTRICT_KEY, "needs", town_need, town_need)
    town_project = Project(id="p", title="LED", municipalities=["mossautal"])
    with pytest.raises(PermissionDenied):
        check_change(catalog, DISTRICT_KEY, "projects", town_project, town_project)
    # Naming a member town on the district's project needs the town's consent, as any town.
    joint = Project(id="q", title="LoRaWAN", municipalities=["odenwaldkreis", "mossautal"])
    with pytest.raises(PermissionDenied, match="consent"):
        check_change(catalog, DISTRICT_KEY, "projects", None, joint)


def test_members_and_kind_are_changed_by_an_admin_only(catalog):
    grown = VERBAND.model_copy(update={"members": ["mossautal", "erbach"]})
    with pytest.raises(PermissionDenied, match="members"):
        check_change(catalog, VERBAND_KEY, "municipalities", VERBAND, grown)
    shrunk = VERBAND.model_copy(update={"members": []})
    check_change(catalog, VERBAND_KEY, "municipalities", VERBAND, shrunk)
    as_town = KREIS.model_copy(update={"kind": "gemeinde"})
    with pytest.raises(PermissionDenied, match="kind"):
        check_change(catalog, DISTRICT_KEY, "municipalities", KREIS, as_town)
    check_change(catalog, Actor("admin"), "municipalities", VERBAND, grown)
