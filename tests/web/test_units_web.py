"""The unit pages and their API: the numbers are the services' (status, warnings,
reporting, tasks, evaluation), scoped users get 403 on other units, the pages render and
their tables export to Excel."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from tests.web.conftest import Site
from tests.web.monitor_helpers import (
    DISTRICT,
    by_code,
    other_district,
    other_town,
    own_town,
    status_of,
)

from yanzhi.services.collection import workflow as reporting
from yanzhi.services.monitoring import analysis
from yanzhi.services.plan import orgunits
from yanzhi.views.cockpit import latest_period


def test_township_officer_gets_403_on_another_township(site: Site) -> None:
    c = site.as_role("township")
    other = other_town(site)
    for url in (
        f"/units/{other}",
        f"/api/v1/units/{other}",
        f"/indicators/RD_GDP?unit={other}",
        f"/api/v1/indicators/RD_GDP?unit={other}",
        f"/api/v1/indicators/RD_GDP/children?unit={other}",
        f"/api/v1/indicators/IND_RD_INTENSITY/attribution?unit={other}",
        f"/api/v1/units/{other_district(site)}",
    ):
        r = c.get(url)
        assert r.status_code == 403, url
    assert c.get(f"/api/v1/units/{other}").json()["error"]["code"] == "forbidden"
    assert "无权访问" in c.get(f"/units/{other}").text
    assert c.get(f"/units/{own_town(site)}").status_code == 200
    assert c.get(f"/api/v1/units/{DISTRICT}").status_code == 200  # the totals above it


def test_district_officer_sees_its_townships_and_noother_district(site: Site) -> None:
    tree = orgunits.org_tree(site.engine)
    c = site.as_role("district")
    units = c.get("/api/v1/units?size=500").json()
    codes = [u["code"] for u in units["items"]]
    assert codes == ["330200", DISTRICT, *[u.code for u in tree.children(DISTRICT)]]
    assert units["total"] == len(codes)
    page = c.get("/units")
    assert page.status_code == 200
    for u in tree.children(DISTRICT)[:3]:
        assert f'href="/units/{u.code}"' in page.text
    assert f'href="/units/{other_district(site)}"' not in page.text
    assert c.get(f"/units/{other_district(site)}").status_code == 403
    assert c.get(f"/api/v1/units/{other_town(site)}").status_code == 200


def test_department_sees_the_city_only_and_enterprise_users_nothing(site: Site) -> None:
    owner = site.as_role("owner")
    assert [u["code"] for u in owner.get("/api/v1/units").json()["items"]] == ["330200"]
    assert owner.get(f"/api/v1/units/{DISTRICT}").status_code == 403
    assert owner.get("/api/v1/indicators").status_code == 200
    ent = site.as_role("enterprise")
    assert ent.get("/api/v1/indicators").status_code == 403
    assert ent.get("/api/v1/units").status_code == 403


def test_unit_api_numbers_equal_the_services(site: Site) -> None:
    data = site.as_role("district").get(f"/api/v1/units/{DISTRICT}").json()
    want = by_code(status_of(site, unit=DISTRICT)["indicators"])
    assert [h["indicator"] for h in data["headline"]] == list(want)
    for h in data["headline"]:
        assert (h["value"], h["status"]) == (want[h["indicator"]]["value"],
                                             want[h["indicator"]]["status"])  # fmt: skip
    period = latest_period(site.engine)
    c = data["completeness"]
    assert c["period"] == period
    rows = {r.code: r for r in reporting.completeness(site.engine, period=str(period),
                                                          level="district")}  # fmt: skip
    assert (c["unit"]["expected"], c["unit"]["received"]) == (
        rows[DISTRICT].expected, rows[DISTRICT].received)  # fmt: skip
    assert len(c["children"]) == len(orgunits.org_tree(site.engine).children(DISTRICT))
    for t in data["tasks"]:
        assert t["lead"] == DISTRICT or t["role"] == "co"
    w = analysis.warnings(site.engine, levels=("district", "township"), within=DISTRICT).to_dict()
    assert data["warnings"]["off_track"] == w["off_track"]


def test_unit_tasks_are_those_it_leads_or_co_leads(site: Site) -> None:
    from yanzhi.services.tasks import updates as tasks

    board = tasks.board(site.engine).tasks
    for code in [DISTRICT, other_district(site)]:
        want = sorted(t.code for t in board if code in [t.lead, *t.co_units])
        got = site.as_role("analyst").get(f"/api/v1/units/{code}").json()["tasks"]
        assert sorted(t["code"] for t in got) == want
    assert any(code in [t.lead, *t.co_units] for t in board for code in [DISTRICT])


def test_unit_evaluation_rank_is_the_evaluation_services(site: Site) -> None:
    from yanzhi.services.evaluation import evaluate as evaluation
    from yanzhi.views import evaluation as ev_views

    ev = site.as_role("district").get(f"/api/v1/units/{DISTRICT}").json()["evaluation"]
    year = ev_views.years(site.engine, "district")[0]
    result = evaluation.evaluate(site.engine, level="district", year=year, uncertainty=0)
    row = next(r for r in result.to_dict()["results"] if r["uCode"] == DISTRICT)
    assert ev["year"] == year and ev["result"]["Rank"] == row["Rank"]
    assert ev["result"]["Score"] == pytest.approx(row["Score"])
    assert ev["pool_size"] == 10 and len(ev["scorecard"]) == len(result.framework.indicators)
    assert site.as_role("owner").get("/api/v1/units/330200").json()["evaluation"] is None


def test_unknown_unit_codes_are_404(site: Site) -> None:
    c = site.as_role("analyst")
    assert c.get("/api/v1/units/999999").status_code == 404
    r = c.get("/units/999999")
    assert r.status_code == 404 and "未找到" in r.text


def test_unit_pages_render_with_the_indicator_names(site: Site) -> None:
    c = site.as_role("district")
    r = c.get(f"/units/{DISTRICT}")
    assert r.status_code == 200 and "鄞州区" in r.text and "规上工业企业研发费用" in r.text
    r = c.get("/units")
    assert r.status_code == 200 and "鄞州区" in r.text


def test_unit_tables_export_to_excel(site: Site) -> None:
    c = site.as_role("district")
    r = c.get(f"/units/{DISTRICT}?export=headline")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd")
    rows = list(load_workbook(io.BytesIO(r.content)).worksheets[1].iter_rows(values_only=True))
    want = status_of(site, unit=DISTRICT)["indicators"]
    assert rows[0][0] == "指标" and len(rows) == 1 + len(want)
    assert [row[1] for row in rows[1:]] == [pytest.approx(w["value"]) for w in want]
    r = c.get(f"/units/{DISTRICT}?export=completeness")
    rows = list(load_workbook(io.BytesIO(r.content)).worksheets[1].iter_rows(values_only=True))
    assert len(rows) == 1 + len(orgunits.org_tree(site.engine).children(DISTRICT))
