"""Non-reporters and 催报 on the data desk, and the notification centre: the list equals
the expected enterprises minus those that reported (computed here in SQL), a township
officer reminds only its own township's enterprises, each reminder is recorded and
reaches the enterprise's account in the app and by e-mail (a real SMTP server on the
loopback), 督办 reminders reach the task owners, every role has a notification centre."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from tests.smtp_support import smtp_server, use_smtp
from tests.web.conftest import Site, csrf_of

from yanzhi.services.access import users
from yanzhi.views.data import recent_periods

EXPECTED_MINUS_REPORTED = text(
    """
    SELECT uscc FROM enterprise
    WHERE township_code = :t AND above_size_industrial = :yes
      AND (founded_year IS NULL OR founded_year <= :year)
    EXCEPT
    SELECT e.uscc FROM enterprise e JOIN rd_report r ON r.enterprise_id = e.id
    WHERE r.period = :p
    """
)


@pytest.fixture(scope="module", autouse=True)
def late_reports(site: Site) -> None:
    """The small demo's townships all reported; withdraw the newest reports of three
    expected enterprises of the township officer's township and two of another."""
    period = recent_periods(site.engine, 1)[0]
    own = site.accounts["township"]["unit"]
    pick = text(
        """
        SELECT e.id, e.township_code FROM enterprise e JOIN rd_report r ON r.enterprise_id = e.id
        WHERE r.period = :p AND e.above_size_industrial = :yes ORDER BY e.uscc
        """
    )
    with site.engine.begin() as conn:
        rows = conn.execute(pick, {"p": period, "yes": True}).all()
        mine = [i for i, t in rows if t == own][:3]
        other = next(t for _, t in rows if t != own)
        theirs = [i for i, t in rows if t == other][:2]
        assert len(mine) == 3 and len(theirs) == 2
        for i in mine + theirs:
            conn.execute(
                text("DELETE FROM rd_report WHERE enterprise_id = :i AND period = :p"),
                {"i": i, "p": period},
            )
    site.app.state.cache.bump()


def _missing(site: Site, township: str, period: str) -> set[str]:
    with site.engine.connect() as conn:
        rows = conn.execute(
            EXPECTED_MINUS_REPORTED,
            {"t": township, "yes": True, "year": int(period[:4]), "p": period},
        )
        return {r[0] for r in rows}


def _account(site: Site, username: str, role: str, **scope: str) -> None:
    password = "pass-" + username
    users.create_user(
        site.engine, username=username, password=password, role=role, actor="test", **scope
    )
    site.accounts[username] = {"password": password, "role": role}


def _own_and_other(site: Site) -> tuple[list[dict], list[dict]]:
    township = site.accounts["township"]["unit"]
    every = site.as_role("analyst").get("/api/v1/data/nonreporters").json()["items"]
    own = [i for i in every if i["township"] == township]
    other = [i for i in every if i["township"] != township]
    assert own and other
    return own, other


def test_the_list_is_the_expected_enterprises_minus_those_that_reported(site: Site) -> None:
    period = recent_periods(site.engine, 1)[0]
    township = site.accounts["township"]["unit"]
    r = site.as_role("township").get("/api/v1/data/nonreporters")
    assert r.status_code == 200
    found = r.json()
    assert found["period"] == period and found["may_remind"] is True
    assert found["synthetic"] is True
    assert {i["uscc"] for i in found["items"]} == _missing(site, township, period)
    assert found["items"], "the demo's township has non-reporters"
    assert [t["code"] for t in found["townships"]] == [township]
    assert found["townships"][0]["count"] == len(found["items"])
    for item in found["items"]:
        assert re.fullmatch(r"\d{4}年1-\d{1,2}月|从未报送", item["last_period_zh"])
        assert re.search(r"[\u4e00-\u9fff]", item["industry"])
        bound = item["uscc"] == site.accounts["enterprise"]["enterprise"]
        assert item["contact"] == ("enterprise@yanzhi-demo.invalid" if bound else "—")
    # a district officer sees each of its townships; the counts add up to the whole list
    district = site.as_role("district").get("/api/v1/data/nonreporters").json()
    assert sum(t["count"] for t in district["townships"]) == len(district["items"])
    for t in district["townships"]:
        assert t["count"] == len(_missing(site, t["code"], period))
    # the same rule as completeness: expected − received per township
    comp = site.as_role("township").get(
        "/api/v1/data/completeness", params={"level": "township", "period": period}
    )
    row = next(i for i in comp.json()["items"] if i["code"] == township)
    assert row["expected"] - row["received"] == len(found["items"])


