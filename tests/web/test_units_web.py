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
    # 优势 / 短板 are the chart's top and bottom contributions (the scorecard, sorted)
    chart = [i for i in ev["scorecard"] if i["contribution"] is not None]
    lifts = [i["code"] for i in chart if i["contribution"] > 0][: len(ev["strengths"])]
    drags = [i["code"] for i in reversed(chart) if i["contribution"] < 0][: len(ev["weaknesses"])]
    assert [s["code"] for s in ev["strengths"]] == lifts and ev["strengths"]
    assert [s["code"] for s in ev["weaknesses"]] == drags and ev["weaknesses"]
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


def test_the_ytd_table_is_the_stored_values_with_their_growth_and_ranks(site: Site) -> None:
    """The township's 1–N月 table: page and API show the stored (approved) values, the
    growth is this year over the same period last year, the ranks count the siblings and
    the township level with a value, in the indicator's direction."""
    import re

    from yanzhi.core.periods import parse_period
    from yanzhi.storage.db import transaction
    from yanzhi.storage.facts import indicator_values

    town = own_town(site)
    c = site.as_role("township")
    ytd = c.get(f"/api/v1/units/{town}").json()["ytd"]
    assert ytd is not None and ytd["peers_zh"].endswith("各乡镇街道")
    period = ytd["period"]
    last = str(parse_period(period).same_period_last_year())
    assert ytd["previous_period"] == last
    with transaction(site.engine) as s:
        stored = indicator_values(s, kinds=["ytd"])
    stored = stored[stored["industry_division"].fillna("") == ""]
    tree = orgunits.org_tree(site.engine)
    siblings = [u.code for u in tree.children(tree.get(town).parent_code)]
    rows = {r["indicator"]: r for r in ytd["rows"]}
    assert "IND_RD_EXPENSE" in rows
    page = c.get(f"/units/{town}").text
    table = page.split('id="table-ytd"', 1)[1].split("</table>", 1)[0]
    for code, r in rows.items():
        now = stored[(stored["indicator"] == code) & (stored["period"] == period)]
        values = dict(zip(now["unit_code"], now["value"], strict=True))
        before = stored[(stored["indicator"] == code) & (stored["period"] == last)]
        prev = dict(zip(before["unit_code"], before["value"], strict=True)).get(town)
        assert r["value"] == pytest.approx(values[town], rel=1e-12)
        assert r["previous"] == pytest.approx(prev, rel=1e-12)
        if r["is_sum"]:
            assert r["yoy_level"] == pytest.approx(values[town] / prev - 1, rel=1e-9)
        else:
            assert r["change_points"] == pytest.approx(values[town] - prev, rel=1e-9)
        peer = [values[x] for x in siblings if x in values]
        assert r["of_parent"] == len(peer)
        assert r["rank_in_parent"] == 1 + sum(v > values[town] for v in peer)  # all "up"
        cell = re.search(rf'data-indicator="{code}">.*?data-value="([^"]*)"', table, re.S)
        assert cell is not None and float(cell.group(1)) == pytest.approx(r["value"], rel=1e-12)
    assert (
        "累计" in page
        and "区内排名" in page
        and period not in page.split('id="ytd"')[1].split("<h2>", 1)[1].split("</h2>", 1)[0]
        and f'<option value="{period}" selected>' in page  # the period picker
    )


def test_township_desk_counts_are_completeness_and_its_lists_the_services(site: Site) -> None:
    """A township officer's desk: the reporting counts are completeness's (API), its
    non-reporters are the first of the non-reporter list, its headline rows have no
    target but the stored value, the change on the year before and the rank — or the
    district's value where the statistic stops at districts — and its enterprises' report
    states add up to the counts."""
    from yanzhi.storage.db import transaction
    from yanzhi.storage.facts import indicator_values

    town = own_town(site)
    c = site.as_role("township")
    desk = c.get(f"/api/v1/units/{town}").json()["desk"]
    assert desk is not None
    rep = desk["reporting"]
    comp = c.get(f"/api/v1/data/completeness?level=township&period={rep['period']}").json()
    row = next(r for r in comp["items"] if r["code"] == town)
    for key in ("expected", "received", "on_time", "late", "missing"):
        assert rep[key] == row[key], key
    assert rep["expected"] == rep["on_time"] + rep["late"] + rep["missing"]
    due = next(d["due"] for d in rep["deadlines"] if d["level"] == "enterprise")
    assert due == row["due"]
    listed = c.get(f"/api/v1/data/nonreporters?unit={town}&period={rep['period']}").json()
    assert rep["nonreporters"] == len(listed["items"]) == rep["missing"]
    assert [x["uscc"] for x in rep["preview"]] == [x["uscc"] for x in listed["items"]][:8]
    # headline: no target at township level; the value is the stored one
    with transaction(site.engine) as s:
        stored = indicator_values(s, kinds=["year"], totals_only=True)
    for h in desk["headline"]:
        mine = stored[(stored["indicator"] == h["indicator"]) & (stored["unit_code"] == town)]
        mine = mine[mine["value"].notna()]
        if mine.empty:
            assert h["value"] is None and h["district"] == DISTRICT
            d = stored[(stored["indicator"] == h["indicator"]) & (stored["unit_code"] == DISTRICT)]
            d = d[d["value"].notna()]
            if not d.empty:
                last = d.loc[d["period"].astype(int).idxmax()]
                assert h["district_value"] == pytest.approx(float(last["value"]), rel=1e-12)
        else:
            last = mine.loc[mine["period"].astype(int).idxmax()]
            assert h["year"] == int(last["period"])
            assert h["value"] == pytest.approx(float(last["value"]), rel=1e-12)
            assert h["rank_in_city"] is not None and 1 <= h["rank_in_city"] <= h["of_city"]
    assert any(h["value"] is not None for h in desk["headline"])
    # own enterprises: the states are the period's, counted as completeness counts them
    assert desk["enterprises_total"] == rep["expected"]
    states = [e["state"] for e in desk["enterprises"]]
    assert set(states) <= {"on_time", "late", "missing"}
    page = c.get(f"/units/{town}").text
    assert 'id="desk-reporting"' in page and 'id="desk-headline"' in page
    assert "无法评估" not in page.split('id="desk-headline"')[1].split("</section>")[0]
    assert f'data-key="missing">{rep["missing"]}<' in page
    # a district's page keeps its verdict cards and has no desk
    assert site.as_role("district").get(f"/api/v1/units/{DISTRICT}").json()["desk"] is None
