"""诊断+提升 casework on the web: one effect figure in CLI, API and page; the prioritised
list's Excel; a case opened, visited and closed through the API; the enterprise's open
case with its agreed actions on /my; scoping (another district's case is 403); the pages
in Chinese only."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

from tests.web.area_support import enterprise_elsewhere
from tests.web.chinese_support import problems
from tests.web.conftest import Site
from tests.web.test_pages_chinese import PAGE_ALLOWED, visible
from typer.testing import CliRunner

from yanzhi.cli.main import app as cli

runner = CliRunner()


def test_the_effect_is_one_number_in_cli_api_and_page(site: Site) -> None:
    out = runner.invoke(cli, ["cases", "effect", "--year", "2023", "--json", "-d", site.url])
    assert out.exit_code == 0, out.output
    from_cli = json.loads(out.stdout)["rows"][-1]["effect_pp"]
    api = site.as_role("analyst").get("/api/v1/cases/effect?year=2023").json()
    assert api["synthetic"] is True and api["rows"][-1]["district"] is None
    from_api = api["rows"][-1]["effect_pp"]
    page = site.as_role("analyst").get("/enterprises/cases?year=2023").text
    shown = re.search(r'id="effect-total".*?<strong>([+-][0-9.]+)</strong>', page, re.S)
    assert shown, page[:2000]
    assert from_cli == from_api and f"{from_api:+.2f}" == shown.group(1)
    assert from_api > 0


def test_the_prioritised_list_as_excel(site: Site) -> None:
    from openpyxl import load_workbook

    c = site.as_role("analyst")
    ranked = c.get("/api/v1/cases/priority?year=2023").json()
    assert ranked["weights"] == {
        "gain": 40.0,
        "size": 15.0,
        "trend": 20.0,
        "institution": 15.0,
        "deduction": 10.0,
    }
    r = c.get("/enterprises/cases?year=2023&export=priority")
    wb = load_workbook(io.BytesIO(r.content))
    table = wb.worksheets[1]
    assert table.max_row == 1 + len(ranked["rows"])
    assert [c.value for c in table[1]][:2] == ["排名", "企业名称"]


def test_a_case_through_the_api_and_on_my(site: Site) -> None:
    me = site.accounts["enterprise"]["enterprise"]
    a = site.as_role("analyst")
    before = a.get(f"/api/v1/enterprises/{me}/case").json()
    if before["case"] and before["case"]["status"] == "open":
        a.post(f"/api/v1/enterprises/{me}/case/close", json={"note": "测试前结案"})
    r = a.post(
        f"/api/v1/enterprises/{me}/case", json={"diagnosis_year": 2024, "provider": "某服务机构"}
    )
    assert r.status_code == 201, r.text
    assert (
        a.post(
            f"/api/v1/enterprises/{me}/case", json={"diagnosis_year": 2024, "provider": "x"}
        ).status_code
        == 409
    )
    r = a.post(
        f"/api/v1/enterprises/{me}/case/visits",
        json={
            "visited_on": dt.date.today().isoformat(),
            "visitor": "李四",
            "findings": "未设立研发机构",
            "actions": [{"action": "institution"}, {"action": "deduction", "due_on": "2030-01-01"}],
        },
    )
    assert r.status_code == 201, r.text
    assert [x["action_zh"] for x in r.json()["open_actions"]] == ["设立研发机构", "申请加计扣除"]
    bad = a.post(
        f"/api/v1/enterprises/{me}/case/visits",
        json={
            "visited_on": dt.date.today().isoformat(),
            "visitor": "x",
            "findings": "y",
            "actions": [{"action": "nope"}],
        },
    )
    assert bad.status_code in (400, 422)
    own = site.as_role("enterprise")
    mine = own.get("/api/v1/my").json()["case"]
    assert mine["status"] == "open" and len(mine["open_actions"]) == 2
    page = own.get("/my").text
    assert 'id="my-case"' in page and "设立研发机构" in page and "申请加计扣除" in page
    first = mine["open_actions"][0]["id"]
    r = a.post(f"/api/v1/enterprises/{me}/case/done", json={"action_id": first})
    assert [x["action"] for x in r.json()["open_actions"]] == ["deduction"]
    r = a.post(f"/api/v1/enterprises/{me}/case/close", json={"note": "服务完成"})
    assert r.json()["status"] == "closed"
    assert own.get("/api/v1/my").json()["case"] is None
    assert own.get("/api/v1/cases").status_code == 403


def test_another_districts_case_is_refused(site: Site) -> None:
    town = site.accounts["township"]["unit"]
    other = enterprise_elsewhere(site, town)
    t = site.as_role("township")
    assert t.get(f"/api/v1/enterprises/{other}/case").status_code == 403
    assert t.get(f"/enterprises/{other}/case").status_code == 403
    r = t.post(f"/api/v1/enterprises/{other}/case", json={"diagnosis_year": 2024, "provider": "x"})
    assert r.status_code == 403
    listed = t.get("/api/v1/cases/priority?year=2023").json()["rows"]
    assert all(x["uscc"] != other for x in listed)
    assert {x["district"] for x in listed} <= {listed[0]["district"]} if listed else True


def test_the_case_pages_are_chinese_only(site: Site) -> None:
    a = site.as_role("analyst")
    uscc = a.get("/api/v1/cases?status=open").json()["items"][0]["uscc"]
    for url in ("/enterprises/cases", f"/enterprises/{uscc}/case"):
        r = a.get(url)
        assert r.status_code == 200
        text, _links = visible(r.text)
        assert problems(text, PAGE_ALLOWED) == [], url
        assert "演示" in text


def test_the_cli_opens_visits_and_reminds(site: Site) -> None:
    a = site.as_role("analyst")
    free = next(
        r["uscc"]
        for r in a.get("/api/v1/cases/priority?year=2024").json()["rows"]
        if a.get(f"/api/v1/enterprises/{r['uscc']}/case").json()["case"] is None
    )

    def run(*args: str) -> dict:
        out = runner.invoke(cli, ["cases", *args, "--json", "-d", site.url])
        assert out.exit_code == 0, out.output
        return json.loads(out.stdout)

    opened = run("open", free, "--year", "2024", "--provider", "某服务机构")
    assert opened["status"] == "open" and opened["provider"] == "某服务机构"
    visited = run(
        "visit", free, "--visitor", "赵六", "--findings", "无研发机构", "--action", "institution"
    )
    assert [x["action_zh"] for x in visited["open_actions"]] == ["设立研发机构"]
    bad = runner.invoke(
        cli,
        [
            "cases",
            "visit",
            free,
            "--visitor",
            "x",
            "--findings",
            "y",
            "--action",
            "nope",
            "-d",
            site.url,
        ],
    )
    assert bad.exit_code != 0 and "未知的服务措施" in bad.output
    reminded = run("remind")
    assert reminded["overdue"] >= reminded["reminded"] >= 0
    listed = run("list", "--status", "open")
    assert free in {c["uscc"] for c in listed}
