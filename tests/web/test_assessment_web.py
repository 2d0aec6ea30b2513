"""区县年度考核 through the app: the district submits its self-assessment, the city reviews
and publishes; the page, the API and the CLI give the same score."""

from __future__ import annotations

import json
import re

from tests.web.conftest import Site
from typer.testing import CliRunner

from yanzhi.cli.main import app as cli

YEAR = 2024  # the web tests' other modules use 2025: a year of its own


def test_the_district_submits_and_the_city_reviews_and_publishes(site: Site) -> None:
    officer = next(a for a in site.accounts.values() if a["role"] == "district_officer")
    unit = officer["unit"]
    mine = site.login(officer["username"])
    listed = mine.get(f"/api/v1/evaluation/assessment?year={YEAR}").json()
    assert [d["unit_code"] for d in listed["districts"]] == [unit] and listed["may_submit"]
    r = mine.post(
        f"/api/v1/evaluation/assessment/{unit}/submit",
        json={"year": YEAR, "reported": {"tasks": 85}, "claims": {}},
    )
    assert r.status_code == 200, r.text
    bad = mine.post(f"/api/v1/evaluation/assessment/{unit}/review", json={"year": YEAR})
    assert bad.status_code == 403  # a district cannot review itself
    city = site.login("analyst")
    r = city.post(
        f"/api/v1/evaluation/assessment/{unit}/review",
        json={"year": YEAR, "adjustments": {"tasks": {"value": 75}}},
    )
    assert r.status_code == 400 and "理由" in r.json()["error"]["message_zh"]
    r = city.post(
        f"/api/v1/evaluation/assessment/{unit}/review",
        json={"year": YEAR, "adjustments": {"tasks": {"value": 75, "comment": "佐证不足"}}},
    )
    assert r.status_code == 200, r.text
    r = city.post("/api/v1/evaluation/assessment/publish", json={"year": YEAR})
    assert r.status_code == 200, r.text
    row = next(d for d in r.json()["districts"] if d["unit_code"] == unit)
    assert row["state"] == "published" and row["rank"] == 1
    tasks = next(p for p in row["score"]["parts"] if p["code"] == "tasks")
    assert (tasks["value"], tasks["points"]) == (75.0, 30.0)
    # the page and the CLI: the same total
    page = city.get(f"/evaluation/assessment?year={YEAR}").text
    cell = re.search(rf'data-unit="{unit}">.*?class="num total">([\d.,]+)<', page, re.S)
    assert cell and float(cell.group(1)) == row["score"]["total"]
    assert "区县科技创新综合评价 60分(其中基础分 36分, 其余按数值折算)" in page
    assert "加分上限 5分, 扣分上限 10分" in page
    out = CliRunner().invoke(
        cli, ["assess", "list", "--year", str(YEAR), "--database", site.url, "--json"]
    )
    assert out.exit_code == 0, out.output
    from_cli = next(a for a in json.loads(out.stdout) if a["unit_code"] == unit)
    assert from_cli["score"]["total"] == row["score"]["total"] and from_cli["state"] == "published"
