"""Official municipality directories from Destatis, read into Municipality models.

Two real formats are understood:
- the GV-ISys quarterly extract ("AuszugGV", columns `satzart,…,gemeindename,…`), where state,
  Regierungsbezirk, district and Gemeindeverband are their own records (Satzart 10/20/40/50)
  above the municipalities (Satzart 60), numbers use spaces as thousands and commas as decimals;
- the older one-row-per-municipality list with `Amtl.Gemeindeschlüssel`, `Kreisname`, … .

From the extract, districts (Landkreise and Kreise; a kreisfreie Stadt is its municipality
already) become actors of kind "kreis", keyed by their 5-digit Kreisschlüssel, and real
Gemeindeverbände (Amt, Samtgemeinde, Verbandsgemeinde, Verwaltungsgemeinschaft, …) actors of
kind "verband", keyed by their 9-digit key and listing their members. Their rows carry no
figures: population and area are their members' sums, the position their members' centre
weighted by population.
"""

from __future__ import annotations

import re
from collections import defaultdict

from matcher.domain.errors import ValidationError
from matcher.domain.schema import Municipality

GV_COLUMNS = {"satzart", "land", "rb", "kreis", "gemeinde", "gemeindename"}
LIST_COLUMNS = {"Amtl.Gemeindeschlüssel", "Kreisname", "PLZ Gemeindenamen"}

# Textkennzeichen of district records (Satzart 40).
_KREISFREI = {"41", "42"}
_LANDKREIS = {"44"}
_KREIS = {"43", "45"}
# Textkennzeichen of Gemeindeverband records (Satzart 50) that are associations, with the word
# people put before the name. Left out: 50, a "verbandsfreie Gemeinde" (the municipality itself:
# every Hessian row is one), and 58, an "erfüllende Gemeinde" (a member town doing the work of
# its neighbours, named like that town).
_VERBAND_WORDS = {
    "51": "Amt",
    "52": "Samtgemeinde",
    "53": "Verbandsgemeinde",
    "54": "Verwaltungsgemeinschaft",
    "55": "Kirchspielslandgemeinde",
    "56": "Verwaltungsverband",
}
# Names that already say what they are ("GVV Aidlingen/Grafenau", "VVG der Stadt Herrenberg").
_NAMED_KIND = re.compile(r"^(GVV|VVG|VG|Amt|Verwaltungs|Verbands|Samtgemeinde)\b", re.IGNORECASE)


def detect(header_row: dict) -> bool:
    """True if a CSV row's keys are those of a Destatis directory."""
    keys = {k.strip().lstrip("\ufeff") for k in header_row}
    return keys >= GV_COLUMNS or keys >= LIST_COLUMNS


def number(text: str | None) -> float | None:
    """A Destatis number: '90 164' → 90164, '9,43751' → 9.43751, '' → None."""
    if text is None:
        return None
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not cleaned or cleaned == "-":
        return None
    try:
        return float(cleaned)
    except ValueError:
        return None


def base_name(name: str) -> str:
    """'Erbach, Kreisstadt' → 'Erbach'; '24937 Flensburg, Stadt' → 'Flensburg'."""
    name = re.sub(r"^\d{5}\s+", "", name.strip())
    return name.split(",")[0].strip()


def _district_name(code: str, name: str) -> str:
    base = base_name(name)
    if code in _KREISFREI:
        return f"{base} (kreisfreie Stadt)"
    if code in _LANDKREIS and not base.lower().endswith("kreis"):
        return f"Landkreis {base}"
    if code in _KREIS and not base.lower().endswith("kreis"):
        return f"Kreis {base}"
    return base


def _verband_name(code: str, name: str) -> str:
    base = base_name(name)
    return base if _NAMED_KIND.match(base) else f"{_VERBAND_WORDS[code]} {base}"


def _region_name(name: str) -> str:
    return re.sub(r"^Reg\.-Bez\.\s*", "", name.strip())


def _clean(row: dict) -> dict:
    return {k.strip().lstrip("\ufeff"): (v or "").strip() for k, v in row.items()}


