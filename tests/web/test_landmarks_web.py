"""标志性成果 (/tasks/landmarks): each of the four 十百千 landmarks is the figure and verdict
of the task target or guarantee rule the plan names as its metric — in the API, the CLI, the
page, the cockpit and the monthly bulletin — and its items are the register entries that
count (as many as its value)."""

from __future__ import annotations

import json
import re

import docx
from tests.web.conftest import Site
from typer.testing import CliRunner

from yanzhi.cli.main import app as cli

runner = CliRunner()
REGISTERED = {"L10-POLES": "P1.T3.Q1", "L100-LABS": "P2.T1.Q1", "L100-ACHIEVEMENTS": "P3.T2.Q2"}


def _landmarks(site: Site) -> dict[str, dict]:
    r = site.as_role("analyst").get("/api/v1/tasks/landmarks")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["synthetic"] is True and body["target_year"] == 2027
    return {lm["code"]: lm for lm in body["landmarks"]}


def test_each_landmark_is_its_targets_or_rules_figure(site: Site) -> None:
    marks = _landmarks(site)
    assert list(marks) == [*REGISTERED, "L1000-FUND"]
    out = runner.invoke(cli, ["targets", "--database", site.url, "--json"])
    assert out.exit_code == 0, out.output
    targets = {t["code"]: t for t in json.loads(out.stdout)}
    for code, target in REGISTERED.items():
        lm, t = marks[code], targets[target]
        assert (lm["measured_by"], lm["source_code"]) == ("target", target)
        assert (lm["value"], lm["year"], lm["verdict"], lm["reason_zh"]) == (
            t["value"],
            t["year"],
            t["verdict"],
            t["verdict_reason_zh"],
        )
        assert lm["target"] == t["target"] and lm["path"] == t["path"]
        counted = [i for i in lm["items"] if i["counted"]]
        assert len(counted) == lm["value"] > 0  # the items behind the count, one by one
        assert all(i["name"].startswith("演示") and i["synthetic"] for i in lm["items"])
    fund = marks["L1000-FUND"]
    guarantees = site.as_role("analyst").get("/api/v1/tasks/guarantees").json()
    rule = next(r for g in guarantees["guarantees"] for r in g["rules"] if r["code"] == "G3.R1")
    assert (fund["measured_by"], fund["source_code"], fund["target"]) == ("rule", "G3.R1", 1000)
    assert (fund["value"], fund["year"], fund["verdict"]) == (
        rule["region"]["latest_value"],
        rule["region"]["latest_year"],
        rule["region"]["verdict"],
    )
    assert fund["value"] == 690.0 and fund["items"] == []  # 420 亿元 in 2022, +18 % a year


def test_cli_page_cockpit_and_bulletin_show_the_same_figures(site: Site) -> None:
    marks = _landmarks(site)
    out = runner.invoke(cli, ["landmarks", "--database", site.url, "--json"])
    assert out.exit_code == 0, out.output
    from_cli = {lm["code"]: lm for lm in json.loads(out.stdout)["landmarks"]}
    assert {c: (m["value"], m["verdict"]) for c, m in from_cli.items()} == {
        c: (m["value"], m["verdict"]) for c, m in marks.items()
    }
    page = site.as_role("analyst").get("/tasks/landmarks").text
    for code, lm in marks.items():
        kpi = re.search(rf'data-key="{code}">.*?class="kpi-value">([\d,]+)<', page, re.S)
        assert kpi and float(kpi.group(1).replace(",", "")) == lm["value"]
    cockpit = site.as_role("leader").get("/api/v1/cockpit").json()["delivery"]["landmarks"]
    assert {m["code"]: (m["value"], m["verdict"]) for m in cockpit} == {
        c: (m["value"], m["verdict"]) for c, m in marks.items()
    }
    assert 'data-landmark="L100-LABS"' in site.as_role("leader").get("/").text
    doc = site.folder / "bulletin-landmarks.docx"
    r = runner.invoke(
        cli,
        ["report", "monthly", "--period", "2026-10", "--out", str(doc), "--database", site.url],
    )
    assert r.exit_code == 0, r.output
    d = docx.Document(str(doc))
    table = next(t for t in d.tables if t.rows[0].cells[1].text == "标志性成果")
    rows = {row.cells[1].text: row.cells[2].text for row in table.rows[1:]}
    labs = marks["L100-LABS"]
    assert rows["百家重点实验室"] == f"{labs['value']:,.0f}家（{labs['year']}年）"


def test_every_role_that_reads_sees_the_page(site: Site) -> None:
    for role in ("admin", "analyst", "district", "township", "leader", "owner"):
        r = site.as_role(role).get("/tasks/landmarks")
        assert r.status_code == 200, (role, r.status_code)


def test_a_district_sees_the_citys_figures_and_its_own_items(site: Site) -> None:
    city = _landmarks(site)
    mine = site.as_role("district").get("/api/v1/tasks/landmarks").json()["landmarks"]
    unit = site.accounts["district"]["unit"]
    for lm in mine:
        assert (lm["value"], lm["verdict"]) == (
            city[lm["code"]]["value"],
            city[lm["code"]]["verdict"],
        )
        assert all(i["unit_code"].startswith(unit) for i in lm["items"])
        assert len(lm["items"]) < len(city[lm["code"]]["items"]) or not lm["items"]
    owner = site.as_role("owner").get("/api/v1/tasks/landmarks").json()["landmarks"]
    assert all(lm["items"] == [] for lm in owner)  # a department: the totals only
