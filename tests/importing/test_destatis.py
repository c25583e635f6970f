from matcher.importing import parse_file
from matcher.importing.destatis import number
from matcher.importing.reader import parse_bytes

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
    [m] = parse_bytes("municipalities", GV_SAMPLE.encode(), "gv.csv").items
    assert (m.id, m.ags, m.name) == ("06437012", "06437012", "Mossautal")
    assert (m.district, m.region, m.population) == ("Odenwaldkreis", "Darmstadt", 2427)
    assert abs(m.latitude - 49.644703) < 1e-6 and abs(m.longitude - 8.931026) < 1e-6


def test_real_destatis_files(shared_data):
    gv = parse_file("municipalities", shared_data / "gemeinden" / "gv_auszug_destatis.csv").items
    assert len(gv) > 10_000
    frankfurt = next(m for m in gv if m.ags == "06412000")
    assert frankfurt.name == "Frankfurt am Main" and frankfurt.population > 500_000
    assert all(len(m.ags) == 8 for m in gv)
    old = parse_file(
        "municipalities", shared_data / "gemeinden" / "gemeindeverzeichnis_2011_de.csv"
    ).items
    assert len(old) > 10_000 and any(m.name == "Mossautal" for m in old)
