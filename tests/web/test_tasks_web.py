"""Tasks on the web: the board's numbers equal the service's, each role sees the tasks its
scope allows (403 on another's), a task owner reports progress with evidence (in the
history, the audit log and downloadable as an attachment), leaders comment, supervision
and reminders, the pages and their Excel exports; every task route documents its response.
(Registers: test_registers_web.py.)"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from tests.web.conftest import Site, csrf_of
from tests.web.openapi_support import assert_documented

from yanzhi.services.tasks import registers, supervision
from yanzhi.services.tasks import updates as tasks
from yanzhi.web.api import create_api

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(scope="module", autouse=True)
def evidence_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    folder = tmp_path_factory.mktemp("evidence")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("YANZHI_EVIDENCE_DIR", str(folder))
        yield


def board(site: Site) -> tasks.Board:
    return tasks.board(site.engine)


def owned_by(item: tasks.BoardTask, unit: str) -> bool:
    return unit == item.lead or unit in item.co_units


def others_task(site: Site, unit: str) -> str:
    return next(t.code for t in board(site).tasks if not owned_by(t, unit))


def own_task(site: Site, unit: str) -> str:
    return next(t.code for t in board(site).tasks if t.lead == unit)


def audit(site: Site, entity: str, actor: str) -> list[str]:
    with site.engine.connect() as c:
        rows = c.execute(
            text("SELECT entity_key FROM audit_log WHERE entity = :e AND actor = :a"),
            {"e": entity, "a": actor},
        )
        return [r[0] for r in rows]


# --------------------------------------------------------------------------- board


def test_board_api_numbers_equal_the_service(site: Site) -> None:
    expected = board(site)
    data = site.as_role("analyst").get("/api/v1/tasks", params={"size": 500}).json()
    assert data["total"] == len(expected.tasks) == 24
    assert data["plan_progress"] == pytest.approx(expected.plan_progress)
    got = {p["code"]: p["progress"] for p in data["programmes"]}
    assert got == pytest.approx({p.code: p.progress for p in expected.programmes})
    assert len(got) == 6 and all(p["title"] for p in data["programmes"])
    assert [t["code"] for t in data["items"]] == [t.code for t in expected.tasks]
    by_code = {t.code: t for t in expected.tasks}
    for item in data["items"]:
        assert item["states"] == by_code[item["code"]].states
        latest = by_code[item["code"]].latest
        assert latest is not None
        assert item["latest"]["progress"] == latest.progress
    page2 = site.as_role("analyst").get("/api/v1/tasks", params={"size": 10, "page": 3}).json()
    assert len(page2["items"]) == 4 and page2["total"] == 24


def test_board_filters_match_the_service(site: Site) -> None:
    c = site.as_role("analyst")
    for params, kwargs in [
        ({"status": "behind"}, {"status": "behind"}),
        ({"overdue": "true"}, {"overdue": True}),
        ({"owner": "NBKJJ"}, {"owner": "NBKJJ"}),
    ]:
        got = c.get("/api/v1/tasks", params={**params, "size": 500}).json()
        want = tasks.board(site.engine, **kwargs).tasks  # type: ignore[arg-type]
        assert [t["code"] for t in got["items"]] == [t.code for t in want], params
    assert c.get("/api/v1/tasks", params={"status": "nonsense"}).status_code == 400
    assert c.get("/api/v1/tasks", params={"period": "2026Q9"}).status_code == 400


def test_task_owner_sees_only_its_tasks_and_403_on_another(site: Site) -> None:
    unit = site.accounts["owner"]["unit"]
    c = site.as_role("owner")
    data = c.get("/api/v1/tasks", params={"size": 500}).json()
    mine = [t.code for t in board(site).tasks if owned_by(t, unit)]
    assert [t["code"] for t in data["items"]] == mine and 0 < len(mine) < 24
    other = others_task(site, unit)
    for path in (f"/api/v1/tasks/{other}", f"/api/v1/tasks/{other}/history"):
        r = c.get(path)
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert c.get(f"/tasks/{other}").status_code == 403
    assert c.get(f"/api/v1/tasks/{mine[0]}").status_code == 200
    assert c.get("/api/v1/tasks/P9.T9").status_code == 404
    assert c.get("/tasks/P9.T9").status_code == 404


def test_district_user_sees_the_tasks_its_units_lead_or_co_lead(site: Site) -> None:
    from yanzhi.services.plan.orgunits import org_tree

    tree = org_tree(site.engine)
    unit = site.accounts["district"]["unit"]
    data = site.as_role("district").get("/api/v1/tasks", params={"size": 500}).json()

    def inside(t: tasks.BoardTask) -> bool:
        units = [t.lead, *t.co_units]
        return any(u and u in tree and tree.is_within(u, unit) for u in units)

    assert [t["code"] for t in data["items"]] == [t.code for t in board(site).tasks if inside(t)]


def test_enterprise_users_see_no_tasks(site: Site) -> None:
    c = site.as_role("enterprise")
    assert c.get("/api/v1/tasks").status_code == 403
    assert c.get("/tasks").status_code == 403
    assert c.get("/api/v1/registers").status_code == 403


# --------------------------------------------------------------------------- reports


def test_owner_reports_progress_with_evidence(site: Site) -> None:
    unit = site.accounts["owner"]["unit"]
    code = own_task(site, unit)
    c = site.login("owner")
    r = c.post(
        f"/api/v1/tasks/{code}/reports",
        data={
            "period": "2026Q4",
            "status": "滞后",
            "progress": "61.5",
            "note": "网页报送测试",
            "delay_reason": "审批延迟",
        },
        files=[("evidence", ("进展材料.pdf", PDF, "application/pdf"))],
    )
    assert r.status_code == 201, r.text
    saved = r.json()
    assert (saved["status"], saved["progress"], saved["reported_by"]) == ("behind", 61.5, "owner")
    [ev] = saved["evidence"]
    assert ev["mime"] == "application/pdf" and "stored_path" not in ev
    history = c.get(f"/api/v1/tasks/{code}/history").json()
    newest = history["items"][0]
    assert newest["id"] == saved["id"] and newest["narrative"] == "网页报送测试"
    assert newest["evidence"][0]["sha256"] == ev["sha256"]
    keys = audit(site, "task_report", "owner")
    assert any(k.startswith(f"{code}/2026Q4/") for k in keys)
    assert any(ev["sha256"] in k for k in audit(site, "evidence", "owner"))
    # the latest report is what the board shows now
    item = next(t for t in board(site).tasks if t.code == code)
    assert item.latest is not None and item.latest.progress == 61.5
    # the file comes back as an attachment, never inline
    got = c.get(newest["evidence"][0]["url"])
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"
    page = c.get(f"/tasks/{code}")
    assert page.status_code == 200 and "进展材料.pdf" in page.text
    assert c.get(f"/tasks/{code}/evidence/{ev['sha256']}").content == PDF
    # someone who may not see the task may not fetch its evidence either
    outsider = next((u for u in ("township", "district") if not _sees(site, u, code)), None)
    if outsider:
        r = site.as_role(outsider).get(f"/api/v1/tasks/{code}/evidence/{ev['sha256']}")
        assert r.status_code == 403
    assert c.get(f"/api/v1/tasks/{code}/evidence/{'0' * 64}").status_code == 404


def _sees(site: Site, username: str, code: str) -> bool:
    return site.as_role(username).get(f"/api/v1/tasks/{code}").status_code == 200


def test_report_as_json_and_refusals_store_nothing(site: Site) -> None:
    code = own_task(site, site.accounts["owner"]["unit"])
    c = site.login("owner")
    note = "</script><script>alert(1)</script>"
    body = {"status": "on_track", "progress": 70, "note": note}
    r = c.post(f"/api/v1/tasks/{code}/reports", json=body)
    assert r.status_code == 201
    assert r.json()["period"] == tasks.current_period(dt.date.today())
    page = c.get(f"/tasks/{code}").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    before = len(tasks.history(site.engine, code))
    html = b"<html><script>alert(1)</script></html>"
    r = c.post(
        f"/api/v1/tasks/{code}/reports",
        data={"status": "on_track", "progress": "72"},
        files=[("evidence", ("report.pdf", html, "application/pdf"))],
    )
    assert r.status_code == 422 and r.json()["error"]["details"][0]["rule"] == "evidence_type"
    assert (
        c.post(
            f"/api/v1/tasks/{code}/reports", json={"status": "on_track", "progress": 150}
        ).status_code
        == 422
    )
    assert (
        c.post(
            f"/api/v1/tasks/{code}/reports", json={"status": "later", "progress": 10}
        ).status_code
        == 400
    )
    assert c.post(f"/api/v1/tasks/{code}/reports", json=[1, 2]).status_code == 422
    assert len(tasks.history(site.engine, code)) == before


def test_who_may_report(site: Site) -> None:
    unit = site.accounts["owner"]["unit"]
    body = {"status": "on_track", "progress": 50}
    other = others_task(site, unit)
    mine = own_task(site, unit)
    for user, code in [("township", mine), ("district", mine), ("analyst", mine), ("leader", mine)]:
        r = site.as_role(user).post(f"/api/v1/tasks/{code}/reports", json=body)
        assert r.status_code == 403, user
    assert (
        site.as_role("owner").post(f"/api/v1/tasks/{other}/reports", json=body).status_code == 403
    )
    assert (
        site.as_role("admin").post(f"/api/v1/tasks/{other}/reports", json=body).status_code == 201
    )


def test_report_through_the_page_form(site: Site) -> None:
    code = own_task(site, site.accounts["owner"]["unit"])
    c = site.login("owner")
    del c.headers["X-CSRF-Token"]
    page = c.get(f"/tasks/{code}")
    assert 'id="report-form"' in page.text and 'id="comment-form"' not in page.text
    token = csrf_of(page.text)
    form = {"csrf_token": token, "period": "2026Q4", "status": "on_track", "progress": "75"}
    r = c.post(
        f"/tasks/{code}/report",
        data=form,
        files=[("evidence", ("a.pdf", PDF))],
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/tasks/{code}?saved=report"
    assert tasks.history(site.engine, code)[-1].progress == 75
    bad = c.post(f"/tasks/{code}/report", data={**form, "progress": "75", "status": "x"})
    assert bad.status_code == 400 and 'id="form-error"' in bad.text
    no_csrf = c.post(
        f"/tasks/{code}/report", data={k: v for k, v in form.items() if k != "csrf_token"}
    )
    assert no_csrf.status_code == 403


# --------------------------------------------------------------------------- comments, owners


def test_leader_comments_and_others_may_not(site: Site) -> None:
    code = others_task(site, site.accounts["owner"]["unit"])
    c = site.login("leader")
    r = c.post(f"/api/v1/tasks/{code}/comments", json={"text": "请加快进度"})
    assert r.status_code == 201 and r.json()["author"] == "leader"
    data = c.get(f"/api/v1/tasks/{code}").json()
    assert data["comments"][-1]["text"] == "请加快进度" and data["may"]["comment"]
    assert code in audit(site, "task_comment", "leader")
    assert c.get(f"/tasks/{code}").text.count("请加快进度") >= 1
    assert c.post(f"/api/v1/tasks/{code}/comments", json={"text": "  "}).status_code == 400
    mine = own_task(site, site.accounts["owner"]["unit"])
    r = site.as_role("owner").post(f"/api/v1/tasks/{mine}/comments", json={"text": "x"})
    assert r.status_code == 403


def test_analyst_assigns_owners_and_sets_milestones(site: Site) -> None:
    code = "P6.T4"
    c = site.as_role("analyst")
    before = c.get(f"/api/v1/tasks/{code}").json()
    r = c.put(f"/api/v1/tasks/{code}/owners", json={"lead": "NBKJJ", "co_units": ["330212"]})
    assert r.status_code == 200 and r.json()["co_units"] == ["330212"]
    after = c.get(f"/api/v1/tasks/{code}").json()
    assert (after["lead"], after["co_units"]) == ("NBKJJ", ["330212"])
    assert c.put(f"/api/v1/tasks/{code}/owners", json={"lead": "NOPE"}).status_code == 404
    r = c.post(f"/api/v1/tasks/{code}/milestones", json={"year": 2027, "title": "全面完成"})
    assert r.status_code == 201 and r.json()["milestone"] == f"{code}/M2027"
    assert (
        site.as_role("owner")
        .put(f"/api/v1/tasks/{code}/owners", json={"lead": "NBKJJ"})
        .status_code
        == 403
    )
    c.put(
        f"/api/v1/tasks/{code}/owners",
        json={"lead": before["lead"], "co_units": before["co_units"]},
    )


# --------------------------------------------------------------------------- supervision


def test_supervision_and_reminders(site: Site) -> None:
    c = site.as_role("analyst")
    data = c.get("/api/v1/tasks/supervision").json()
    assert data == {**supervision.supervise(site.engine).to_dict(), "may_remind": True}
    assert data["units"], "the demo has silent and overdue tasks"
    unit = data["units"][0]["unit"]
    r = c.post("/api/v1/tasks/supervision/remind", json={"unit": unit, "note": "请按期报送"})
    assert r.status_code == 200 and len(r.json()["reminded"]) == len(data["units"][0]["tasks"])
    again = c.get("/api/v1/tasks/supervision").json()
    first = next(u for u in again["units"] if u["unit"] == unit)
    assert all(t["reminders"][-1]["note"] == "请按期报送" for t in first["tasks"])
    assert (
        site.as_role("owner")
        .post("/api/v1/tasks/supervision/remind", json={"unit": unit})
        .status_code
        == 403
    )
    owner = site.as_role("owner").get("/api/v1/tasks/supervision").json()
    visible = {
        t["code"]
        for t in site.as_role("owner").get("/api/v1/tasks", params={"size": 500}).json()["items"]
    }
    assert all(t["code"] in visible for u in owner["units"] for t in u["tasks"])
    page = c.get("/tasks/supervision")
    assert page.status_code == 200 and "督办清单" in page.text and "remind-form" in page.text


# --------------------------------------------------------------------------- pages, exports


@pytest.mark.parametrize("user", ["admin", "analyst", "leader", "owner", "district", "township"])
def test_pages_render(site: Site, user: str) -> None:
    c = site.as_role(user)
    visible = c.get("/api/v1/tasks", params={"size": 500}).json()["items"]
    paths = [
        "/tasks",
        "/tasks?status=behind&overdue=1",
        "/tasks/supervision",
    ]
    if visible:
        paths.append(f"/tasks/{visible[0]['code']}")
    for path in paths:
        r = c.get(path)
        assert r.status_code == 200, (user, path, r.text[:300])
        assert 'id="page-data"' in r.text


def test_board_page_shows_programmes_and_exports(site: Site) -> None:
    c = site.as_role("analyst")
    r = c.get("/tasks")
    assert r.text.count('small" data-chart="programme"') == 6 and "P1.T1" in r.text
    ws = load_workbook(io.BytesIO(c.get("/tasks?export=tasks").content)).worksheets[1]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "编号" and len(rows) == 25
    owner = site.as_role("owner").get("/tasks?export=tasks")
    n = len(site.as_role("owner").get("/api/v1/tasks", params={"size": 500}).json()["items"])
    assert len(list(load_workbook(io.BytesIO(owner.content)).worksheets[1].iter_rows())) == n + 1
    code = "P1.T1"
    hist = load_workbook(io.BytesIO(c.get(f"/tasks/{code}?export=history").content))
    hist = hist.worksheets[1]
    assert len(list(hist.iter_rows())) == len(tasks.history(site.engine, code)) + 1
    reg = load_workbook(io.BytesIO(c.get("/registers/scenario?export=scenario").content))
    reg = reg.worksheets[1]
    n_reg = len(registers.list_register(site.engine, "scenario"))
    assert len(list(reg.iter_rows())) == n_reg + 1
    sup = c.get("/tasks/supervision?export=supervision")
    assert load_workbook(io.BytesIO(sup.content)).worksheets[1].max_row >= 2


def test_forms_show_only_to_roles_that_may_use_them(site: Site) -> None:
    code = own_task(site, site.accounts["owner"]["unit"])
    admin = site.as_role("admin").get(f"/tasks/{code}").text
    assert all(f in admin for f in ('id="report-form"', 'id="comment-form"', 'id="owners-form"'))
    leader = site.as_role("leader").get(f"/tasks/{code}").text
    assert 'id="comment-form"' in leader and 'id="report-form"' not in leader
    assert 'id="owners-form"' not in leader
    analyst = site.as_role("analyst").get("/registers/scenario").text
    assert 'id="import-form"' in analyst
    assert 'id="import-form"' not in site.as_role("district").get("/registers/scenario").text


def test_every_task_route_documents_its_response() -> None:
    assert_documented(create_api().openapi(), "/tasks")
