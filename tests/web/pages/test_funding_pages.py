"""The funding and procurement pages (issue 23) with the test client on the demo corpus (fake
encoder, every town with a mailbox): the „Förderung“ box on results, needs, projects and joint
groups; the programme pages; the „Wie kaufen?“ box; a group's sheet and its CSV; „an alle
Mitglieder schreiben“ only for a signed-in account; bad amounts as German 400s naming the field.
Expected figures come from the service and the domain's rules, not from the page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from urllib.parse import quote, unquote

import pytest

from matcher.domain.funding import FundingRequest, call_status, estimate, euros, stand
from tests.helpers import OWN_ORIGIN
from tests.web import crawl

SHH = "starke-heimat-hessen-smarte-kommunen"
LIGHT = "Unsere Straßenlaternen brennen die ganze Nacht, die Stromkosten steigen"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return crawl.demo_app(tmp_path_factory.mktemp("funding-pages"))


@pytest.fixture(scope="module")
def svc(demo):
    return demo.extensions["matcher"]


@pytest.fixture(scope="module")
def group(svc):
    groups = svc.joint_projects(20).items
    assert groups, "the demo has a joint group"
    return groups[0]


@pytest.fixture
def web(demo):
    client = demo.test_client()
    client.environ_base["HTTP_ORIGIN"] = OWN_ORIGIN
    return client


def _sign_in(client, demo, who: str = "town") -> None:
    key = demo.extensions["test_keys"][who]["Authorization"].removeprefix("Bearer ")
    token = TOKEN.search(client.get("/anmelden").text).group(1)
    answer = client.post("/anmelden", data={"csrf_token": token, "schluessel": key})
    assert answer.status_code == 303


def _money(value: int) -> str:
    return euros(value)


def _results(web, **extra: str):
    query = "&".join(f"{k}={quote(v)}" for k, v in {"text": LIGHT, **extra}.items())
    return web.get("/?" + query)


def test_the_results_box_checks_the_asking_town_and_estimates_grant_and_own_share(web, svc):
    page = _results(web, wir="Mossautal", kosten="300.000")
    assert page.status_code == 200
    text = page.text
    box = text[text.index('id="f-foerderung"') :]
    expected = svc.funding_check(
        FundingRequest(text=LIGHT, municipalities=("mossautal",), cost_eur=300_000)
    )
    fitting = [f for f in expected.programmes if f.fits][:3]
    assert fitting, "a programme fits lighting in Mossautal"
    assert any(f.estimate for f in fitting), "a fitting programme has a share"
    for fit in fitting:
        assert f'href="/foerderung/{fit.id}"' in box
        if fit.estimate:
            assert f"{_money(fit.estimate.grant_eur)} Förderung" in box
            assert f"{_money(fit.estimate.own_eur)} Eigenanteil" in box
        else:
            assert fit.share.reason in box
        assert fit.disclaimer in box  # „Angaben ohne Gewähr, Stand …“
        assert fit.status.label in box
    assert 'value="300.000"' in box  # the form keeps what was entered


def test_without_wir_sind_the_results_box_asks_for_the_town(web):
    page = _results(web)
    assert page.status_code == 200
    assert "Für die Förderprüfung geben Sie oben bei „Wir sind“ Ihre Kommune an." in page.text


def test_the_providers_have_a_wie_kaufen_box_with_procedure_source_and_disclaimer(web, svc):
    page = _results(web, wir="Mossautal", auftragswert="50000", art="supplies")
    assert page.status_code == 200
    providers = page.text[page.text.index('id="h-anbieter"') :]
    box = providers[providers.index('id="k-kaufen"') :]
    path = svc.procurement(50_000, "supplies")
    assert f"<strong>{path.label}</strong>" in box
    assert f'href="{path.rule_source}"' in box
    assert "Hinweis, keine Rechtsberatung" in box
    assert all(hint.title in box for hint in path.joint_buying)
    assert "EVB-IT" in box
    works = _results(web, auftragswert="50000", art="works")
    assert svc.procurement(50_000, "works").label in works.text


def test_a_need_page_has_the_box_for_its_town(web, svc):
    need = sorted(svc.catalog.needs)[0]
    page = web.get(f"/bedarfe/{need}?kosten=120000")
    assert page.status_code == 200
    expected = svc.funding_check(FundingRequest(need=need, cost_eur=120_000))
    fit = next(f for f in expected.programmes if f.fits)
    assert f'href="/foerderung/{fit.id}"' in page.text
    if fit.estimate:
        assert f"{_money(fit.estimate.grant_eur)} Förderung" in page.text


def test_a_project_page_links_the_programme_its_funding_names_and_has_the_box(web, svc):
    project = svc.funded_projects(SHH)[0]
    page = web.get(f"/projekte/{project.id}")
    assert page.status_code == 200
    assert f'Förderung: <a href="/foerderung/{SHH}">{project.funding}</a>' in page.text
    assert 'id="f-foerderung"' in page.text and "Angaben ohne Gewähr" in page.text
    own = [p for p in svc.catalog.projects.values() if p.funding == "Eigenmittel"][0]
    assert "/foerderung/" not in web.get(f"/projekte/{own.id}").text.split('id="f-foerderung"')[0]


def test_the_programme_page_shows_funder_rules_status_today_source_stand_and_its_projects(web, svc):
    programme = svc.programme(SHH)
    page = web.get(f"/foerderung/{SHH}")
    assert page.status_code == 200
    text = page.text
    assert programme.funder in text
    assert call_status(programme, dt.date.today()).label in text
    assert stand(programme) in text and f'href="{programme.source_url}"' in text
    assert "Gemeinschaftsvorhaben: 90 %" in text  # the joint share, from the record
    funded = svc.funded_projects(SHH)
    assert funded and all(f'href="/projekte/{p.id}"' in text for p in funded)
    assert f"Damit geförderte Projekte ({len(funded)})" in text


def test_the_programme_list_names_every_programme_with_its_stand(web, svc):
    page = web.get("/foerderung")
    assert page.status_code == 200
    for programme in svc.programmes():
        assert f'href="/foerderung/{programme.id}"' in page.text
        assert stand(programme) in page.text
    assert web.get("/foerderung/gibt-es-nicht").status_code == 404


def test_joint_groups_show_example_providers_lead_programmes_and_the_sheet(web, group):
    page = web.get("/gemeinschaftsprojekte")
    assert page.status_code == 200
    card = page.text[page.text.index(f'id="{group.id}"') :]
    assert "Anbieter (Beispiele, keine Empfehlung):" in card
    assert all(p.name in card for p in group.providers)
    assert group.lead is not None and group.lead.reason in card
    assert all(f'href="/foerderung/{f.id}"' in card for f in group.programmes[:3])
    assert f'href="/gemeinschaftsprojekte/{group.id}/blatt"' in card
    assert 'id="k-kaufen"' in page.text  # „Wie kaufen?“ for the groups


def test_the_group_sheet_has_members_population_distance_lead_grant_and_examples(web, svc, group):
    page = web.get(f"/gemeinschaftsprojekte/{group.id}/blatt?kosten=300000&auftragswert=80000")
    assert page.status_code == 200
    text = page.text
    assert all(m.name in text for m in group.members)
    people = sum(m.population or 0 for m in group.members)
    assert f"zusammen {people:,} Einwohner".replace(",", ".") in text
    assert f"höchstens {group.distances_km.max:.0f} km" in text
    assert group.lead.reason in text
    assert group.programmes, "the demo group has a fitting programme"
    for fit in group.programmes:
        assert f'href="/foerderung/{fit.id}"' in text
        if fit.share.percent is not None:
            grant = estimate(svc.programme(fit.id), Decimal(300_000), fit.share.percent)
            assert f"{_money(grant.grant_eur)} Förderung" in text
    assert "Anbieter – Beispiele, keine Empfehlung" in text
    assert svc.procurement(80_000, "supplies").label in text
    assert web.get("/gemeinschaftsprojekte/jp-0000000000/blatt").status_code == 404


def test_the_sheet_prints_without_the_site_frame():
    from matcher.config import PACKAGE_DATA

    css = (PACKAGE_DATA.parent / "web" / "pages" / "static" / "site.css").read_text("utf-8")
    rules = css[css.index("/* Förderung */") :]
    assert "@media print" in rules and "body:has(.sheet) header.site" in rules


def test_the_sheet_csv_has_one_line_per_member_with_programme_and_estimate(web, svc, group):
    answer = web.get(f"/gemeinschaftsprojekte/{group.id}/blatt.csv?kosten=300000")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "antragsskizze-" in answer.headers["Content-Disposition"]
    body = answer.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body[1:]), delimiter=";"))
    assert [r["Kommune-ID"] for r in rows] == [m.id for m in group.members]
    best = group.programmes[0]
    assert {r["Programm"] for r in rows} == {best.title}
    if best.share.percent is not None:
        grant = estimate(svc.programme(best.id), Decimal(300_000), best.share.percent)
        assert {r["Förderung geschätzt (EUR)"] for r in rows} == {str(grant.grant_eur)}
    assert {r["Stand"] for r in rows} == {best.disclaimer}
    assert {(r["Federführung (Vorschlag)"], r["Federführung: warum"]) for r in rows} == {
        (group.lead.name, group.lead.reason)
    }
    assert {r["Kosten (EUR)"] for r in rows} == {"300000"}
    assert not crawl.ADDRESS.findall(body)


def test_write_to_all_members_is_for_signed_in_accounts_only(web, demo, group):
    sheet = f"/gemeinschaftsprojekte/{group.id}/blatt"
    anonymous = web.get(sheet).text
    assert "mailto:" not in anonymous and not crawl.ADDRESS.findall(anonymous)
    assert 'An alle Mitglieder schreiben: <a href="/anmelden?weiter=' in anonymous
    _sign_in(web, demo, "town")
    signed_in = web.get(sheet).text
    link = re.search(r'href="(mailto:[^"]+)"[^>]*>An alle Mitglieder schreiben', signed_in)
    assert link is not None
    to = unquote(link.group(1).removeprefix("mailto:").split("?")[0]).split(",")
    members = [m.id for m in group.members if m.id != "mossautal"]  # not to itself
    assert sorted(to) == sorted(crawl.mailbox("municipalities", m) for m in members)


AMOUNT_ERROR = "Bitte geben Sie bei „{label}“ einen Betrag über 0 und höchstens"


@pytest.mark.parametrize("value", ["-5", "0", "0,00", "2000000000", "abc", "1e6", "３００"])
@pytest.mark.parametrize(
    "where",
    ["results", "need", "project", "sheet"],
)
def test_an_implausible_cost_is_a_german_400_naming_the_field(web, svc, group, where, value):
    paths = {
        "results": "/?text=" + quote(LIGHT) + "&wir=Mossautal&kosten=",
        "need": f"/bedarfe/{sorted(svc.catalog.needs)[0]}?kosten=",
        "project": f"/projekte/{sorted(svc.catalog.projects)[0]}?kosten=",
        "sheet": f"/gemeinschaftsprojekte/{group.id}/blatt?kosten=",
    }
    page = web.get(paths[where] + quote(value))
    assert page.status_code == 400
    assert AMOUNT_ERROR.format(label="Kosten (EUR)") in page.text
    assert 'aria-invalid="true"' in page.text


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("auftragswert=-1", "Auftragswert (EUR)"),
        ("auftragswert=99999999999", "Auftragswert (EUR)"),
        ("auftragswert=1000&art=luft", "Art"),
    ],
)
@pytest.mark.parametrize("where", ["results", "joint"])
def test_an_implausible_order_value_or_kind_is_a_german_400_naming_the_field(
    web, where, query, label
):
    base = "/?text=" + quote(LIGHT) + "&" if where == "results" else "/gemeinschaftsprojekte?"
    page = web.get(base + query)
    assert page.status_code == 400
    assert f"„{label}“" in page.text


def test_a_csv_with_an_implausible_cost_is_refused(web, group):
    assert web.get(f"/gemeinschaftsprojekte/{group.id}/blatt.csv?kosten=-1").status_code == 400


def test_the_csv_carries_the_joint_share_grant_and_own_share_of_an_open_call(svc, group):
    """Two or more towns, 300,000 EUR, Starke Heimat Hessen while its call was open: 90 %,
    270,000 EUR grant, 30,000 EUR own share on every member's line."""
    from matcher.web.pages.funding import Sheet, SheetProgramme, sheet_csv_text

    towns = tuple(m.id for m in group.members)
    day = dt.date(2025, 10, 15)
    found = svc.funding_check(
        FundingRequest(text=LIGHT, municipalities=towns, cost_eur=300_000, date=day)
    )
    fit = next(f for f in found.programmes if f.id == SHH)
    sheet = Sheet(group, 0, [SheetProgramme(fit, fit.estimate)], "300000", None, None, 0)
    rows = list(csv.DictReader(io.StringIO(sheet_csv_text(sheet)[1:]), delimiter=";"))
    assert len(rows) == len(towns) >= 2
    for row in rows:
        assert row["Förderquote (%)"] == "90"
        assert (row["Förderung geschätzt (EUR)"], row["Eigenanteil (EUR)"]) == ("270000", "30000")
        assert row["Antragsfrist"].startswith("offen")
