"""Issue #20 item 5: an enterprise account's own page (/my, /api/v1/my) — its filing status,
R&D record, diagnosis, the policies of this year and last with the amounts of ``yanzhi
policy calc`` and how to claim them, its innovation points — and nothing of any other
enterprise. Item 4 on the web: the demo's key R&D projects with applicants, the register's
priority column and the applications summary (page, API, service: one set of numbers)."""

from __future__ import annotations

import datetime as dt
import json
import re

from tests.web.area_support import (
    enterprise_elsewhere,
    few_draws,  # noqa: F401  (autouse: few draws)
)
from tests.web.conftest import Site
from typer.testing import CliRunner

from yanzhi.cli.main import app as cli
from yanzhi.core.registers import metric_sources
from yanzhi.services.access.principal import SYSTEM, Principal
from yanzhi.services.access.scope import resolve
from yanzhi.services.enterprises import applications
from yanzhi.services.tasks import registers
from yanzhi.storage.db import transaction
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.views import own

USCC = re.compile(r"\b9\d[0-9A-HJ-NP-RTUW-Y]{16}\b")


def _me(site: Site) -> Principal:
    uscc = site.accounts["enterprise"]["enterprise"]
    return Principal("enterprise", "enterprise", enterprise=uscc)


def _scope(site: Site, who: Principal):
    with transaction(site.engine) as session:
        tree = load_org_tree(session)
    return resolve(who, tree)


def test_the_enterprise_lands_on_its_own_page_and_sees_only_itself(site: Site) -> None:
    own_uscc = site.accounts["enterprise"]["enterprise"]
    c = site.as_role("enterprise")
    page = c.get("/my")
    assert page.status_code == 200
    for section in ("filings", "record", "diagnosis", "policies", "how-to-claim", "points"):
        assert f'id="{section}"' in page.text, section
    assert set(USCC.findall(page.text)) == {own_uscc}  # no other enterprise named
    assert c.get("/enterprises", follow_redirects=False).headers["location"] == "/my"
    data = c.get("/api/v1/my").json()
    assert data["enterprise"]["uscc"] == own_uscc and len(data["filings"]["months"]) == 12
    assert set(USCC.findall(json.dumps(data))) == {own_uscc}
    other = enterprise_elsewhere(site, site.accounts["township"]["unit"])
    assert c.get(f"/enterprises/{other}").status_code == 403
    assert c.get(f"/api/v1/enterprises/{other}/policies?year=2025").status_code == 403
    assert c.get("/api/v1/lists/applications").status_code == 403
    # only an enterprise account has an own page
    analyst = site.as_role("analyst")
    refused = analyst.get("/api/v1/my")
    assert refused.status_code == 403
    assert refused.json()["error"]["message_zh"] and refused.json()["error"]["message_en"]
    assert analyst.get("/my", follow_redirects=False).headers["location"] == "/"


def test_the_own_page_shows_the_amounts_of_policy_calc(site: Site) -> None:
    """One number, one truth: each year's amounts on the page and in the API are those
    `yanzhi policy calc --json` prints for the enterprise and year."""
    own_uscc = site.accounts["enterprise"]["enterprise"]
    c = site.as_role("enterprise")
    api = {p["year"]: p for p in c.get("/api/v1/my").json()["policies"]}
    html = c.get("/my").text
    this = dt.date.today().year
    assert sorted(api) == [this - 1, this]
    checked = 0
    for year, shown in api.items():
        run = CliRunner().invoke(
            cli,
            ["policy", "calc", own_uscc, "--year", str(year), "--json", "--database", site.url],
        )
        assert run.exit_code == 0, run.output
        calc = json.loads(run.output)
        assert shown["result"]["total_worth"] == calc["total_worth"]
        for mine, theirs in zip(shown["result"]["benefits"], calc["benefits"], strict=True):
            assert (mine["rule"], mine["amount"], mine["eligible"]) == (
                theirs["rule"],
                theirs["amount"],
                theirs["eligible"],
            )
            cell = re.search(rf'data-rule="{mine["rule"]}" data-year="{year}">.*?</li>', html, re.S)
            assert cell is not None
            amount = re.search(r'data-amount="([^"]*)"', cell[0])
            if mine["eligible"] and mine["rule"] != "PRIORITY_5PCT":
                assert amount is not None and float(amount[1]) == theirs["amount"]
                checked += 1
    assert checked >= 2  # at least the super-deduction of two years
    # how to claim: every policy it qualifies for has its route, materials and timing
    claims = c.get("/api/v1/my").json()["claims"]
    assert claims["RD_POST_SUBSIDY"]["assumed"] and not claims["SUPER_DEDUCTION"]["assumed"]
    assert 'data-rule="SUPER_DEDUCTION"' in html.split('id="how-to-claim"')[1]


