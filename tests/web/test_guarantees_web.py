"""保障措施 (/tasks/guarantees): the guarantee rules a number checks, one figure in the page,
the API, the CLI and the supervision report; the districts cut to the asker's scope; the
demo's generated statistics labelled. (The page's Chinese is checked by the crawl of
tests/web/test_pages_chinese.py, which reaches it from the task board's tabs.)"""

from __future__ import annotations

import json
import re

import docx
from tests.web.conftest import Site
from typer.testing import CliRunner

from yanzhi.cli.main import app as cli
from yanzhi.core.zhtext import punctuate

runner = CliRunner()


def _rule(data: dict, code: str) -> dict:
    return next(r for g in data["guarantees"] for r in g["rules"] if r["code"] == code)


def test_fiscal_growth_is_one_figure_in_page_api_cli_and_report(site: Site) -> None:
    api = site.as_role("analyst").get("/api/v1/tasks/guarantees")
    assert api.status_code == 200, api.text
    data = api.json()
    fiscal = _rule(data, "G2.R1")
    region = fiscal["region"]
    assert region["unit_code"] == "330200" and region["synthetic"] is True
    assert region["latest_year"] == data["as_of_year"]
    assert region["average_growth_pct"] is not None
    assert len(fiscal["districts"]) == 10  # Ningbo's districts, each with its verdict
    # the CLI's JSON is the same figure
    r = runner.invoke(cli, ["guarantees", "--database", site.url, "--json"])
    assert r.exit_code == 0, r.output
    from_cli = _rule(json.loads(r.stdout), "G2.R1")["region"]["check"]
    assert from_cli["average_growth_pct"] == region["average_growth_pct"]
    assert from_cli["level"] == region["verdict"]
    # the page prints it to one decimal, with the verdict and the demo label
    page = site.as_role("analyst").get("/tasks/guarantees").text
    avg = f"{region['average_growth_pct']:.1f}%"
    row = re.search(r'data-unit="330200">(.*?)</tr>', page, re.S)
    assert row and avg in row.group(1) and region["verdict_zh"] in row.group(1)
    assert region["reason_zh"] in page
    assert "演示数据(合成)" in page
    # the supervision report closes with the same figure
    out = site.folder / "supervision.docx"
    r = runner.invoke(cli, ["report", "supervision", "--out", str(out), "--database", site.url])
    assert r.exit_code == 0, r.output
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "保障措施落实情况" in text and punctuate(region["reason_zh"]) in text


def test_a_rule_without_data_says_so_and_is_not_zero(site: Site) -> None:
    data = site.as_role("analyst").get("/api/v1/tasks/guarantees").json()
    fund = _rule(data, "G3.R1")
    region = fund["region"]  # the demo's fund: generated, from 2022, city level only
    assert next(p["year"] for p in region["years"]) == 2022 and region["synthetic"]
    assert fund["districts"] == []  # no district value: none listed, none read as 0
    other = _rule(data, "G2.R3")
    assert other["region"] is None and other["link"] == "/enterprises/lists/budget"


def test_a_district_officer_sees_only_its_district(site: Site) -> None:
    officer = next(a for a in site.accounts.values() if a["role"] == "district_officer")
    data = site.as_role(officer["username"]).get("/api/v1/tasks/guarantees").json()
    fiscal = _rule(data, "G2.R1")
    assert [d["unit_code"] for d in fiscal["districts"]] == [officer["unit"]]
    assert fiscal["region"]["unit_code"] == "330200"  # the plan's own target stays visible


def test_every_link_on_the_page_opens_for_every_role(site: Site) -> None:
    """A task owner may not read enterprises nor evaluate: the rules carried out on those
    pages name them without a link (the first-visit crawl met the 403s), while the
    analyst gets the links. Every link a role is shown opens for that role."""
    links = {}
    for username, account in site.accounts.items():
        if account["role"] == "enterprise":
            continue
        client = site.as_role(username)
        page = client.get("/tasks/guarantees")
        assert page.status_code == 200
        hrefs = set(re.findall(r'href="(/[^"#]*)', page.text))
        refused = [h for h in sorted(hrefs) if client.get(h).status_code != 200]
        assert refused == [], (account["role"], refused)
        links[account["role"]] = hrefs
    assert "/enterprises/lists/budget" in links["city_analyst"]
    assert "/enterprises/lists/budget" not in links["task_owner"]
    assert (
        "研发后补助测算与分区县预算"
        in site.as_role(next(u for u, a in site.accounts.items() if a["role"] == "task_owner"))
        .get("/tasks/guarantees")
        .text
    )
