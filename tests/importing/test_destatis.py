import pytest

from matcher.importing import parse_file
from matcher.importing.destatis import number
from matcher.importing.reader import parse_bytes
from tests.helpers import GV_SAMPLE as GV_DIRECTORY

GV_SAMPLE = (
    "\ufeffsatzart,textkennzeichen,land,rb,kreis,vb,gemeinde,gemeindename,flaeche,bevoelkerung,"
    "maennlich,weiblich,jekm2,postleitzahl,laengengrad,breitengrad,schluessel,bezeichnung,"
    "verstaedterungschluessel,verstaedterungbezeichnung\n"
    "10,,06,,,,,Hessen,,,,,,,,,,,,\n"
    "20,,06,4,,,,Reg.-Bez. Darmstadt,,,,,,,,,,,,\n"
    "40,44,06,4,37,,,Odenwaldkreis,,,,,,,,,,,,\n"
    '60,64,06,4,37,0012,012,Mossautal, 48.49, 2 427, 1 219, 1 208,  50,64756,"8,931026",'
    '"49,644703",I15,Odenwald,03,gering besiedelt\n'
)


def test_number_parsing():
    assert number(" 90 164") == 90164
    assert number("9,43751") == 9.43751
    assert number("") is None


def test_gv_isys_extract_is_read_with_district_and_region():
    m, district = parse_bytes("municipalities", GV_SAMPLE.encode(), "gv.csv").items
    assert (m.id, m.ags, m.name, m.kind) == ("06437012", "06437012", "Mossautal", "gemeinde")
    assert (m.district, m.region, m.population) == ("Odenwaldkreis", "Darmstadt", 2427)
    assert abs(m.latitude - 49.644703) < 1e-6 and abs(m.longitude - 8.931026) < 1e-6
    assert m.area_km2 == 48.49
    # The district's row has no figures: its one member's.
    assert (district.id, district.kind, district.name) == ("06437", "kreis", "Odenwaldkreis")
    assert district.population == 2427 and district.latitude == m.latitude


def test_real_destatis_files(shared_data):
    gv = parse_file("municipalities", shared_data / "gemeinden" / "gv_auszug_destatis.csv").items
    assert len(gv) > 10_000
    frankfurt = next(m for m in gv if m.ags == "06412000")
    assert frankfurt.name == "Frankfurt am Main" and frankfurt.population > 500_000
    assert all(len(m.ags) == {"gemeinde": 8, "kreis": 5, "verband": 9}[m.kind] for m in gv)
    old = parse_file(
        "municipalities", shared_data / "gemeinden" / "gemeindeverzeichnis_2011_de.csv"
    ).items
    assert len(old) > 10_000 and any(m.name == "Mossautal" for m in old)


def test_districts_and_associations_of_the_directory_become_actors():
    items = {m.id: m for m in parse_file("municipalities", GV_DIRECTORY).items}
    odenwald = items["06437"]
    assert (odenwald.kind, odenwald.name, odenwald.ags) == ("kreis", "Odenwaldkreis", "06437")
    assert (odenwald.district, odenwald.region) == ("Odenwaldkreis", "Darmstadt")
    # No figures on the district's row: its towns' sums and their centre by population.
    assert odenwald.population == 14_000 + 2_500 and odenwald.area_km2 == 62 + 48
    assert odenwald.latitude == pytest.approx((49.66 * 14_000 + 49.64 * 2_500) / 16_500)
    assert items["06432"].name == "Landkreis Darmstadt-Dieburg"
    assert items["03599"].name == "Kreis Musterland"
    # A kreisfreie Stadt is its municipality only; a "verbandsfreie Gemeinde" row is no actor.
    assert "06413" not in items and "05515" not in items
    assert items["06413000"].kind == "gemeinde"
    assert not [m for m in items.values() if m.kind == "verband" and m.ags.startswith("06")]
    heideland = items["035995401"]
    assert (heideland.kind, heideland.name) == ("verband", "Samtgemeinde Heideland")
    assert heideland.members == ["03599001", "03599002"] and heideland.population == 5_000


def test_real_directory_districts(shared_data):
    gv = parse_file("municipalities", shared_data / "gemeinden" / "gv_auszug_destatis.csv").items
    hessen = [m for m in gv if m.kind == "kreis" and m.ags.startswith("06")]
    # 21 Landkreise; the five kreisfreie Städte stay municipalities.
    assert len(hessen) == 21
    assert not [m for m in gv if m.kind == "kreis" and m.ags == "06412"]
    assert [m for m in gv if m.ags == "06412000"][0].kind == "gemeinde"
    odenwald = next(m for m in hessen if m.ags == "06437")
    assert odenwald.name == "Odenwaldkreis" and 80_000 < (odenwald.population or 0) < 120_000
    # Hessen has no Gemeindeverband in the directory, other Länder have Ämter and the like.
    assert not [m for m in gv if m.kind == "verband" and m.ags.startswith("06")]
    assert len([m for m in gv if m.kind == "verband"]) > 1000
