"""Administration: accounts, tokens and the audit log — admins only, every write audited,
passwords never shown."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from tests.web.conftest import Site, csrf_of

from yanzhi.services.access.principal import Principal
from yanzhi.storage.audit import list_audit
from yanzhi.storage.db import transaction
from yanzhi.views import admin as admin_svc

ADMIN_API = [
    "/api/v1/admin/users",
    "/api/v1/admin/users/admin",
    "/api/v1/admin/tokens",
    "/api/v1/admin/audit",
]
ADMIN_PAGES = ["/admin", "/admin/users/admin", "/admin/tokens", "/admin/audit", "/admin/calendar"]
OTHERS = ["analyst", "district", "township", "leader", "owner", "enterprise"]


def _audit(site: Site, **filters: str) -> list[dict[str, object]]:
    with transaction(site.engine) as s:
        return [
            {"action": r.action, "key": r.entity_key, "changes": r.changes, "actor": r.actor}
            for r in list_audit(s, **filters)  # type: ignore[arg-type]
        ]


@pytest.mark.parametrize("who", OTHERS)
def test_everyone_but_admins_gets_403(site: Site, who: str) -> None:
    c = site.as_role(who)
    for url in ADMIN_API + ADMIN_PAGES:
        assert c.get(url).status_code == 403, (who, url)
    body = {"username": "sneaky", "password": "password123", "role": "admin"}
    r = c.post("/api/v1/admin/users", json=body)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert c.patch("/api/v1/admin/users/admin", json={"active": False}).status_code == 403
    assert c.patch("/api/v1/admin/users/admin", json={"role": 5}).status_code == 403  # not 422
    assert c.post("/admin/users", data={**body, "csrf_token": c.csrf}).status_code == 403  # type: ignore[attr-defined]
    assert "sneaky" not in {u.username for u in admin_svc.list_users(site.engine, ADMIN)}


ADMIN = Principal("admin", "admin")


def test_anonymous_is_asked_to_log_in(site: Site) -> None:
    c = site.anonymous()
    assert c.get("/api/v1/admin/users").status_code == 401
    r = c.get("/admin/audit", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/admin/audit"


def test_create_user_is_audited_and_never_shows_the_password(site: Site) -> None:
    c = site.as_role("admin")
    township = site.accounts["township"]["unit"]
    secret = "Secret-pass-123"
    r = c.post(
        "/api/v1/admin/users",
        json={
            "username": "town2",
            "password": secret,
            "role": "township_officer",
            "unit": township,
            "display_name": "乡镇二号",
        },
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["unit"] == township and made["active"] and "password" not in made
    assert secret not in r.text
    (row,) = _audit(site, entity="user", key="town2")
    assert row["action"] == "create" and row["actor"] == "admin"
    assert secret not in str(row["changes"]) and "password_hash" not in row["changes"]  # type: ignore[operator]
    listed = c.get("/api/v1/admin/users", params={"size": 500}).json()
    assert "town2" in {u["username"] for u in listed["items"]}
    assert listed["total"] == len(admin_svc.list_users(site.engine, ADMIN))
    login = site.anonymous().post(
        "/api/v1/auth/login", json={"username": "town2", "password": secret}
    )
    assert login.status_code == 200 and login.json()["unit"] == township
    one = c.get("/api/v1/admin/users/town2").json()
    assert one["tokens"] == [] and one["display_name"] == "乡镇二号"


def test_bad_accounts_are_refused_with_a_reason(site: Site) -> None:
    c = site.as_role("admin")
    base = {"username": "bad1", "password": "password123"}
    cases = [
        ({**base, "role": "township_officer"}, 400),  # no unit
        ({**base, "role": "township_officer", "unit": "999999999"}, 400),
        ({**base, "role": "enterprise"}, 400),  # no USCC
        ({**base, "role": "enterprise", "enterprise": "91330200XXXXXXXXXX"}, 400),
        ({**base, "role": "wizard"}, 422),
        ({**base, "password": "short", "role": "leader"}, 422),
        ({**base, "username": "a b", "role": "leader"}, 422),
        ({**base, "username": "admin", "role": "leader"}, 400),  # exists
        ({**base, "display_name": "x\x00y", "role": "leader"}, 400),
    ]
    for body, status in cases:
        r = c.post("/api/v1/admin/users", json=body)
        assert r.status_code == status, (body, r.text)
        assert set(r.json()["error"]) == {"code", "message", "message_zh", "message_en", "details"}
    assert c.get("/api/v1/admin/users/bad1").status_code == 404
    assert c.patch("/api/v1/admin/users/nobody", json={"active": False}).status_code == 404
    assert c.get("/api/v1/admin/users/bad%20name").status_code == 422


def test_edit_role_scope_active_and_reset_password(site: Site) -> None:
    c = site.as_role("admin")
    district = site.accounts["district"]["unit"]
    c.post(
        "/api/v1/admin/users",
        json={"username": "mover", "password": "first-pass-1", "role": "leader"},
    )
    user = site.anonymous()
    assert (
        user.post(
            "/api/v1/auth/login", json={"username": "mover", "password": "first-pass-1"}
        ).status_code
        == 200
    )
    assert user.get("/api/v1/me").json()["role"] == "leader"
    r = c.patch("/api/v1/admin/users/mover", json={"role": "district_officer", "unit": district})
    assert r.status_code == 200 and r.json()["role"] == "district_officer"
    assert user.get("/api/v1/me").json() == {
        "username": "mover",
        "role": "district_officer",
        "unit": district,
        "enterprise": None,
    }
    r = c.patch("/api/v1/admin/users/mover", json={"password": "second-pass-2"})
    assert r.status_code == 200 and "second-pass-2" not in r.text
    assert user.get("/api/v1/me").status_code == 401  # the reset ended its session
    changes = [a["changes"] for a in _audit(site, entity="user", key="mover")]
    assert {"role": ["leader", "district_officer"], "unit": [None, district]} in changes
    assert {"password_hash": ["***", "***"]} in changes
    assert not any("second-pass" in str(ch) for ch in changes)
    token = c.post("/api/v1/tokens", json={"name": "m", "username": "mover"}).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert site.anonymous().get("/api/v1/me", headers=bearer).status_code == 200
    assert c.patch("/api/v1/admin/users/mover", json={"active": False}).json()["active"] is False
    assert site.anonymous().get("/api/v1/me", headers=bearer).status_code == 401
    login = site.anonymous().post(
        "/api/v1/auth/login", json={"username": "mover", "password": "second-pass-2"}
    )
    assert login.status_code == 401
    assert {"active": [True, False]} in [
        a["changes"] for a in _audit(site, entity="user", key="mover")
    ]


def test_the_last_admin_cannot_lock_everyone_out(site: Site) -> None:
    c = site.as_role("admin")
    for change in ({"active": False}, {"role": "leader"}):
        r = c.patch("/api/v1/admin/users/admin", json=change)
        assert r.status_code == 409 and "最后一个管理员" in r.json()["error"]["message"]
    assert c.get("/api/v1/me").json()["role"] == "admin"


def test_tokens_of_everyone_and_revoking_one(site: Site) -> None:
    leader = site.login("leader")
    made = leader.post("/api/v1/tokens", json={"name": "leader-script"}).json()
    c = site.as_role("admin")
    listed = c.get("/api/v1/admin/tokens").json()
    mine = next(t for t in listed["items"] if t["id"] == made["id"])
    assert mine["username"] == "leader" and mine["revoked"] is False and "token" not in mine
    assert made["token"] not in c.get("/api/v1/admin/tokens").text
    assert c.delete(f"/api/v1/tokens/{made['id']}").json() == {"revoked": True}
    listed = c.get("/api/v1/admin/tokens").json()
    assert next(t for t in listed["items"] if t["id"] == made["id"])["revoked"] is True
    key = f"leader:{made['prefix']}"
    actions = [(a["action"], a["actor"]) for a in _audit(site, entity="api_token", key=key)]
    assert actions == [("create", "leader"), ("revoke", "admin")]


def test_audit_filters_pages_and_days(site: Site) -> None:
    c = site.as_role("admin")
    for i in range(3):
        c.post(
            "/api/v1/admin/users",
            json={"username": f"aud{i}", "password": "password123", "role": "leader"},
        )
    r = c.get("/api/v1/admin/audit", params={"actor": "admin", "entity": "user", "size": 2})
    body = r.json()
    expected = _audit(site, actor="admin", entity="user")
    assert body["total"] == len(expected) >= 3 and len(body["items"]) == 2
    ids = [i["id"] for i in body["items"]]
    assert ids == sorted(ids, reverse=True)  # newest first
    page2 = c.get(
        "/api/v1/admin/audit", params={"actor": "admin", "entity": "user", "size": 2, "page": 2}
    ).json()
    assert page2["items"][0]["id"] < ids[-1]
    one = c.get("/api/v1/admin/audit", params={"entity": "user", "key": "aud1"}).json()
    assert one["total"] == 1 and one["items"][0]["changes"]["role"] == [None, "leader"]
    today = dt.datetime.now(admin_svc.LOCAL).date()
    day = dt.timedelta(days=1)
    count = {"entity": "user", "key": "aud1"}
    assert c.get("/api/v1/admin/audit", params={**count, "since": str(today)}).json()["total"] == 1
    assert c.get("/api/v1/admin/audit", params={**count, "until": str(today)}).json()["total"] == 1
    assert (
        c.get("/api/v1/admin/audit", params={**count, "since": str(today + day)}).json()["total"]
        == 0
    )
    assert (
        c.get("/api/v1/admin/audit", params={**count, "until": str(today - day)}).json()["total"]
        == 0
    )
    bad = c.get("/api/v1/admin/audit", params={"since": str(today), "until": str(today - day)})
    assert bad.status_code == 400
    assert c.get("/api/v1/admin/audit", params={"since": "yesterday"}).status_code == 422
    logins = c.get("/api/v1/admin/audit", params={"entity": "session", "size": 500}).json()
    assert {"login"} <= {i["action"] for i in logins["items"]}


def test_admin_pages_create_edit_reset_and_revoke(site: Site) -> None:
    c = site.login("admin")
    home = c.get("/admin")
    assert home.status_code == 200 and 'id="create-user"' in home.text and "township" in home.text
    csrf = csrf_of(home.text)
    del c.headers["X-CSRF-Token"]  # the forms send the token as a field
    owner_unit = site.accounts["owner"]["unit"]
    r = c.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "dept2",
            "display_name": "部门二",
            "role": "task_owner",
            "unit": owner_unit,
            "enterprise": "",
            "password": "page-pass-123",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/admin/users/dept2?saved=created"
    page = c.get("/admin/users/dept2")
    assert page.status_code == 200 and 'id="edit-user"' in page.text and owner_unit in page.text
    r = c.post(
        "/admin/users/dept2",
        data={"csrf_token": csrf, "role": "leader", "display_name": "部门二", "unit": ""},
    )
    assert r.status_code == 200 and "已保存" in r.text  # the checkbox is off: deactivated
    user = admin_svc.get_user(site.engine, ADMIN, "dept2")
    assert user.role == "leader" and user.unit is None and user.active is False
    r = c.post("/admin/users/dept2/password", data={"csrf_token": csrf, "password": "x"})
    assert r.status_code == 400 and "8" in r.text
    new = {"csrf_token": csrf, "password": "longer-pass-9"}
    r = c.post("/admin/users/dept2/password", data=new)
    assert r.status_code == 200
    r = c.post("/admin/users/dept2/tokens", data={"csrf_token": csrf, "name": "etl"})
    assert r.status_code == 200 and 'id="new-token"' in r.text
    token_id = admin_svc.get_user(site.engine, ADMIN, "dept2").tokens[0].id
    assert "longer-pass-9" not in c.get("/admin/audit?key=dept2").text
    tokens = c.get("/admin/tokens")
    assert f'data-token="{token_id}"' in tokens.text
    r = c.post(f"/admin/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert r.status_code == 200
    assert admin_svc.get_user(site.engine, ADMIN, "dept2").tokens[0].revoked is True
    no_csrf = c.post(f"/admin/tokens/{token_id}/revoke", headers={"X-CSRF-Token": ""})
    assert no_csrf.status_code == 403


def test_audit_page_filters_paginates_and_exports_everything(site: Site) -> None:
    c = site.as_role("admin")
    total = admin_svc.audit_log(site.engine, ADMIN, size=1).total
    r = c.get("/admin/audit", params={"size": 50})
    assert r.status_code == 200 and f'<span id="audit-total">{total}</span>' in r.text
    assert 'rel="next"' in r.text  # the demo wrote far more than 50 entries
    r = c.get("/admin/audit", params={"entity": "user", "actor": "test", "size": 500})
    expected = _audit(site, entity="user", actor="test")
    assert f'<span id="audit-total">{len(expected)}</span>' in r.text
    assert c.get("/admin/audit", params={"since": "2026-13-01"}).status_code == 400
    x = c.get("/admin/audit", params={"size": 50, "page": 2, "export": "audit"})
    assert x.status_code == 200
    rows = list(load_workbook(io.BytesIO(x.content)).worksheets[1].iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "时间(北京时间)", "操作人")
    assert len(rows) - 1 == min(total, admin_svc.EXPORT_LIMIT) > 50
    x = c.get("/admin/audit", params={"entity": "user", "actor": "test", "export": "audit"})
    assert (
        len(list(load_workbook(io.BytesIO(x.content)).worksheets[1].iter_rows()))
        == len(expected) + 1
    )
    english = c.get("/admin/audit", params={"lang": "en"})
    assert "Audit log" in english.text and "Time (UTC+8)" in english.text