def test_the_filing_status_follows_the_reports_and_the_calendar(site: Site) -> None:
    """The demo has reports up to 2026年1-10月: on 15 November the 1-11月 report is not due
    yet (due 10 December); on 15 December it is missing (or not required of an enterprise
    outside the reporting population)."""
    me = _me(site)
    scope = _scope(site, me)
    before = own.own_page(site.engine, scope, today=dt.date(2026, 11, 15)).filings
    after = own.own_page(site.engine, scope, today=dt.date(2026, 12, 15)).filings
    months = {m.month: m for m in before.months}
    assert all(months[m].status in ("approved", "submitted") for m in range(1, 11))
    assert months[11].status == "not_due" and months[11].due == "2026-12-10"
    assert after.months[10].status == ("missing" if after.expected else "not_required")
    assert after.months[11].status == "not_due"
    assert before.counts["approved"] + before.counts["submitted"] == 10
    for m in before.months[:10]:
        if m.received_at is not None:
            assert m.late == (
                dt.datetime.fromisoformat(m.received_at).date() > dt.date.fromisoformat(m.due)
            )


def test_the_demo_registers_applications_and_keeps_the_plan_counts(site: Site) -> None:
    """The demo's key R&D projects keep their approved counts per year (104, 108, 97, 90
    from 2023, the plan's path) and have synthetic applicants, with refused and pending
    applications beside them; the summary compares priority enterprises with the others."""
    _, count = metric_sources()["key_rd_projects"]
    with transaction(site.engine) as session:
        city = load_org_tree(session).by_level("city")[0].code
    per_year = [
        registers.counts(site.engine, "key_rd_project", count, year=y).get(city, 0)
        for y in range(2023, 2027)
    ]
    assert per_year == [104, 108, 97, 90]
    entries = registers.list_register(site.engine, "key_rd_project")
    assert {e.fields.get("stage") for e in entries} >= {"立项", "结题", "未立项"}
    assert all(e.synthetic and e.name.startswith("演示") for e in entries)
    assert sum(1 for e in entries if e.fields.get("applicant_uscc")) > 0.9 * len(entries)
    rows = applications.application_summary(site.engine, year=2025, principal=SYSTEM)
    total = rows[-1]
    assert total.funding_line == applications.ALL_LINES and total.synthetic
    assert total.priority_applied > 0 and total.other_applied > 0
    # the page and the API show the service's rows
    c = site.as_role("analyst")
    api = c.get("/api/v1/lists/applications?year=2025&size=500").json()
    assert [r["priority_won"] for r in api["items"]] == [r.priority_won for r in rows]
    assert api["synthetic"] is True
    page = c.get("/enterprises/lists/applications?year=2025")
    assert page.status_code == 200 and 'id="applications-basis"' in page.text
    register = c.get("/registers/key_rd_project")
    assert "优先支持(研发投入&gt;5%)" in register.text or "优先支持(研发投入>5%)" in register.text
    assert 'id="applications-link"' in register.text


def test_the_project_register_names_each_applicant(site: Site) -> None:
    """The key R&D project register shows the applicant's registered name beside its code,
    the same name as the enterprise's own record."""
    data = site.as_role("analyst").get("/api/v1/registers/key_rd_project?size=20").json()
    named = [e for e in data["items"] if e["fields"].get("applicant_uscc")]
    assert named and all(e["applicant_name"] for e in named)
    first = named[0]
    record = site.as_role("analyst").get(f"/api/v1/enterprises/{first['fields']['applicant_uscc']}")
    assert record.json()["name"] == first["applicant_name"]
    page = site.as_role("analyst").get("/registers/key_rd_project").text
    assert 'sort=applicant_name#table-key_rd_project" title="按此列排序">申报单位<' in page
    assert first["applicant_name"] in page


def test_the_own_page_says_when_there_is_no_case(site: Site) -> None:
    c = site.as_role("enterprise")
    mine = c.get("/api/v1/my").json()
    page = c.get("/my").text
    assert 'id="my-case"' in page
    assert ('id="no-case"' in page) == (mine.get("case") is None)
