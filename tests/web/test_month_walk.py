"""A month of the 月度监测制度 walked in a real browser by the roles that run it (issue
#18's done-when), on the demo database (SQLite and PostgreSQL) with a real SMTP server on
the loopback: the admin moves the enterprises' deadline to yesterday on the calendar
page; the township officer lands on its desk, sees the deadline passed and its
non-reporters, and reminds them — the e-mail arrives; the district officer submits its
townships; the city analyst approves and the cockpit shows the new 1–N月 period with
同比. Then every role's menu: each page it offers answers 200."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
from sqlalchemy import text
from tests.smtp_support import smtp_server, use_smtp
from tests.web.browser_support import Tab, by_id, logout
from tests.web.conftest import Site

from yanzhi.core.periods import parse_period
from yanzhi.services.access import users
from yanzhi.storage.db import transaction
from yanzhi.storage.submissions import submissions
from yanzhi.views.data import recent_periods
from yanzhi.views.desk import today_china

WITHDRAWN = 3  # expected enterprises of the officer's township whose reports are withdrawn
EMAIL = "caiwu@walk.test"


@pytest.fixture(scope="module")
def month(site: Site) -> dict[str, Any]:
    """The open period (the demo's newest, still a draft) with three of the township's
    expected enterprises not reported, one of them with an account that has an e-mail."""
    period = recent_periods(site.engine, 1)[0]
    town = site.accounts["township"]["unit"]
    url = f"/api/v1/data/nonreporters?unit={town}&period={period}"
    before = {i["uscc"] for i in site.as_role("analyst").get(url).json()["items"]}
    pick = text(
        "SELECT e.id, e.uscc FROM enterprise e JOIN rd_report r ON r.enterprise_id = e.id "
        "WHERE r.period = :p AND e.township_code = :t AND e.above_size_industrial = :yes "
        "ORDER BY e.uscc"
    )
    with site.engine.begin() as conn:
        rows = conn.execute(pick, {"p": period, "t": town, "yes": True}).all()[:WITHDRAWN]
        assert len(rows) == WITHDRAWN
        for i, _ in rows:
            conn.execute(
                text("DELETE FROM rd_report WHERE enterprise_id = :i AND period = :p"),
                {"i": i, "p": period},
            )
    target = rows[0][1]
    users.create_user(
        site.engine,
        username="walk_qiye",
        password="pass-walk-qiye",
        role="enterprise",
        enterprise=target,
        email=EMAIL,
        actor="test",
    )
    site.app.state.cache.bump()
    missing = sorted(before | {u for _, u in rows})
    assert len(missing) == len(before) + WITHDRAWN
    return {"period": period, "town": town, "target": target, "missing": missing}


def _statuses(site: Site, period: str) -> dict[str, str]:
    with transaction(site.engine) as session:
        frame = submissions(session, "rd", [period])
    return dict(zip(frame["org_unit_code"], frame["status"].astype(str), strict=True))


def _wait(site: Site, period: str, units: list[str], wanted: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while any(_statuses(site, period).get(u) != wanted for u in units):
        if time.monotonic() > deadline:
            got = {u: _statuses(site, period).get(u) for u in units}
            raise AssertionError(f"{period}: expected {wanted} for all of {got}")
        time.sleep(0.2)


def _ytd_period(tab: Tab) -> str:
    return str(tab.page.locator("#ytd").get_attribute("data-period"))


def test_a_month_walked_by_the_roles(
    site: Site, browser: Any, base: str, month: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    period, town = month["period"], month["town"]
    district = site.accounts["district"]["unit"]
    tree_towns = [
        r["code"]
        for r in site.as_role("district").get("/api/v1/units?size=500").json()["items"]
        if r["level"] == "township"
    ]
    assert town in tree_towns
    ending = parse_period(period)
    month_code = f"{ending.year}-{ending.last_month:02d}"
    yesterday = today_china() - dt.timedelta(days=1)
    with smtp_server() as (inbox, port):
        use_smtp(monkeypatch, port)

        # The deadline passes: on the calendar page the admin sets the enterprises' due
        # date to yesterday (a passed date: with a reason).
        t = Tab(browser, base)
        try:
            page = t.page
            t.login(site, "admin")
            t.goto("/admin/calendar")
            form = page.locator("#move-due")
            form.locator("input[name=month]").fill(month_code)
            form.locator("select[name=level]").select_option("enterprise")
            form.locator("input[name=due]").fill(yesterday.isoformat())
            form.locator("input[name=note]").fill("测试：截止日已过")
            with page.expect_navigation():
                form.locator("button[type=submit]").click()
            assert page.locator("#form-error").count() == 0, page.locator(
                "#form-error"
            ).inner_text()
            logout(page)
        finally:
            t.close()
        cal = site.as_role("analyst").get("/api/v1/data/calendar").json()
        assert {
            "month": month_code,
            "level": "enterprise",
            "due": yesterday.isoformat(),
        }.items() <= next(
            o for o in cal["overrides"] if o["month"] == month_code and o["level"] == "enterprise"
        ).items()

        # The township officer lands on its desk: the deadline has passed, reports missing.
        t = Tab(browser, base)
        try:
            page = t.page
            t.login(site, "township")
            assert page.url.endswith(f"/units/{town}"), page.url
            desk = page.locator("#desk-reporting")
            assert desk.get_attribute("data-period") == period
            assert desk.get_attribute("data-days-left") == "-1"
            assert "企业报送截止已过 1 天" in page.locator("#desk-deadline").inner_text()
            missing = month["missing"]
            shown_missing = page.locator('#desk-reporting [data-key="missing"]').inner_text()
            assert shown_missing == str(len(missing))
            shown = page.locator("#table-nonreporters tbody tr").all_inner_texts()
            assert [u for u in missing if any(u in r for r in shown)] == missing[: len(shown)]
            # ... opens the whole list, selects every non-reporter and reminds them.
            with page.expect_navigation():
                page.click("#desk-remind")
            page.check("#check-all")
            with page.expect_navigation():
                page.click("#remind-button")
            notice = page.locator("#remind-notice").inner_text()
            assert f"已向 {len(missing)} 家企业发送催报通知" in notice, notice
            assert t.errors == [], t.errors
            logout(page)
        finally:
            t.close()
        # The e-mail reached the enterprise's account at the SMTP server.
        assert [EMAIL] in inbox.recipients
        mail = inbox.messages[inbox.recipients.index([EMAIL])]
        assert str(mail["Subject"]).startswith("催报: 请尽快报送")
        assert month["target"] in mail.get_body().get_content()  # type: ignore[union-attr]

        # The district officer lands on the district's page and submits its townships.
        t = Tab(browser, base)
        try:
            page = t.page
            t.login(site, "district")
            assert page.url.endswith(f"/units/{district}"), page.url
            t.goto(f"/data?period={period}")
            page.click(by_id(f"submit-{district}-{period}"))
            _wait(site, period, tree_towns, "submitted")
            page.wait_for_load_state()
            logout(page)
        finally:
            t.close()

        # The city analyst lands on the cockpit, approves the district, and the cockpit
        # shows the new 1–N月 period with 同比.
        t = Tab(browser, base)
        try:
            page = t.page
            t.login(site, "analyst")
            assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", page.url), page.url
            assert _ytd_period(t) != period
            t.goto(f"/data?period={period}")
            page.click(by_id(f"approve-{district}-{period}"))
            _wait(site, period, tree_towns, "approved")
            page.wait_for_load_state()
            t.goto("/")
            assert _ytd_period(t) == period
            api = site.as_role("analyst").get("/api/v1/cockpit").json()["ytd"]
            assert api["period"] == period
            row = next(r for r in api["rows"] if r["indicator"] == "IND_RD_EXPENSE")
            assert row["yoy_level"] is not None
            cell = page.locator('#ytd tr[data-indicator="IND_RD_EXPENSE"] td').nth(4)
            assert cell.inner_text().strip() == f"{row['yoy_level'] * 100:+.1f}%"
            assert t.errors == [], t.errors
        finally:
            t.close()
    # The review notifications went to the next desk: the analysts heard of the submission.
    inbox_api = site.as_role("analyst").get("/api/v1/notifications").json()
    assert any("已上报，待审核" in n["title"] for n in inbox_api["items"])


ROLES = ["admin", "analyst", "district", "township", "leader", "owner", "enterprise"]


@pytest.mark.parametrize("username", ROLES)
def test_every_page_of_a_roles_menu_answers_200(
    site: Site, browser: Any, base: str, username: str
) -> None:
    """Each role's menu (the top bar and the notification centre) offers only pages it
    may open: every link answers 200 in the logged-in browser."""
    t = Tab(browser, base)
    try:
        t.login(site, username)
        hrefs = t.page.eval_on_selector_all(
            "nav.main-nav a, #notification-bell", "els => els.map(e => e.getAttribute('href'))"
        )
        assert hrefs, f"{username} has no menu"
        for href in hrefs:
            r = t.page.request.get(base + href)
            assert r.status == 200, f"{username}: {href} answers {r.status}"
    finally:
        t.close()
