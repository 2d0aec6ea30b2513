"""Long tables on the server (issue #18 item 7): ``?ID.sort / order / q / page / size`` and
``?ID.<column>=`` sort, filter and page a page's table and its JSON twin alike; the Excel
export holds every filtered row in order; bad values are a Chinese 400 page and a coded
API error."""

from __future__ import annotations

import io
import math
import re
from typing import Any

from openpyxl import load_workbook
from tests.web.area_support import few_draws  # noqa: F401  (autouse: few draws)
from tests.web.conftest import Site

from yanzhi.views import tablequery


def _table_html(html: str, table: str) -> str:
    start = html.index(f'id="table-{table}"')
    return html[start : html.index("</table>", start)]


def _page_usccs(html: str) -> list[str]:
    return re.findall(
        r'<td class=""><a href="/enterprises/([0-9A-Z]+)">[0-9A-Z]{18}</a>',
        _table_html(html, "enterprises"),
    )


def _sheet_rows(data: bytes) -> list[list[Any]]:
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[-1]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_query_sorts_numbers_numerically_missing_last_and_is_stable() -> None:
    rows = [{"k": v, "i": i} for i, v in enumerate([10, None, 9.5, float("nan"), 100, 9.5])]
    asc = tablequery.apply(rows, tablequery.parse({"t.sort": "k"}, "t", {"k", "i"}))
    assert [r["i"] for r in asc.matched] == [2, 5, 0, 4, 1, 3]
    desc = tablequery.apply(rows, tablequery.parse({"t.sort": "k", "t.order": "desc"}, "t", None))
    assert [r["i"] for r in desc.matched] == [4, 0, 2, 5, 1, 3]
    names = [{"n": "宁波乙"}, {"n": "Ab"}, {"n": "宁波甲"}, {"n": "aa"}]
    by = tablequery.apply(names, tablequery.parse({"t.sort": "n"}, "t", None)).matched
    assert [r["n"] for r in by] == ["aa", "Ab", "宁波乙", "宁波甲"]  # case folded, code points


def test_enterprise_list_sorts_filters_and_pages_like_its_api(site: Site) -> None:
    c = site.as_role("analyst")
    every = c.get("/api/v1/enterprises", params={"size": 500}).json()
    assert every["total"] == len(every["items"]) > 100
    # sort by a column, descending: the order the values say, for the page and the API
    q = {"enterprises.sort": "uscc", "enterprises.order": "desc", "enterprises.size": "40"}
    api = c.get("/api/v1/enterprises", params=q).json()
    want = sorted((i["uscc"] for i in every["items"]), reverse=True)
    assert [i["uscc"] for i in api["items"]] == want[:40]
    assert (api["total"], api["page"], api["size"]) == (every["total"], 1, 40)
    page = c.get("/enterprises", params=q)
    assert page.status_code == 200 and _page_usccs(page.text) == want[:40]
    assert 'aria-sort="descending"' in page.text and "▼" in page.text
    assert f"第 1 / {math.ceil(every['total'] / 40)} 页" in page.text
    # paging covers each row once, page and API alike
    seen: list[str] = []
    for n in range(1, math.ceil(every["total"] / 40) + 1):
        q["enterprises.page"] = str(n)
        got = [i["uscc"] for i in c.get("/api/v1/enterprises", params=q).json()["items"]]
        assert _page_usccs(c.get("/enterprises", params=q).text) == got
        seen += got
    assert seen == want
    # a column filter and the text filter keep only the matching rows
    district = every["items"][0]["district"]
    only = {"enterprises.district": district, "enterprises.size": "500"}
    found = c.get("/api/v1/enterprises", params=only).json()
    assert found["items"] and {i["district"] for i in found["items"]} == {district}
    assert found["total"] == sum(i["district"] == district for i in every["items"])
    shown = c.get("/enterprises", params=only).text
    assert f"共 {found['total']} 家企业" in shown and "清除筛选" in shown
    town = every["items"][-1]["township"]
    text = c.get("/api/v1/enterprises", params={"enterprises.q": town, "size": 500}).json()
    assert text["items"] and all(
        any(isinstance(v, str) and town in v for v in i.values()) for i in text["items"]
    )
    # the export holds all filtered rows (more than one page), in the sort order
    many = {"enterprises.district": district, "enterprises.sort": "uscc", "enterprises.size": "5"}
    x = c.get("/enterprises", params={**many, "export": "enterprises"})
    assert x.status_code == 200
    body = _sheet_rows(x.content)
    usccs = [r[body[0].index("统一社会信用代码")] for r in body[1:]]
    assert usccs == sorted(i["uscc"] for i in found["items"]) and len(usccs) > 5


