"""Evaluation pages and API (issue #8): the numbers equal the services', rows are
limited to the caller's scope, the pages render and export."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from tests.web.area_support import (
    DRAWS,
    by_code,
    few_draws,  # noqa: F401  (autouse: few draws)
    ranking,
    service,
)
from tests.web.conftest import Site

from yanzhi.services.plan.orgunits import org_tree

# --------------------------------------------------------------------------- evaluation


def test_ranking_api_equals_the_evaluation_service(site: Site) -> None:
    data = ranking(site, "analyst")
    result = service(site, "township", data["year"])
    expected = result.to_dict()["results"]
    assert data["total"] == data["n_units"] == len(expected) == len(data["items"])
    assert data["uncertainty"] == {"draws": DRAWS, "seed": 1}
    assert by_code(data["items"]) == by_code(expected)
    assert data["years"][0] == data["year"]


def test_district_officer_sees_its_townships_with_their_city_wide_ranks(site: Site) -> None:
    data = ranking(site, "district")
    district = site.accounts["district"]["unit"]
    tree = org_tree(site.engine)
    mine = {u.code for u in tree.children(district)}
    codes = {r["uCode"] for r in data["items"]}
    assert codes and codes <= mine and data["total"] == len(codes) < data["n_units"]
    everyone = by_code(service(site, "township", data["year"]).to_dict()["results"])
    assert by_code(data["items"]) == {c: everyone[c] for c in codes}
    districts = ranking(site, "district", "district")
    assert [r["uCode"] for r in districts["items"]] == [district]


def test_township_officer_sees_exactly_its_own_row(site: Site) -> None:
    data = ranking(site, "township")
    town = site.accounts["township"]["unit"]
    assert data["total"] == 1 and [r["uCode"] for r in data["items"]] == [town]
    row = next(
        r
        for r in service(site, "township", data["year"]).to_dict()["results"]
        if r["uCode"] == town
    )
    assert data["items"][0]["Rank"] == row["Rank"] and data["items"][0]["Score"] == row["Score"]


def test_task_owners_and_enterprises_may_not_see_the_evaluation(site: Site) -> None:
    for user in ("owner", "enterprise"):
        for path in ("/api/v1/evaluation", "/api/v1/evaluation/method", "/evaluation"):
            assert site.as_role(user).get(path).status_code == 403, (user, path)


def test_scorecard_in_scope_and_outside(site: Site) -> None:
    town = site.accounts["township"]["unit"]
    c = site.as_role("township")
    card = c.get(f"/api/v1/evaluation/units/{town}").json()
    result = service(site, "township", card["year"])
    assert card["unit"]["code"] == town
    assert card["row"]["Rank"] == int(result.results.set_index("uCode").at[town, "Rank"])
    fw = result.framework
    assert [i["code"] for i in card["indicators"]] == [i.code for i in fw.indicators]
    assert [p["code"] for p in card["pillars"]] == [a.code for a in fw.aggregates]
    norm = result.build.data["Normalised"]
    for i in card["indicators"]:
        expected = norm.at[town, i["code"]]
        assert i["normalised"] == pytest.approx(expected, nan_ok=True) or i["normalised"] is None
        assert i["rank"] is None or 1 <= i["rank"] <= i["of"] <= card["unit"]["pool_size"]
    tree = org_tree(site.engine)
    sibling = next(u.code for u in tree.children(town[:6]) if u.code != town)
    assert c.get(f"/api/v1/evaluation/units/{sibling}").status_code == 403
    assert c.get(f"/evaluation/units/{sibling}").status_code == 403
    assert c.get(f"/api/v1/evaluation/units/{town[:6]}").status_code == 200  # its district
    assert c.get("/api/v1/evaluation/units/999999999").status_code == 404


def test_method_lists_the_framework(site: Site) -> None:
    data = site.as_role("leader").get("/api/v1/evaluation/method?level=district").json()
    result = service(site, "district", ranking(site, "analyst", "district")["year"])
    fw = result.framework
    assert [i["code"] for i in data["indicators"]] == [i.code for i in fw.indicators]
    weights = {i["code"]: i["effective_weight"] for i in data["indicators"]}
    assert weights == pytest.approx(
        {i.code: float(result.build.effective_weights[i.code]) for i in fw.indicators}
    )
    assert data["uncertainty"]["draws"] == DRAWS and data["uncertainty"]["alternatives"]
    assert data["spec"]["normalise"]["method"]


def test_method_names_every_source_in_chinese(site: Site) -> None:
    """The township framework's sources by name: enterprise counts by the flags they need,
    statistics and denominators by the plan's data elements, registers by kind."""
    from yanzhi.core.registers import REGISTER_KINDS
    from yanzhi.views.common import plan_of

    data = site.as_role("analyst").get("/api/v1/evaluation/method?level=township").json()
    by = {i["code"]: i for i in data["indicators"]}
    assert by["T07"]["source_zh"] == "高新技术企业数（当年认定）"
    assert by["T09"]["source_zh"] == "规上工业企业数（研发投入强度不低于5%）"
    elements = {e.code: e.name for e in plan_of(site.engine).data_elements}
    assert by["T04"]["denominator_zh"] == elements["resident_population"]
    assert by["T11"]["source_zh"] == elements["invention_patents_granted"]
    assert by["T19"]["source_zh"].startswith(REGISTER_KINDS["key_rd_project"].zh)
    assert {i["source_kind_zh"] for i in data["indicators"]} <= {
        "监测指标",
        "统计数据",
        "企业计数",
        "登记簿",
    }
    for i in data["indicators"]:
        assert not re.search(r"[A-Za-z_]{3,}", i["source_zh"]), i


def test_evaluation_pages_render_and_export(site: Site) -> None:
    c = site.as_role("analyst")
    page = c.get("/evaluation")
    assert page.status_code == 200 and 'id="score-chart"' in page.text and "排名" in page.text
    town = site.accounts["township"]["unit"]
    card = c.get(f"/evaluation/units/{town}")
    assert card.status_code == 200 and 'id="contribution-chart"' in card.text
    assert c.get("/evaluation/method?level=district").status_code == 200
    r = c.get("/evaluation?export=ranking")
    rows = list(load_workbook(io.BytesIO(r.content)).worksheets[1].iter_rows(values_only=True))
    assert rows[0][0] == "排名" and len(rows) == 1 + ranking(site, "analyst")["n_units"]
    one = site.as_role("township").get("/evaluation")
    assert one.status_code == 200 and 'id="n-visible">1' in one.text
