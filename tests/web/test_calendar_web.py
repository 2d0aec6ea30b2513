"""The reporting calendar's admin page (/admin/calendar): only admins open and post it;
a due date moved through its form is the one /data, /api/v1/data/completeness and the
CLI show; past due dates need a reason; bad input is refused in Chinese, nothing stored."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select
from tests.web.conftest import Site, csrf_of
from typer.testing import CliRunner

from yanzhi.cli.main import app as cli
from yanzhi.storage.db import transaction
from yanzhi.storage.models import AuditRow

PERIOD = "2026-01..10"  # the demo's last month: enterprises due 次月10日 = 2026-11-10 (passed)
COMPLETENESS = f"/api/v1/data/completeness?period={PERIOD}&level=city"
OTHERS = ["analyst", "district", "township", "leader", "owner", "enterprise"]


def _calendar_audits(site: Site) -> int:
    with transaction(site.engine) as s:
        return s.scalar(
            select(func.count()).select_from(AuditRow).where(AuditRow.entity == "report_calendar")
        )


def _post(c, url: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    page = c.get("/admin/calendar")
    return c.post(url, data={**data, "csrf_token": csrf_of(page.text)}, follow_redirects=True)


@pytest.mark.parametrize("who", OTHERS)
def test_only_admins_open_and_change_the_calendar(site: Site, who: str) -> None:
    c = site.as_role(who)
    r = c.get("/admin/calendar")
    assert r.status_code == 403 and "无权" in r.text and "请联系系统管理员" in r.text
    move = {"month": "2026-10", "level": "enterprise", "due": "2026-11-30", "note": "顺延"}
    for url, body in (("/admin/calendar/overrides", move), ("/admin/calendar/rules", {})):
        r = c.post(url, data={**body, "csrf_token": c.csrf})  # type: ignore[attr-defined]
        assert r.status_code == 403 and "无权" in r.text
    assert _calendar_audits(site) == 0


def test_a_move_through_the_form_is_what_data_api_and_cli_show(site: Site) -> None:
    admin, analyst = site.login("admin"), site.as_role("analyst")
    page = admin.get("/admin/calendar")
    assert page.status_code == 200
    assert 'data-rule="ytd-enterprise"><td>1–N月累计</td><td>企业</td><td>次月10日' in page.text
    assert "尚无修改" in page.text
    before = analyst.get(COMPLETENESS).json()
    city = before["items"][0]
    assert before["deadlines"][0]["due"] == "2026-11-10" and city["late"] > 0

    # the due date has passed: without a reason the move is refused, nothing stored
    move = {"month": "2026-10", "level": "enterprise", "due": "2026-11-30"}
    r = _post(admin, "/admin/calendar/overrides", move)
    assert r.status_code == 400
    error = re.search(r'id="form-error"><p class="error">([^<]*)<', r.text)
    assert error and "2026年11月10日已过" in error.group(1) and "原因" in error.group(1)
    assert _calendar_audits(site) == 0 and analyst.get(COMPLETENESS).json() == before

    r = _post(admin, "/admin/calendar/overrides", {**move, "note": "国庆假期顺延"})
    assert r.status_code == 200 and 'id="saved"' in r.text
    row = re.search(r'data-override="2026-10-enterprise">(.*?)</tr>', r.text, re.S)
    assert row and "2026年11月30日" in row.group(1) and "国庆假期顺延" in row.group(1)
    history = r.text.split('id="history"')[1]
    assert "2026年10月报告期企业截止日：按规则 → 2026年11月30日" in history
    assert "国庆假期顺延" in history and ">admin<" in history

    after = analyst.get(COMPLETENESS).json()
    assert after["deadlines"][0]["due"] == "2026-11-30"
    assert after["items"][0]["on_time"] == city["on_time"] + city["late"]
    assert after["items"][0]["late"] == 0
    desk = analyst.get(f"/data?period={PERIOD}").text
    line = re.search(r'<p id="deadlines">(.*?)</p>', desk, re.S)
    assert line and "企业 <strong>2026年11月30日</strong>" in line.group(1)
    english = analyst.get(f"/data?period={PERIOD}&lang=en").text
    line = re.search(r'<p id="deadlines">(.*?)</p>', english, re.S)
    assert line and "enterprises <strong>2026-11-30</strong>" in line.group(1)
    assert not re.search(r"[\u4e00-\u9fff]", line.group(1))
    shown = CliRunner().invoke(cli, ["calendar", "show", "--database", site.url, "--json"])
    assert shown.exit_code == 0
    moved = [o for o in json.loads(shown.stdout)["overrides"] if o["month"] == "2026-10"]
    assert [(o["level"], o["due"]) for o in moved] == [("enterprise", "2026-11-30")]

    # restoring a past due date needs a reason too
    restore = {"month": "2026-10", "level": "enterprise", "restore": "1"}
    assert _post(admin, "/admin/calendar/overrides", restore).status_code == 400
    r = _post(admin, "/admin/calendar/overrides", {**restore, "note": "撤回误调"})
    assert r.status_code == 200 and 'data-override="2026-10-enterprise"' not in r.text
    assert "恢复按规则" in r.text.split('id="history"')[1]
    assert analyst.get(COMPLETENESS).json() == before
    assert _calendar_audits(site) == 2


@pytest.mark.parametrize(
    ("url", "body", "words"),
    [
        ("/admin/calendar/rules", {"kind": "ytd", "level": "township", "rule": "下月"}, "无法识别"),
        (
            "/admin/calendar/overrides",
            {"month": "2027-01", "level": "district", "due": "2027-01-20", "note": "春节"},
            "早于报告期结束",
        ),
        (
            "/admin/calendar/overrides",
            {"month": "2027-01", "level": "district", "due": "2027-02-30", "note": "春节"},
            "无法识别",
        ),
        (
            "/admin/calendar/overrides",
            {"month": "2027-13", "level": "district", "due": "2027-02-20"},
            "2027-01",
        ),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_stored(
    site: Site, url: str, body: dict[str, str], words: str
) -> None:
    admin = site.as_role("admin")
    before = admin.get("/api/v1/data/calendar").json()
    r = _post(admin, url, body)
    assert r.status_code == 400
    error = re.search(r'id="form-error"><p class="error">([^<]*)<', r.text)
    assert error and words in error.group(1) and re.search(r"[\u4e00-\u9fff]", error.group(1))
    assert admin.get("/api/v1/data/calendar").json() == before


def test_a_rule_set_on_the_page_gives_the_coming_due_dates(site: Site) -> None:
    admin = site.as_role("admin")
    r = _post(
        admin,
        "/admin/calendar/rules",
        {"kind": "ytd", "level": "township", "rule": "次月13日", "reason": "2027年统计报表制度"},
    )
    assert r.status_code == 200
    cal = admin.get("/api/v1/data/calendar").json()
    rules = {(x["kind"], x["level"]): x["rule"] for x in cal["rules"]}
    assert rules[("ytd", "township")] == "次月13日"
    moved = {o["month"]: o["due_zh"] for o in cal["overrides"] if o["level"] == "township"}
    upcoming = r.text.split('id="upcoming"')[1].split("</section>")[0]
    rows = re.findall(
        r'<tr data-month="(\d{4}-\d\d)"><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td>', upcoming
    )
    assert len(rows) == 4
    for month, enterprise, township in rows:
        y, m = int(month[:4]), int(month[5:])
        if month in moved:  # 春节 (2027-01) keeps its moved date
            assert township == moved[month]
        else:
            assert township == f"{y + m // 12}年{m % 12 + 1}月13日"
            assert enterprise == f"{y + m // 12}年{m % 12 + 1}月10日"
    history = r.text.split('id="history"')[1]
    assert "1–N月累计乡镇（街道）报送期限：次月12日 → 次月13日" in history
    assert "2027年统计报表制度" in history
