"""Official municipality directories from Destatis, read into Municipality models.

Two real formats are understood:
- the GV-ISys quarterly extract ("AuszugGV", columns `satzart,…,gemeindename,…`), where state,
  Regierungsbezirk and district are their own records (Satzart 10/20/40) above the
  municipalities (Satzart 60), numbers use spaces as thousands and commas as decimals;
- the older one-row-per-municipality list with `Amtl.Gemeindeschlüssel`, `Kreisname`, … .
"""

from __future__ import annotations

import re

from matcher.domain.errors import ValidationError
from matcher.domain.schema import Municipality

GV_COLUMNS = {"satzart", "land", "rb", "kreis", "gemeinde", "gemeindename"}
LIST_COLUMNS = {"Amtl.Gemeindeschlüssel", "Kreisname", "PLZ Gemeindenamen"}

# Textkennzeichen of district records (Satzart 40).
_KREISFREI = {"41", "42"}
_LANDKREIS = {"44"}
_KREIS = {"43", "45"}


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


def _region_name(name: str) -> str:
    return re.sub(r"^Reg\.-Bez\.\s*", "", name.strip())


def _clean(row: dict) -> dict:
    return {k.strip().lstrip("\ufeff"): (v or "").strip() for k, v in row.items()}


def _gv_municipalities(rows: list[tuple[int, dict]]) -> list[Municipality]:
    states: dict[str, str] = {}
    regions: dict[tuple[str, str], str] = {}
    districts: dict[tuple[str, str, str], str] = {}
    out: list[Municipality] = []
    problems: list[tuple[str, str]] = []
    for line, raw in rows:
        row = _clean(raw)
        kind, land, rb, kreis = row["satzart"], row["land"], row["rb"], row["kreis"]
        if kind == "10":
            states[land] = row["gemeindename"]
        elif kind == "20":
            regions[(land, rb)] = _region_name(row["gemeindename"])
        elif kind == "40":
            districts[(land, rb, kreis)] = _district_name(
                row.get("textkennzeichen", ""), row["gemeindename"]
            )
        elif kind == "60":
            ags = f"{land}{rb}{kreis}{row['gemeinde']}"
            if not re.fullmatch(r"\d{8}", ags):
                problems.append((f"line {line}", f"malformed AGS {ags!r}"))
                continue
            population = number(row.get("bevoelkerung"))
            out.append(
                Municipality(
                    id=ags,
                    ags=ags,
                    name=base_name(row["gemeindename"]),
                    district=districts.get((land, rb, kreis), ""),
                    region=regions.get((land, rb)) or states.get(land, ""),
                    population=int(population) if population is not None else None,
                    latitude=number(row.get("breitengrad")),
                    longitude=number(row.get("laengengrad")),
                )
            )
    if problems:
        raise ValidationError("the directory has malformed rows; nothing was imported", problems)
    return out


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
