"""The official directory (../shared/data, skipped when absent) imported into a service:
districts are actors that own projects, and names resolve as people write them."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.domain.errors import ValidationError
from matcher.domain.schema import Project
from matcher.importing.reader import parse_bytes
from matcher.importing.resolve import Resolver
from matcher.service import MatcherService
from tests.helpers import FIXTURES, SHARED_DATA, make_settings
from tools.fakes import FakeEncoder

pytestmark = pytest.mark.slow

DIRECTORY = SHARED_DATA / "gemeinden" / "gv_auszug_destatis.csv"


@pytest.fixture(scope="module")
def official(tmp_path_factory) -> MatcherService:
    """The fixture corpus with the whole official directory imported."""
    if not DIRECTORY.is_file():
        pytest.skip("../shared/data is not present")
    home: Path = tmp_path_factory.mktemp("official")
    svc = MatcherService(make_settings(home), encoder=FakeEncoder())
    svc.build(FIXTURES)
    svc.import_file("municipalities", DIRECTORY)
    yield svc
    svc.close()


def _import(svc: MatcherService, kind: str, jsonl: str):
    return svc.import_bytes(kind, jsonl.encode(), f"{kind}.jsonl")


def test_districts_are_imported_and_own_a_project(official):
    kreise = [m for m in official.catalog.municipalities.values() if m.kind == "kreis"]
    assert len([m for m in kreise if m.ags.startswith("06")]) == 21
    report = _import(
        official,
        "projects",
        '{"id": "prj-kreise", "title": "Kreisweite Starkregen-Frühwarnung", "municipalities": '
        '["Landkreis Darmstadt-Dieburg", "Kreis Offenbach", "Main-Kinzig-Kreis", '
        '"Odenwaldkreis", "Bad Homburg v.d. Höhe"]}\n',
    )
    assert report.created_municipalities == []
    project = official.catalog.projects["prj-kreise"]
    assert project.municipalities == ["06432", "06438", "06435", "06437", "06434001"]
    owned = official.catalog.projects_of_municipality["06432"]
    assert [p.id for p in owned] == ["prj-kreise"]
    stored = official.store.get("projects", "prj-kreise")
    assert isinstance(stored, Project) and stored.municipalities == project.municipalities
    dadi = official.catalog.municipality("06432")
    assert dadi is not None and dadi.name == "Landkreis Darmstadt-Dieburg"
    assert len(official.catalog.members(dadi)) == 23  # its municipalities, by Kreisschlüssel


def test_a_district_has_a_need_by_name(official):
    _import(
        official,
        "needs",
        '{"id": "need-kreis", "municipality": "Lkr. Gießen", "title": "Schulbus-Echtzeitdaten"}\n',
    )
    assert official.catalog.needs["need-kreis"].municipality == "06531"


def test_ambiguous_names_resolve_by_land_and_list_candidates_without_it(official):
    catalog = official.catalog
    row = '{"id": "p-m", "title": "T", "municipalities": ["Münster"]}\n'
    parsed = parse_bytes("projects", row.encode(), "p.jsonl")
    with pytest.raises(ValidationError) as info:
        Resolver(catalog, "").resolve("projects", parsed.items, parsed.lines)
    message = info.value.problems[0][1]
    assert "Münster (Landkreis Darmstadt-Dieburg, Hessen) [06432015]" in message
    assert "Nordrhein-Westfalen) [05515000]" in message and "Bayern" in message
    [hessen] = Resolver(catalog, "Hessen").resolve("projects", parsed.items, parsed.lines)
    assert isinstance(hessen, Project) and hessen.municipalities == ["06432015"]
    with_land = parse_bytes(
        "projects", row.replace("}", ', "land": "Nordrhein-Westfalen"}').encode(), "p.jsonl"
    )
    [nrw] = Resolver(catalog, "Hessen").resolve(
        "projects", with_land.items, with_land.lines, with_land.place_contexts()
    )
    assert isinstance(nrw, Project) and nrw.municipalities == ["05515000"]


def test_umlaut_spellings_and_official_forms_resolve(official):
    catalog = official.catalog
    assert catalog.find_municipality("Buedingen", "Hessen") == "06440004"
    assert catalog.find_municipality("Frankfurt a.M.") == "06412000"
    assert catalog.find_municipality("Bad Homburg v.d.Höhe") == "06434001"
    assert catalog.find_municipality("Universitätsstadt Gießen", "Hessen") == "06531005"
    assert catalog.find_municipality("Gießen, Landkreis") == "06531"
    # The fixture corpus's towns kept their ids and gained the official key.
    mossautal = catalog.municipality("mossautal")
    assert mossautal is not None and mossautal.ags == "06437012"
    assert catalog.find_municipality("Gemeinde Mossautal") == "mossautal"