def test_roles_without_enterprise_lists_cannot_see_it(site: Site) -> None:
    for who in ("owner", "enterprise"):
        assert site.as_role(who).get("/api/v1/data/nonreporters").status_code == 403
        assert site.as_role(who).get("/data/nonreporters").status_code == 403
    other = site.as_role("analyst").get("/api/v1/data/nonreporters").json()["townships"]
    outside = next(t["code"] for t in other if t["code"] != site.accounts["township"]["unit"])
    r = site.as_role("township").get("/api/v1/data/nonreporters", params={"unit": outside})
    assert r.status_code == 403


def test_a_township_officer_cannot_remind_outside_its_township(site: Site) -> None:
    _, other = _own_and_other(site)
    c = site.as_role("township")
    r = c.post("/api/v1/data/nonreporters/remind", json={"usccs": [other[0]["uscc"]]})
    assert r.status_code == 403
    zh = r.json()["error"]["message_zh"]
    assert other[0]["uscc"] in zh and "不在本账号管辖的乡镇（街道）内，不能催报" in zh
    page = c.post("/data/nonreporters/remind", data={"uscc": other[0]["uscc"]})
    assert page.status_code == 403 and "不能催报" in page.text
    # and nothing was recorded
    again = site.as_role("analyst").get("/api/v1/data/nonreporters").json()["items"]
    assert next(i for i in again if i["uscc"] == other[0]["uscc"])["reminders"] == 0


def row_period(c) -> str:
    return c.get("/api/v1/data/nonreporters").json()["period"]


def test_a_reminder_is_recorded_and_reaches_the_enterprise(site: Site, monkeypatch) -> None:
    own, _ = _own_and_other(site)
    target = next(i for i in own if i["uscc"] != site.accounts["enterprise"]["enterprise"])
    users.create_user(
        site.engine,
        username="qiye2",
        password="pass-qiye2",
        role="enterprise",
        enterprise=target["uscc"],
        email="caiwu@qiye.test",
        actor="test",
    )
    site.accounts["qiye2"] = {"password": "pass-qiye2", "role": "enterprise"}
    c = site.login("township")
    html = c.get("/data/nonreporters").text
    assert f'value="{target["uscc"]}"' in html and 'name="csrf_token"' in html
    bare = site.login("township")
    del bare.headers["X-CSRF-Token"]
    assert bare.post("/data/nonreporters/remind", data={"uscc": target["uscc"]}).status_code == 403
    with smtp_server() as (received, port):
        use_smtp(monkeypatch, port)
        for _ in range(2):
            r = c.post(
                "/data/nonreporters/remind",
                data={"uscc": target["uscc"], "csrf_token": csrf_of(html)},
                follow_redirects=False,
            )
            assert r.status_code == 303 and "sent=1" in r.headers["location"]
    assert received.recipients == [["caiwu@qiye.test"]] * 2
    assert received.subjects()[0].startswith("催报: 请尽快报送")
    assert target["name"] in received.bodies()[0]
    row = next(
        i for i in c.get("/api/v1/data/nonreporters").json()["items"] if i["uscc"] == target["uscc"]
    )
    assert row["reminders"] == 2 and row["last_reminded_by"] == "township"
    assert row["last_reminded_by_name"] == "演示乡镇联络员"
    audit = site.as_role("admin").get(
        "/api/v1/admin/audit", params={"entity": "enterprise_reminder", "actor": "township"}
    )
    assert [i["key"] for i in audit.json()["items"]].count(f"{target['uscc']}:{row_period(c)}") == 2
    assert row["contact"] == "caiwu@qiye.test"
    page = c.get("/data/nonreporters").text
    assert "caiwu@qiye.test" in page
    # the enterprise's account: two unread 催报 notifications, counted in the top bar
    e = site.login("qiye2")
    mine = e.get("/api/v1/notifications").json()
    assert (mine["total"], mine["unread"]) == (2, 2)
    assert {n["kind_zh"] for n in mine["items"]} == {"催报"}
    assert {n["email"] for n in mine["items"]} == {"已发送"}
    centre = e.get("/notifications").text
    assert re.search(r'id="unread-count">2<', centre) and "共 2 条，未读 2 条" in centre
    done = e.post("/api/v1/notifications/read", json={"ids": [mine["items"][0]["id"]]})
    assert done.json() == {"marked": 1, "unread": 1}
    assert re.search(r'id="unread-count">1<', e.get("/").text)


