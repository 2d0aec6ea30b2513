"""The cockpit (驾驶舱) and its API: the numbers are services/monitoring/status.py's, a
scoped user sees only its own district on the map, its tables export to Excel; and every
route of the cockpit, indicator and unit areas declares its response model."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from tests.web.conftest import Site
from tests.web.monitor_helpers import status_of


def test_cockpit_api_numbers_equal_the_status_service(site: Site) -> None:
    data = site.as_role("analyst").get("/api/v1/cockpit").json()
    expected = {i["indicator"]: i["value"] for i in status_of(site)["indicators"]}
    assert {i["indicator"]: i["value"] for i in data["headline"]} == expected
    assert len(data["headline"]) == 5
    assert len(data["districts"]) == 10 and all(d["visible"] for d in data["districts"])


def test_township_officer_sees_only_its_own_district_on_the_map(site: Site) -> None:
    data = site.as_role("township").get("/api/v1/cockpit").json()
    visible = [d["code"] for d in data["districts"] if d["visible"]]
    assert visible == [site.accounts["district"]["unit"]]
    assert all("indicators" not in d for d in data["districts"] if not d["visible"])


def test_cockpit_completeness_exports_to_excel(site: Site) -> None:
    r = site.as_role("analyst").get("/?export=completeness")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).worksheets[1]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "区县" and len(rows) == 11  # header + 10 districts


AREAS = ("/cockpit", "/indicators", "/units")


def test_every_route_of_the_cockpit_indicator_and_unit_areas_has_a_response_model(
    site: Site,
) -> None:
    doc = site.as_role("analyst").get("/api/v1/openapi.json").json()
    routes = {
        path: ops
        for path, ops in doc["paths"].items()
        if path.removeprefix("/api/v1").startswith(AREAS)
    }
    assert len(routes) == 7, sorted(routes)  # cockpit, 4 indicator routes, 2 unit routes
    for path, ops in routes.items():
        for method, op in ops.items():
            schema = op["responses"]["200"]["content"]["application/json"]["schema"]
            assert "$ref" in schema, (method, path, schema)
            name = schema["$ref"].rsplit("/", 1)[-1]
            assert doc["components"]["schemas"][name]["properties"], name