def _gv_municipalities(rows: list[tuple[int, dict]]) -> list[Municipality]:
    states: dict[str, str] = {}
    regions: dict[tuple[str, str], str] = {}
    districts: dict[tuple[str, str, str], str] = {}
    district_rows: dict[tuple[str, str, str], None] = {}  # of Landkreise and Kreise, in order
    verband_rows: dict[tuple[str, str, str, str], tuple[str, str]] = {}  # → (code, name)
    towns: list[tuple[tuple[str, str, str, str], Municipality]] = []
    problems: list[tuple[str, str]] = []
    for line, raw in rows:
        row = _clean(raw)
        kind, land, rb, kreis = row["satzart"], row["land"], row["rb"], row["kreis"]
        code = row.get("textkennzeichen", "")
        if kind == "10":
            states[land] = row["gemeindename"]
        elif kind == "20":
            regions[(land, rb)] = _region_name(row["gemeindename"])
        elif kind == "40":
            districts[(land, rb, kreis)] = _district_name(code, row["gemeindename"])
            if code not in _KREISFREI:
                district_rows[(land, rb, kreis)] = None
        elif kind == "50" and code in _VERBAND_WORDS:
            verband_rows[(land, rb, kreis, row.get("vb", ""))] = (code, row["gemeindename"])
        elif kind == "60":
            ags = f"{land}{rb}{kreis}{row['gemeinde']}"
            if not re.fullmatch(r"\d{8}", ags):
                problems.append((f"line {line}", f"malformed AGS {ags!r}"))
                continue
            population = number(row.get("bevoelkerung"))
            town = Municipality(
                id=ags,
                ags=ags,
                name=base_name(row["gemeindename"]),
                district=districts.get((land, rb, kreis), ""),
                region=regions.get((land, rb)) or states.get(land, ""),
                population=int(population) if population is not None else None,
                latitude=number(row.get("breitengrad")),
                longitude=number(row.get("laengengrad")),
                area_km2=number(row.get("flaeche")),
            )
            towns.append(((land, rb, kreis, row.get("vb", "")), town))
    if problems:
        raise ValidationError("the directory has malformed rows; nothing was imported", problems)
    out = [town for _, town in towns]
    in_district: dict[tuple[str, str, str], list[Municipality]] = defaultdict(list)
    in_verband: dict[tuple[str, str, str, str], list[Municipality]] = defaultdict(list)
    for (land, rb, kreis, vb), town in towns:
        in_district[(land, rb, kreis)].append(town)
        in_verband[(land, rb, kreis, vb)].append(town)
    for land, rb, kreis in district_rows:
        members = in_district[(land, rb, kreis)]
        key = f"{land}{rb}{kreis}"
        out.append(
            _aggregate(
                Municipality(
                    id=key,
                    ags=key,
                    kind="kreis",
                    name=districts[(land, rb, kreis)],
                    district=districts[(land, rb, kreis)],
                    region=regions.get((land, rb)) or states.get(land, ""),
                ),
                members,
            )
        )
    for (land, rb, kreis, vb), (code, name) in verband_rows.items():
        members = in_verband[(land, rb, kreis, vb)]
        key = f"{land}{rb}{kreis}{vb}"
        if not members or not re.fullmatch(r"\d{9}", key):
            continue
        out.append(
            _aggregate(
                Municipality(
                    id=key,
                    ags=key,
                    kind="verband",
                    name=_verband_name(code, name),
                    district=districts.get((land, rb, kreis), ""),
                    region=regions.get((land, rb)) or states.get(land, ""),
                    members=[t.id for t in members],
                ),
                members,
            )
        )
    return out


def _aggregate(actor: Municipality, members: list[Municipality]) -> Municipality:
    """A district or association with its members' population and area summed and their
    centre, weighted by population, as its position."""
    people = [m.population for m in members if m.population is not None]
    areas = [m.area_km2 for m in members if m.area_km2 is not None]
    placed = [
        (m.latitude, m.longitude, m.population or 1)
        for m in members
        if m.latitude is not None and m.longitude is not None
    ]
    weight = sum(w for _, _, w in placed)
    return actor.model_copy(
        update={
            "population": sum(people) if people else None,
            "area_km2": round(sum(areas), 2) if areas else None,
            "latitude": round(sum(lat * w for lat, _, w in placed) / weight, 6) if placed else None,
            "longitude": round(sum(lon * w for _, lon, w in placed) / weight, 6)
            if placed
            else None,
        }
    )


def _list_municipalities(rows: list[tuple[int, dict]]) -> list[Municipality]:
    out: list[Municipality] = []
    problems: list[tuple[str, str]] = []
    for line, raw in rows:
        row = _clean(raw)
        ags = row["Amtl.Gemeindeschlüssel"]
        if not re.fullmatch(r"\d{8}", ags):
            problems.append((f"line {line}", f"malformed AGS {ags!r}"))
            continue
        population = number(row.get("Einwohner gesamt"))
        out.append(
            Municipality(
                id=ags,
                ags=ags,
                name=base_name(row["PLZ Gemeindenamen"]),
                district=base_name(row["Kreisname"]),
                region=_region_name(row.get("Regierungs-Bezirk", "")) or row.get("Bundesland", ""),
                population=int(population) if population is not None else None,
            )
        )
    if problems:
        raise ValidationError("the directory has malformed rows; nothing was imported", problems)
    return out


def municipalities(rows: list[tuple[int, dict]]) -> list[Municipality]:
    """Municipalities of a Destatis directory (either format)."""
    if not rows:
        return []
    if set(_clean(rows[0][1])) >= GV_COLUMNS:
        return _gv_municipalities(rows)
    return _list_municipalities(rows)
