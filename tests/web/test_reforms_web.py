"""重大改革与政策 (/tasks/reforms): the demo's reforms and policies from their registers, one
figure in the page, the API and the CLI; a linked rule's estimate is the budget list's
figure for the same year; the supervision report carries the section."""

from __future__ import annotations

import datetime as dt
import json
import re

import docx
from tests.web.conftest import Site
from typer.testing import CliRunner

from yanzhi.cli.main import app as cli

runner = CliRunner()


def test_reforms_and_policies_are_one_figure_in_page_api_and_cli(site: Site) -> None:
    r = site.as_role("analyst").get("/api/v1/tasks/reforms")
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["synthetic"] is True and len(data["reforms"]) == 8 and len(data["policies"]) == 5
    assert sum(data["by_status"].values()) == 8
    today = dt.date.fromisoformat(data["today"])
    late = [
        x
        for x in data["reforms"]
        if x["status"] != "已完成"
        and x["next_due"]
        and dt.date.fromisoformat(x["next_due"][:10]) < today
    ]
    assert data["overdue"] == len(late) == sum(x["overdue"] for x in data["reforms"])
    assert data["rules_due"] == sum(p["rules_due"] for p in data["policies"]) == 16
    paid = {}
    for p in data["policies"]:
        for x in p["payouts"]:
            paid[str(x["year"])] = round(paid.get(str(x["year"]), 0) + x["amount"], 2)
    assert data["paid_by_year"] == paid and paid
    # the CLI's JSON: the same counts and money
    out = runner.invoke(cli, ["reforms", "--database", site.url, "--json"])
    assert out.exit_code == 0, out.output
    from_cli = json.loads(out.stdout)
    assert from_cli["by_status"] == data["by_status"] and from_cli["overdue"] == data["overdue"]
    assert {str(k): v for k, v in from_cli["paid_by_year"].items()} == data["paid_by_year"]
    # the page: the KPIs as the API has them
    page = site.as_role("analyst").get("/tasks/reforms").text
    kpi = re.search(r'data-key="rules">.*?class="kpi-value">(\d+)/(\d+)<', page, re.S)
    assert kpi and (int(kpi.group(1)), int(kpi.group(2))) == (data["rules_issued"], 16)
    late_kpi = re.search(r'data-key="overdue">.*?class="kpi-value[^"]*">(\d+)<', page, re.S)
    assert late_kpi and late_kpi.group(1) == str(data["overdue"])


def test_a_linked_rule_is_set_beside_the_budget_lists_figure(site: Site) -> None:
    data = site.as_role("analyst").get("/api/v1/tasks/reforms").json()
    post = next(p for p in data["policies"] if p["rule"] == "企业研发投入后补助")
    assert post["payouts"], "the demo pays the post-subsidy out every year with data"
    for x in post["payouts"]:
        rows = site.as_role("analyst").get(f"/api/v1/lists/budget?year={x['year']}").json()
        city = rows["items"][-1] if "items" in rows else rows[-1]
        assert x["estimate"] == city["post_subsidy_total"]
        assert x["estimate_count"] == city["post_subsidy_count"]
        assert 0.6 * x["estimate"] <= x["amount"] <= 0.9 * x["estimate"] + 0.01
    voucher = next(p for p in data["policies"] if p["rule"] is None and p["payouts"])
    assert all(x["estimate"] is None for x in voucher["payouts"])  # no rule: no estimate, not 0


def test_the_supervision_report_has_the_section(site: Site) -> None:
    out = site.folder / "supervision-reforms.docx"
    r = runner.invoke(cli, ["report", "supervision", "--out", str(out), "--database", site.url])
    assert r.exit_code == 0, r.output
    d = docx.Document(str(out))
    text = "\n".join(p.text for p in d.paragraphs)
    assert "重大改革与政策落实" in text and "登记重大改革8项" in text
    captions = [p.text for p in d.paragraphs if p.text.startswith("表")]
    assert any("政策兑现情况" in c for c in captions)


def test_the_cockpit_shows_the_same_delivery_figures(site: Site) -> None:
    cockpit = site.as_role("analyst").get("/api/v1/cockpit").json()["delivery"]
    reforms = site.as_role("analyst").get("/api/v1/tasks/reforms").json()
    guarantees = site.as_role("analyst").get("/api/v1/tasks/guarantees").json()
    assert cockpit["reforms"] == len(reforms["reforms"])
    assert cockpit["reforms_done"] == reforms["by_status"]["已完成"]
    assert cockpit["reforms_overdue"] == reforms["overdue"]
    assert (cockpit["rules_issued"], cockpit["rules_due"]) == (
        reforms["rules_issued"],
        reforms["rules_due"],
    )
    measured = {
        r["code"]: r["region"]["verdict"]
        for g in guarantees["guarantees"]
        for r in g["rules"]
        if r["region"]
    }
    assert {g["code"]: g["verdict"] for g in cockpit["guarantees"]} == measured
    page = site.as_role("analyst").get("/").text
    assert f'<span class="value">{cockpit["rules_issued"]}/{cockpit["rules_due"]}</span>' in page


def test_the_supervision_report_counts_the_three_lists_by_stage(site: Site) -> None:
    """三张清单推进情况 in the supervision report: the register page's stage counts, with
    adopters only for 推广 and contract value only for 转化."""
    data = site.as_role("analyst").get("/api/v1/registers/tech_list").json()
    out = site.folder / "supervision-lists.docx"
    r = runner.invoke(cli, ["report", "supervision", "--out", str(out), "--database", site.url])
    assert r.exit_code == 0, r.output
    table = next(t for t in docx.Document(str(out)).tables if t.rows[0].cells[1].text == "阶段")
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [(x[0], x[1], int(x[2])) for x in rows] == [
        (s["list_name"], s["stage"], s["count"]) for s in data["stages"]
    ]
    transfer = [s for s in data["stages"] if s["list_code"] == "transfer" and s["contract_value"]]
    assert transfer and all(s["adopters"] is None for s in transfer)  # the demo records each
    for x, s in zip(rows, data["stages"], strict=True):  # list's own figure only
        if s["list_code"] == "transfer" and s["contract_value"] is not None:
            assert x[4] == f"{s['contract_value']:,.2f}"
        if s["list_code"] != "promotion":
            assert x[3] == "—"