def test_supervision_reminders_reach_the_task_owners(site: Site) -> None:
    analyst = site.as_role("analyst")
    listed = analyst.get("/api/v1/tasks/supervision").json()["units"]
    unit = next(u for u in listed if u["unit"] != "_unassigned" and u["tasks"])
    _account(site, "duban1", "task_owner", unit=unit["unit"])
    r = analyst.post("/api/v1/tasks/supervision/remind", json={"unit": unit["unit"]})
    assert r.status_code == 200
    mine = site.login("duban1").get("/api/v1/notifications").json()
    assert mine["unread"] == 1 and mine["items"][0]["kind_zh"] == "督办"
    assert mine["items"][0]["title"] == f"督办: {len(unit['tasks'])} 项任务需报送进展"
    assert unit["tasks"][0]["code"] in mine["items"][0]["body"]


def test_every_role_has_a_notification_centre(site: Site) -> None:
    for who in ("admin", "analyst", "district", "township", "leader", "owner", "enterprise"):
        page = site.as_role(who).get("/notifications")
        assert page.status_code == 200, who
        assert 'id="notification-bell"' in page.text and "通知" in page.text
        api = site.as_role(who).get("/api/v1/notifications")
        assert api.status_code == 200 and set(api.json()) == {"items", "total", "unread"}
    assert site.anonymous().get("/api/v1/notifications").status_code == 401


def test_the_list_downloads_as_excel_with_a_readme(site: Site) -> None:
    found = site.as_role("township").get("/api/v1/data/nonreporters").json()
    r = site.as_role("township").get("/data/nonreporters.xlsx")
    assert r.status_code == 200 and "filename*=UTF-8''" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["说明", "未报企业名单"]
    readme = [c for row in wb["说明"].iter_rows(values_only=True) for c in row if c]
    assert any("演示" in str(c) for c in readme)
    assert f"{len(found['items'])} 家" in readme
    rows = list(wb["未报企业名单"].iter_rows(values_only=True))
    head = rows.index(next(r for r in rows if r[0] == "区县"))
    body = rows[head + 1 :]
    assert len(body) == len(found["items"])
    assert {r[3] for r in body} == {i["uscc"] for i in found["items"]}


