"""Registers (台账) on the web: the API's counts equal the service's, each role sees the
entries inside its scope, importing needs register_write (dry run, all or nothing, errors
by row), the pages render, and every register route documents its response."""

from __future__ import annotations

from typing import Any

import pytest
from tests.web.conftest import Site
from tests.web.openapi_support import assert_documented

from yanzhi.services.tasks import registers
from yanzhi.web.api import create_api


def test_registers_api(site: Site) -> None:
    c = site.as_role("analyst")
    kinds = c.get("/api/v1/registers", params={"size": 100}).json()
    counts = {k["code"]: k["entries"] for k in kinds["items"]}
    assert counts["scenario"] == len(registers.list_register(site.engine, "scenario")) > 0
    data = c.get("/api/v1/registers/scenario", params={"size": 500, "year": 2025}).json()
    assert data["total"] == counts["scenario"]
    city = registers.counts(site.engine, "scenario", year=2025)
    assert {d["code"]: d["count"] for d in data["districts"]} == {
        d["code"]: city.get(d["code"], 0) for d in data["districts"]
    }
    assert len(data["districts"]) == 10
    assert c.get("/api/v1/registers/nonsense").status_code == 404
    town = site.accounts["township"]["unit"]
    mine = site.as_role("township").get("/api/v1/registers/scenario", params={"size": 500}).json()
    assert all(e["org_unit_code"] == town for e in mine["items"])
    assert mine["total"] == sum(
        1 for e in registers.list_register(site.engine, "scenario") if e.org_unit_code == town
    )


def test_register_import_needs_register_write(site: Site, tmp_path: Any) -> None:
    town = site.accounts["township"]["unit"]
    csv = (
        "编号,名称,所属区划代码,开始日期,结束日期,场景领域\n"
        f"WEB-1,网页导入场景,{town},2025-03-01,,5G\n"
    )
    files = {"file": ("scenario.csv", csv.encode("utf-8-sig"), "text/csv")}
    r = site.as_role("township").post("/api/v1/registers/scenario/import", files=files)
    assert r.status_code == 403
    c = site.as_role("analyst")
    r = c.post("/api/v1/registers/scenario/import", files=files, data={"dry_run": "true"})
    assert r.status_code == 200 and r.json()["created"] == 1 and r.json()["batch_id"] is None
    assert not any(e.code == "WEB-1" for e in registers.list_register(site.engine, "scenario"))
    r = c.post("/api/v1/registers/scenario/import", files=files)
    assert r.status_code == 200 and r.json()["created"] == 1
    assert any(e.code == "WEB-1" for e in registers.list_register(site.engine, "scenario"))
    bad = {"file": ("bad.csv", "编号,名称\nX,Y\n".encode(), "text/csv")}
    r = c.post("/api/v1/registers/scenario/import", files=bad)
    assert r.status_code == 422 and r.json()["error"]["details"]


@pytest.mark.parametrize("user", ["admin", "analyst", "leader", "owner", "district", "township"])
def test_register_pages_render(site: Site, user: str) -> None:
    c = site.as_role(user)
    for path in ["/registers", "/registers/scenario", "/registers/tech_list"]:
        r = c.get(path)
        assert r.status_code == 200, (user, path, r.text[:300])
        assert 'id="page-data"' in r.text


def test_every_register_route_documents_its_response() -> None:
    assert_documented(create_api().openapi(), "/registers")


def test_the_three_lists_stage_counts_are_one_figure_in_api_and_page(site: Site) -> None:
    import re

    api = site.as_role("analyst").get("/api/v1/registers/tech_list?size=500").json()
    stages = api["stages"]
    assert sum(s["count"] for s in stages) == api["total"] > 0
    contracted = sum(
        e["fields"].get("contract_value") or 0
        for e in api["items"]
        if e["list"] == "transfer" and e["fields"].get("stage") == "已签约"
    )
    row = next(s for s in stages if (s["list_code"], s["stage"]) == ("transfer", "已签约"))
    assert row["contract_value"] == (round(contracted, 2) if row["count"] else None)
    page = site.as_role("analyst").get("/registers/tech_list").text
    for s in stages:
        cell = re.search(
            rf'data-list="{s["list_code"]}".*?data-stage="{s["stage"]}"><td>[^<]*</td>'
            r'<td class="num">(\d+)</td>',
            page,
            re.S,
        )
        assert cell and int(cell.group(1)) == s["count"], s
