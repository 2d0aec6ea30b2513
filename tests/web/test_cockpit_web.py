"""The cockpit (驾驶舱) and its API: the numbers are services/monitoring/status.py's, a
scoped user sees only its own district on the map, its tables export to Excel; and every
route of the cockpit, indicator and unit areas declares its response model."""

from __future__ import annotations

import io

import pytest
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


def test_the_cockpit_ytd_panel_is_the_city_unit_table_and_follows_the_period(
    site: Site,
) -> None:
    """The cockpit's 1–N月 panel is unit_ytd for the city (API, page and view agree); the
    default is the latest approved period; ?period= an earlier one gives that period's
    stored values; a period without approved data is refused with 400 in Chinese."""
    from yanzhi.core.periods import parse_period
    from yanzhi.services.access.principal import SYSTEM
    from yanzhi.services.access.scope import resolve
    from yanzhi.services.plan import orgunits
    from yanzhi.storage.db import transaction
    from yanzhi.storage.facts import indicator_values
    from yanzhi.views.unitytd import unit_ytd

    c = site.as_role("analyst")
    city = c.get("/api/v1/cockpit").json()
    ytd, region = city["ytd"], city["plan"]["region"]
    assert ytd is not None and ytd["periods"][0] == ytd["period"]
    tree = orgunits.org_tree(site.engine)
    view = unit_ytd(site.engine, resolve(SYSTEM, tree), region)
    assert view is not None and view.model_dump() == ytd
    assert c.get(f"/api/v1/units/{region}").json()["ytd"] == ytd
    with transaction(site.engine) as s:
        stored = indicator_values(s, kinds=["ytd"])
    stored = stored[
        (stored["industry_division"].fillna("") == "") & (stored["unit_code"] == region)
    ]

    def value(code: str, period: str) -> float:
        row = stored[(stored["indicator"] == code) & (stored["period"] == period)]
        return float(row["value"].iloc[0])

    earlier = ytd["periods"][2]
    p = parse_period(earlier)
    before = f"{p.year}-01..{p.last_month - 1:02d}"
    chosen = c.get(f"/api/v1/cockpit?period={earlier}").json()["ytd"]
    assert chosen["period"] == earlier and chosen["month_before_period"] == before
    for r in chosen["rows"]:
        now = value(r["indicator"], earlier)
        assert r["value"] == pytest.approx(now, rel=1e-12)
        assert r["month_before"] == pytest.approx(value(r["indicator"], before), rel=1e-12)
        last = value(r["indicator"], str(p.same_period_last_year()))
        assert r["previous"] == pytest.approx(last, rel=1e-12)
        if r["is_sum"]:
            was = (
                value(r["indicator"], before)
                / value(r["indicator"], str(parse_period(before).same_period_last_year()))
                - 1
            )
            assert r["mom_points"] == pytest.approx(100 * (now / last - 1 - was), rel=1e-9)
        else:
            assert r["mom_points"] == pytest.approx(now - value(r["indicator"], before), abs=1e-9)
    assert {r["indicator"]: r["value"] for r in chosen["rows"]} != {
        r["indicator"]: r["value"] for r in ytd["rows"]
    }
    page = c.get(f"/?period={earlier}").text
    panel = page.split('id="ytd"', 1)[1].split("</section>", 1)[0]
    assert p.label_zh() + "累计" in panel and f'value="{earlier}" selected' in panel
    assert "环比" in panel and "个百分点" in panel
    for bad in ("2099-01..05", "nonsense", "2026-03"):
        for url in (f"/api/v1/cockpit?period={bad}", f"/api/v1/units/{region}?period={bad}"):
            r = c.get(url)
            assert r.status_code == 400, url
            zh = r.json()["error"]["message_zh"]
            assert "请在" in zh and parse_period(ytd["periods"][0]).label_zh() in zh
        r = c.get(f"/?period={bad}")
        assert r.status_code == 400 and "所选报告期没有已审核的累计数据" in r.text