def test_ranking_sorts_by_score_and_pages_like_its_api(site: Site) -> None:
    c = site.as_role("analyst")
    q = {"ranking.sort": "Score", "ranking.order": "desc", "ranking.size": "7"}
    first = c.get("/api/v1/evaluation", params=q).json()
    total = first["total"]
    assert total > 7 and first["size"] == 7
    scores: list[float] = []
    units: list[str] = []
    for n in range(1, math.ceil(total / 7) + 1):
        got = c.get("/api/v1/evaluation", params={**q, "ranking.page": n}).json()["items"]
        page = c.get("/evaluation", params={**q, "ranking.page": n}).text
        linked = re.findall(r'href="/evaluation/units/([^"?]+)\?', _table_html(page, "ranking"))
        assert linked == [r["uCode"] for r in got]
        scores += [r["Score"] for r in got if r["Score"] is not None]
        units += [r["uCode"] for r in got]
    assert len(units) == len(set(units)) == total
    assert scores == sorted(scores, reverse=True)
    # the bare API names give the same rows
    bare = c.get("/api/v1/evaluation", params={"sort": "Score", "order": "desc", "size": 7})
    assert [r["uCode"] for r in bare.json()["items"]] == [r["uCode"] for r in first["items"]]


def test_bad_table_parameters_are_chinese_400_pages_and_coded_api_errors(site: Site) -> None:
    c = site.as_role("analyst")
    for params, word in (
        ({"enterprises.sort": "nope"}, "没有「nope」这一列"),
        ({"enterprises.page": "0"}, "页码"),
        ({"enterprises.size": "abc"}, "每页条数"),
        ({"enterprises.size": "501"}, "每页条数"),
        ({"enterprises.order": "up"}, "排序方向"),
        ({"enterprises.nope": "1"}, "没有「nope」这一列"),
    ):
        page = c.get("/enterprises", params=params)
        assert page.status_code == 400 and word in page.text, params
        api = c.get("/api/v1/enterprises", params=params)
        err = api.json()["error"]
        assert api.status_code == 400 and err["code"] == "bad_table_query", params
        assert word in err["message_zh"] and err["message_en"].startswith("table parameter")
    assert c.get("/api/v1/evaluation", params={"page": "x"}).json()["error"]["code"] == (
        "bad_table_query"
    )


def test_english_pager_and_headers(site: Site) -> None:
    html = site.as_role("analyst").get("/enterprises", params={"lang": "en"}).text
    assert "Page 1 of" in html and "Next" in html and "Filter this table" in html


def test_register_entries_sort_filter_and_page_like_the_api(site: Site) -> None:
    c = site.as_role("analyst")
    every = c.get("/api/v1/registers/scenario", params={"size": 500}).json()
    assert every["total"] == len(every["items"]) > 3
    q = {"scenario.sort": "org_unit_code", "scenario.order": "desc", "scenario.size": "3"}
    seen: list[str] = []
    for n in range(1, math.ceil(every["total"] / 3) + 1):
        api = c.get("/api/v1/registers/scenario", params={**q, "scenario.page": n}).json()
        assert api["total"] == every["total"] and api["size"] == 3
        page = c.get("/registers/scenario", params={**q, "scenario.page": n}).text
        shown = re.findall(r'href="/units/([0-9]+)"', _table_html(page, "scenario"))
        assert shown == [e["org_unit_code"] for e in api["items"]]
        seen += [e["code"] for e in api["items"]]
    assert sorted(seen) == sorted(e["code"] for e in every["items"])  # each once
    codes = [e["org_unit_code"] for e in every["items"]]
    got = [
        e["org_unit_code"] for e in c.get("/api/v1/registers/scenario", params=q).json()["items"]
    ]
    assert got == sorted(codes, reverse=True)[:3]
    unit = every["items"][0]["org_unit_name"]
    only = c.get("/api/v1/registers/scenario", params={"scenario.org_unit_name": unit}).json()
    assert only["items"] and {e["org_unit_name"] for e in only["items"]} == {unit}


def test_task_board_sorts_by_progress_like_its_api(site: Site) -> None:
    c = site.as_role("analyst")
    q = {"tasks.sort": "progress", "tasks.order": "desc", "tasks.size": "10"}
    api = c.get("/api/v1/tasks", params=q).json()
    assert api["total"] > 10 and len(api["items"]) == 10
    page = c.get("/tasks", params=q).text
    assert re.findall(r'<tr data-task="([^"]+)"', page) == [t["code"] for t in api["items"]]
    every = c.get("/api/v1/tasks", params={**q, "tasks.size": "500"}).json()["items"]
    progress = [(t.get("latest") or {}).get("progress") for t in every]
    known = [p for p in progress if p is not None]
    assert known and progress[: len(known)] == sorted(known, reverse=True)  # missing last