@pytest.mark.parametrize("path", ["/data/nonreporters", "/notifications"])
def test_the_pages_are_chinese(site: Site, path: str) -> None:
    html = site.as_role("township").get(path).text
    main = html[html.index("<main>") : html.index("</main>")]  # the page's own content
    visible = re.sub(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", " ", main, flags=re.S)
    visible = re.sub(r"\S+@\S+", " ", visible)  # e-mail addresses are data
    words = set(re.findall(r"\b[A-Za-z]{4,}\b", visible)) - {"Excel"}
    assert not words, words


def test_submission_and_approval_notify_the_next_desk(site: Site) -> None:
    """报送审核: a township's submission tells the city analysts; the approval tells the
    township's and its district's officers."""
    period = recent_periods(site.engine, 1)[0]
    township = site.accounts["township"]["unit"]
    before = site.login("analyst").get("/api/v1/notifications").json()["total"]
    r = site.as_role("township").post(f"/api/v1/data/submissions/{township}/{period}/submit")
    assert r.status_code == 200 and r.json()["changed"] == [township]
    analyst = site.login("analyst").get("/api/v1/notifications").json()
    assert analyst["total"] == before + 1
    note = analyst["items"][0]
    assert note["kind_zh"] == "报送审核" and "已上报，待审核" in note["title"]
    r = site.as_role("analyst").post(f"/api/v1/data/submissions/{township}/{period}/approve")
    assert r.status_code == 200
    for who in ("township", "district"):
        mine = site.login(who).get("/api/v1/notifications").json()["items"]
        assert mine[0]["kind"] == "review" and "已审核通过并锁定" in mine[0]["title"], who


def test_new_warnings_are_told_to_the_city_and_the_units_officers(site: Site) -> None:
    """A warning that was not there before the change goes, as one 预警 notification per
    person, to the city analysts and leaders, and to the district's (and township's)
    officers when it is about their unit; warnings already there are not told again."""
    from yanzhi.services.monitoring import notices
    from yanzhi.services.plan import orgunits

    now = notices.current(site.engine)
    tree = orgunits.org_tree(site.engine)
    # a township's warning if there is one (it reaches the most people), else a district's
    key = next((k for k in now if k[0] == "falling"), None) or next(
        k for k, n in now.items() if n.unit in tree and str(tree.get(n.unit).level) == "district"
    )
    unit = now[key].unit
    district = unit if str(tree.get(unit).level) == "district" else tree.get(unit).parent_code
    _account(site, "warn_d", "district_officer", unit=str(district))
    if unit != district:
        _account(site, "warn_t", "township_officer", unit=unit)
    before = {k: v for k, v in now.items() if k != key}
    why = "测试数据审核通过"

    def warnings_of(username: str) -> list[dict]:
        items = site.login(username).get("/api/v1/notifications").json()["items"]
        return [n for n in items if n["kind"] == "warning" and why in n["title"]]

    assert notices.notify_new(site.engine, now, actor="test", why=why) == 0  # nothing new
    added = notices.notify_new(site.engine, before, actor="test", why=why)
    people = ["analyst", "leader", "warn_d", "owner"] + (["warn_t"] if unit != district else [])
    told = {u: warnings_of(u) for u in people}
    assert len(told["analyst"]) == len(told["leader"]) == len(told["warn_d"]) == 1
    assert told["owner"] == []  # a task owner is not told of unit warnings
    if unit != district:
        assert len(told["warn_t"]) == 1
    assert added == sum(len(v) for v in told.values())
    n = told["analyst"][0]
    assert n["kind_zh"] == "预警" and n["title"] == f"预警: {why}后新增 1 条预警"
    assert now[key].text in n["body"] and n["link"] == now[key].link
    # what was told is kept: the next change compares with it without recomputing
    assert notices.told(site.engine) == now


def test_the_list_sorts_filters_and_pages_like_its_api(site: Site) -> None:
    """``?nonreporters.…`` on the page and the API: the same rows in the same order, each
    once over the pages; the download holds every filtered row."""
    c = site.as_role("analyst")
    every = c.get("/api/v1/data/nonreporters", params={"size": 500}).json()
    assert every["total"] == len(every["items"]) >= 5
    q = {"nonreporters.sort": "uscc", "nonreporters.order": "desc", "nonreporters.size": "2"}
    seen: list[str] = []
    for n in range(1, -(-every["total"] // 2) + 1):
        q["nonreporters.page"] = str(n)
        api = c.get("/api/v1/data/nonreporters", params=q).json()
        assert api["total"] == every["total"] and api["page"] == n and api["size"] == 2
        page = c.get("/data/nonreporters", params=q).text
        shown = re.findall(r'<tr id="nonreporter-([0-9A-Z]+)"', page)
        assert shown == [i["uscc"] for i in api["items"]]
        seen += shown
    assert seen == sorted((i["uscc"] for i in every["items"]), reverse=True)
    assert f"共 {every['total']} 条" in page and "上一页" in page
    town = every["items"][0]["township_name"]
    only = {"nonreporters.township_name": town, "nonreporters.sort": "reminders"}
    kept = c.get("/api/v1/data/nonreporters", params=only).json()["items"]
    assert kept and {i["township_name"] for i in kept} == {town}
    assert len(kept) == sum(i["township_name"] == town for i in every["items"])
    reminders = [i["reminders"] for i in kept]
    assert reminders == sorted(reminders)
    book = c.get("/data/nonreporters.xlsx", params=only)
    ws = load_workbook(io.BytesIO(book.content)).worksheets[-1]
    cells = [str(v) for row in ws.iter_rows(values_only=True) for v in row if v]
    assert {i["uscc"] for i in kept} <= set(cells)
    assert not {i["uscc"] for i in every["items"] if i["township_name"] != town} & set(cells)
    bad = c.get("/api/v1/data/nonreporters", params={"nonreporters.sort": "x"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_table_query"
    assert c.get("/data/nonreporters", params={"nonreporters.page": "-1"}).status_code == 400


def test_every_demo_non_reporter_has_the_same_contact_on_page_api_and_excel(site: Site) -> None:
    c = site.as_role("township")
    items = c.get("/api/v1/data/nonreporters").json()["items"]
    assert items
    assert all(i["contact_person"].startswith("演示联系人") for i in items)
    assert all(re.fullmatch(r"0574-5550\d{4}", i["contact_phone"]) for i in items)
    page = c.get("/data/nonreporters").text
    wb = load_workbook(io.BytesIO(c.get("/data/nonreporters.xlsx").content))
    rows = list(wb["未报企业名单"].iter_rows(values_only=True))
    head = rows.index(next(r for r in rows if r[0] == "区县"))
    by_uscc = {r[3]: r for r in rows[head + 1 :]}
    col = rows[head].index("联系电话")
    for i in items:
        assert by_uscc[i["uscc"]][col] == i["contact_phone"]
        assert by_uscc[i["uscc"]][col - 1] == i["contact_person"]
        row = page.split(f'id="nonreporter-{i["uscc"]}"')[1].split("</tr>")[0]
        assert i["contact_person"] in row and i["contact_phone"] in row
