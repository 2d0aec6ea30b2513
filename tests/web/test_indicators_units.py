"""The indicator and unit pages and their API: the numbers are services/monitoring/status.py's (and
analysis, reporting, tasks), scoped users get 403 on other units, the pages render and their
tables export to Excel."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from tests.web.conftest import Site

from yanzhi.services.collection import workflow as reporting
from yanzhi.services.monitoring import analysis, status
from yanzhi.services.plan import orgunits
from yanzhi.views.cockpit import latest_period

DISTRICT = "330212"


def _town(site: Site) -> str:
    return str(site.accounts["township"]["unit"])


def _other_town(site: Site) -> str:
    """Another township of the same district (a sibling the township officer may not see)."""
    tree = orgunits.org_tree(site.engine)
    return next(u.code for u in tree.children(DISTRICT) if u.code != _town(site))


def _other_district(site: Site) -> str:
    tree = orgunits.org_tree(site.engine)
    return next(u.code for u in tree.by_level("district") if u.code != DISTRICT)


def _by_code(rows: list[dict[str, Any]], key: str = "indicator") -> dict[str, dict[str, Any]]:
    return {r[key]: r for r in rows}


# -- numbers ---------------------------------------------------------------------------------
def test_indicator_list_equals_the_status_service_headline_first(site: Site) -> None:
    r = site.as_role("analyst").get("/api/v1/indicators")
    assert r.status_code == 200
    data = r.json()
    items = data["items"]
    expected = status.status(site.engine, headline_only=False)["indicators"]
    assert data["total"] == len(expected) and data["unit"]["code"] == "330200"
    assert {i["indicator"]: i["value"] for i in items} == {
        e["indicator"]: e["value"] for e in expected
    }
    flags = [i["headline"] for i in items]
    assert flags == sorted(flags, reverse=True) and flags.count(True) == 5  # headline first
    got = _by_code(items)
    for e in expected:
        assert got[e["indicator"]]["status"] == e["status"]
        assert got[e["indicator"]]["p_meet"] == e["forecast"]["probability_meeting_target"]


def test_indicator_api_equals_status_for_the_city_and_a_district(site: Site) -> None:
    c = site.as_role("analyst")
    city = _by_code(status.status(site.engine)["indicators"])["RD_GDP"]
    got = c.get("/api/v1/indicators/RD_GDP").json()
    assert got["status"]["value"] == city["value"] and got["status"]["value"] is not None
    assert got["status"]["status"] == city["status"]
    assert got["status"]["assessment"] == city["assessment"]
    assert got["status"]["forecast"] == city["forecast"]
    assert got["status"]["target_path"] == city["assessment"]["interim_targets"]
    facts = {f["key"]: f["value"] for f in got["explanation"]}
    assert facts["base_value"] == city["assessment"]["base_value"]
    assert facts["p_meet"] == city["forecast"]["probability_meeting_target"]

    dist = _by_code(status.status(site.engine, unit=DISTRICT)["indicators"])["IND_RD_INTENSITY"]
    got = c.get(f"/api/v1/indicators/IND_RD_INTENSITY?unit={DISTRICT}").json()
    assert got["unit"]["code"] == DISTRICT
    assert got["status"]["series"] == dist["series"] and got["status"]["ytd"] == dist["ytd"]
    ytd = got["periods"]["ytd"]
    assert ytd[dist["ytd"]["period"]] == pytest.approx(dist["ytd"]["value"])


def test_children_values_equal_the_status_of_each_child(site: Site) -> None:
    r = site.as_role("district").get(
        f"/api/v1/indicators/IND_RD_INTENSITY/children?unit={DISTRICT}&size=500"
    )
    assert r.status_code == 200
    kids = r.json()["items"]
    tree = orgunits.org_tree(site.engine)
    assert [k["code"] for k in kids] == [u.code for u in tree.children(DISTRICT)]
    compared = 0
    for k in kids:
        try:
            one = status.status(site.engine, unit=k["code"], headline_only=False)
        except LookupError:  # a township without any data in the small demo
            assert k["value"] is None and k["status"] == "not_available"
            continue
        want = _by_code(one["indicators"])["IND_RD_INTENSITY"]
        assert (k["value"], k["status"], k["year"]) == (want["value"], want["status"], want["year"])
        compared += want["value"] is not None
    assert compared >= 3


def test_attribution_equals_the_analysis_service(site: Site) -> None:
    c = site.as_role("analyst")
    got = c.get("/api/v1/indicators/IND_RD_INTENSITY/attribution?by=district&from=2022&to=2025")
    assert got.status_code == 200, got.text
    data = got.json()
    want = analysis.attribution(
        site.engine, indicator="IND_RD_INTENSITY", start="2022", end="2025", by="district"
    )
    assert data["change"] == pytest.approx(want["change"])
    assert len(data["groups"]) == len(want["groups"]) == 10
    assert data["top_contributors"]["positive"][0]["name"]  # names for the analyst
    # inside a district: the district's townships only
    inside = c.get(
        f"/api/v1/indicators/IND_RD_INTENSITY/attribution?unit={DISTRICT}&from=2022&to=2025"
    ).json()
    assert inside["by"] == "township"
    assert inside["groups"] and all(
        g["township_code"].startswith(DISTRICT) for g in inside["groups"]
    )


def test_attribution_is_cut_to_what_the_principal_may_see(site: Site) -> None:
    url = "/api/v1/indicators/IND_RD_INTENSITY/attribution?by=township&from=2022&to=2025"
    town = site.as_role("township").get(url).json()
    assert [g["township_code"] for g in town["groups"]] == [_town(site)]
    for side in ("positive", "negative"):
        assert all(e["township_code"] == _town(site) for e in town["top_contributors"][side])
    owner = site.as_role("owner").get(url).json()
    assert owner["top_contributors"] is None  # a department does not read enterprises
    assert owner["groups"] == []  # and sees no township


def test_township_drilldown_lists_its_top_enterprises_in_scope(site: Site) -> None:
    r = site.as_role("township").get(
        f"/api/v1/indicators/IND_RD_INTENSITY/children?unit={_town(site)}"
    )
    assert r.status_code == 200
    data = r.json()
    assert data["items"] == [] and data["enterprises"] is not None
    found = data["enterprises"]["positive"] + data["enterprises"]["negative"]
    assert found and all(e["township_code"] == _town(site) and e["name"] for e in found)


def test_bad_attribution_requests_are_4xx(site: Site) -> None:
    c = site.as_role("analyst")
    base = "/api/v1/indicators/IND_RD_EXPENSE/attribution"
    assert c.get(base).status_code == 400  # not a ratio
    assert c.get(base.replace("IND_RD_EXPENSE", "RD_GDP") + "?by=industry").status_code == 400
    bad = c.get("/api/v1/indicators/IND_RD_INTENSITY/attribution?from=yesterday")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_request"
    assert c.get("/api/v1/indicators/IND_RD_INTENSITY/attribution?by=planet").status_code == 422
    counted = c.get("/api/v1/indicators/ENT_RD_ACTIVE_SHARE/attribution")
    assert counted.status_code == 400


def test_unknown_codes_are_404(site: Site) -> None:
    c = site.as_role("analyst")
    assert c.get("/api/v1/indicators/NO_SUCH").status_code == 404
    assert c.get("/api/v1/indicators/NO_SUCH/children").status_code == 404
    assert c.get("/api/v1/indicators/RD_GDP?unit=999999").status_code == 404
    assert c.get("/api/v1/units/999999").status_code == 404
    r = c.get("/units/999999")
    assert r.status_code == 404 and "未找到" in r.text
    assert c.get("/indicators/NO_SUCH").status_code == 404


# -- scope -----------------------------------------------------------------------------------
def test_township_officer_gets_403_on_another_township(site: Site) -> None:
    c = site.as_role("township")
    other = _other_town(site)
    for url in (
        f"/units/{other}",
        f"/api/v1/units/{other}",
        f"/indicators/RD_GDP?unit={other}",
        f"/api/v1/indicators/RD_GDP?unit={other}",
        f"/api/v1/indicators/RD_GDP/children?unit={other}",
        f"/api/v1/indicators/IND_RD_INTENSITY/attribution?unit={other}",
        f"/api/v1/units/{_other_district(site)}",
    ):
        r = c.get(url)
        assert r.status_code == 403, url
    assert c.get(f"/api/v1/units/{other}").json()["error"]["code"] == "forbidden"
    assert "无权访问" in c.get(f"/units/{other}").text
    assert c.get(f"/units/{_town(site)}").status_code == 200
    assert c.get(f"/api/v1/units/{DISTRICT}").status_code == 200  # the totals above it


def test_district_officer_sees_its_townships_and_no_other_district(site: Site) -> None:
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
    assert f'href="/units/{_other_district(site)}"' not in page.text
    assert c.get(f"/units/{_other_district(site)}").status_code == 403
    assert c.get(f"/api/v1/units/{_other_town(site)}").status_code == 200


def test_department_sees_the_city_only_and_enterprise_users_nothing(site: Site) -> None:
    owner = site.as_role("owner")
    assert [u["code"] for u in owner.get("/api/v1/units").json()["items"]] == ["330200"]
    assert owner.get(f"/api/v1/units/{DISTRICT}").status_code == 403
    assert owner.get("/api/v1/indicators").status_code == 200
    ent = site.as_role("enterprise")
    assert ent.get("/api/v1/indicators").status_code == 403
    assert ent.get("/api/v1/units").status_code == 403


# -- the unit page's numbers ------------------------------------------------------------------
def test_unit_api_numbers_equal_the_services(site: Site) -> None:
    data = site.as_role("district").get(f"/api/v1/units/{DISTRICT}").json()
    want = _by_code(status.status(site.engine, unit=DISTRICT)["indicators"])
    assert [h["indicator"] for h in data["headline"]] == list(want)
    for h in data["headline"]:
        assert (h["value"], h["status"]) == (want[h["indicator"]]["value"],
                                             want[h["indicator"]]["status"])  # fmt: skip
    period = latest_period(site.engine)
    c = data["completeness"]
    assert c["period"] == period
    rows = {r["code"]: r for r in reporting.completeness(site.engine, period=str(period),
                                                          level="district")}  # fmt: skip
    assert (c["unit"]["expected"], c["unit"]["received"]) == (
        rows[DISTRICT]["expected"], rows[DISTRICT]["received"])  # fmt: skip
    assert len(c["children"]) == len(orgunits.org_tree(site.engine).children(DISTRICT))
    for t in data["tasks"]:
        assert t["lead"] == DISTRICT or t["role"] == "co"
    w = analysis.warnings(site.engine, levels=("district", "township"), within=DISTRICT)
    assert data["warnings"]["off_track"] == w["off_track"]


def test_unit_tasks_are_those_it_leads_or_co_leads(site: Site) -> None:
    from yanzhi.services.tasks import updates as tasks

    board = tasks.board(site.engine)["tasks"]
    for code in [DISTRICT, _other_district(site)]:
        want = sorted(t["code"] for t in board if code in [t["lead"], *t["co_units"]])
        got = site.as_role("analyst").get(f"/api/v1/units/{code}").json()["tasks"]
        assert sorted(t["code"] for t in got) == want
    assert any(code in [t["lead"], *t["co_units"]] for t in board for code in [DISTRICT])


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


# -- pages -----------------------------------------------------------------------------------
def test_pages_render_with_the_indicator_names(site: Site) -> None:
    c = site.as_role("district")
    r = c.get("/indicators")
    assert r.status_code == 200 and "全社会R&amp;D经费支出占地区生产总值比重" in r.text
    r = c.get(f"/indicators/IND_RD_INTENSITY?unit={DISTRICT}")
    assert r.status_code == 200
    assert "规上工业企业研发费用支出占营业收入比重" in r.text and 'id="page-data"' in r.text
    assert 'id="trend"' in r.text and 'id="attribution-chart"' in r.text
    r = site.as_role("township").get(f"/indicators/IND_RD_INTENSITY?unit={_town(site)}")
    assert r.status_code == 200 and "影响最大的企业" in r.text and "/enterprises/" in r.text
    r = c.get("/indicators/IND_RD_EXPENSE")  # no attribution: a note, not an error
    assert r.status_code == 200 and 'id="attribution-note"' in r.text
    r = c.get(f"/units/{DISTRICT}")
    assert r.status_code == 200 and "鄞州区" in r.text and "规上工业企业研发费用" in r.text
    r = c.get("/units")
    assert r.status_code == 200 and "鄞州区" in r.text
    en = site.login("analyst")
    en.get("/lang/en")
    r = en.get("/indicators/RD_GDP")
    assert r.status_code == 200 and "Gross domestic expenditure on R&amp;D" in r.text


def test_unit_and_indicator_tables_export_to_excel(site: Site) -> None:
    c = site.as_role("district")
    r = c.get(f"/units/{DISTRICT}?export=headline")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    want = status.status(site.engine, unit=DISTRICT)["indicators"]
    assert rows[0][0] == "指标" and len(rows) == 1 + len(want)
    assert [row[1] for row in rows[1:]] == [pytest.approx(w["value"]) for w in want]
    r = c.get(f"/units/{DISTRICT}?export=completeness")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + len(orgunits.org_tree(site.engine).children(DISTRICT))
    r = c.get("/indicators?export=indicators")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + len(status.status(site.engine, headline_only=False)["indicators"])
    r = c.get(f"/indicators/IND_RD_INTENSITY?unit={DISTRICT}&export=children")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "单位" and len(rows) > 5
