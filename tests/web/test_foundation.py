"""The web foundation: login, sessions, CSRF, tokens, errors, the banner (the cockpit:
test_cockpit_web.py)."""

from __future__ import annotations

import re

import pytest
from tests.web.conftest import Site, csrf_of


def test_pages_need_login_and_api_says_401(site: Site) -> None:
    c = site.anonymous()
    r = c.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/"
    r = c.get("/api/v1/cockpit")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "not_authenticated"


def test_login_sets_a_safe_cookie_and_wrong_password_is_refused(site: Site) -> None:
    c = site.anonymous()
    r = c.post("/login", data={"username": "analyst", "password": "wrong-password"})
    assert r.status_code == 401 and "用户名或密码错误" in r.text
    r = c.post(
        "/login",
        data={"username": "analyst", "password": site.accounts["analyst"]["password"]},
        follow_redirects=False,
    )
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    home = c.get("/")
    assert home.status_code == 200 and "驾驶舱" in home.text
    assert 'id="synthetic-banner"' in home.text  # the demo data are generated


def test_each_role_lands_on_its_own_page_and_a_requested_page_wins(site: Site) -> None:
    want = {
        "analyst": "/",
        "leader": "/",
        "district": f"/units/{site.accounts['district']['unit']}",
        "township": f"/units/{site.accounts['township']['unit']}",
        "owner": "/tasks",
        "enterprise": "/my",
    }
    for who, where in want.items():
        c = site.anonymous()
        form = {"username": who, "password": site.accounts[who]["password"], "next": "/"}
        r = c.post("/login", data=form, follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (303, where), who
        assert c.get(where).status_code == 200, who
    c = site.anonymous()
    form = {"username": "township", "password": site.accounts["township"]["password"]}
    r = c.post("/login", data={**form, "next": "/data"}, follow_redirects=False)
    assert r.headers["location"] == "/data"


def test_writes_with_the_cookie_need_the_csrf_token(site: Site) -> None:
    c = site.login("analyst")
    del c.headers["X-CSRF-Token"]
    r = c.post("/api/v1/tokens", json={"name": "x"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf"
    r = c.post(
        "/api/v1/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf_of(c.get("/").text)}
    )
    assert r.status_code == 201


def test_api_tokens_are_shown_once_work_and_can_be_revoked(site: Site) -> None:
    c = site.login("leader")
    made = c.post("/api/v1/tokens", json={"name": "script"}).json()
    token = made["token"]
    assert token.startswith("yz_") and made["prefix"] == token[:10]
    listed = c.get("/api/v1/tokens").json()
    assert all("token" not in t for t in listed)  # never shown again
    script = site.anonymous()
    me = script.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["role"] == "leader"
    assert c.delete(f"/api/v1/tokens/{made['id']}").json() == {"revoked": True}
    again = script.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 401 and again.json()["error"]["code"] == "bad_token"


def test_login_throttling_backs_off_per_address_and_never_locks_the_owner_out(
    site: Site,
) -> None:
    from fastapi.testclient import TestClient

    guesser = TestClient(site.app, raise_server_exceptions=False, client=("203.0.113.9", 4000))
    owner = TestClient(site.app, raise_server_exceptions=False, client=("198.51.100.7", 5000))
    login = "/api/v1/auth/login"
    codes = [
        guesser.post(login, json={"username": "owner", "password": f"bad-{i}"}).status_code
        for i in range(6)
    ]
    assert codes == [401] * 5 + [429]
    right = {"username": "owner", "password": site.accounts["owner"]["password"]}
    refused = guesser.post(login, json=right)
    # the guessing address waits: 30 s after the fifth failure (doubling with each further)
    assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= 31
    assert "秒后再试" in refused.json()["error"]["message_zh"]
    # the owner, from another address, is let in at once
    assert owner.post(login, json=right).status_code == 200
    # administrators see the alert on the admin page, and the audit log has it
    admin = site.as_role("admin")
    page = admin.get("/admin").text
    assert 'data-user="owner"' in page and "登录失败 5 次" in page
    audit = admin.get("/api/v1/admin/audit?actor=system:login").json()["items"]
    assert [a["action"] for a in audit] == ["login_alert"] and audit[0]["key"] == "owner"


def test_unknown_api_path_has_the_error_shape(site: Site) -> None:
    r = site.as_role("analyst").get("/api/v1/no-such-thing")
    assert r.status_code == 404
    assert set(r.json()["error"]) == {"code", "message", "message_zh", "message_en", "details"}


def test_named_errors_reach_the_client_in_both_languages(site: Site) -> None:
    c = site.as_role("analyst")
    r = c.get("/api/v1/data/submissions?period=nonsense")
    err = r.json()["error"]
    assert r.status_code == 400 and err["code"] == "bad_request"
    assert "无效的报告期" in err["message_zh"] and "invalid period" in err["message_en"]
    r = c.get("/api/v1/enterprises/NOSUCHENTERPRISE/diagnosis")
    err = r.json()["error"]
    assert r.status_code == 404 and err["code"] == "not_found"
    assert "没有企业" in err["message_zh"] and "no enterprise" in err["message_en"]
    r = site.anonymous().post(
        "/api/v1/auth/login", json={"username": "analyst", "password": "wrong-password"}
    )
    err = r.json()["error"]
    assert r.status_code == 401 and err["code"] == "login_failed"
    assert "用户名或密码错误" in err["message_zh"] and "wrong" in err["message_en"]


def test_english_switch(site: Site) -> None:
    c = site.login("analyst")
    r = c.get("/lang/en?next=/")
    assert r.status_code == 200 and "Cockpit" in r.text and "Log out" in r.text


def test_a_nul_character_in_the_url_is_a_400_not_a_500(site: Site) -> None:
    c = site.as_role("analyst")
    for url in ("/api/v1/enterprises?q=%00", "/api/v1/units/33%0002", "/enterprises?q=a%00b"):
        r = c.get(url)
        assert r.status_code == 400, (url, r.status_code)
        assert r.json()["error"]["code"] == "bad_request"


def test_years_and_codes_are_printed_as_labels_not_quantities() -> None:
    """A table cell of a year or a code has no thousands separator ("2022", not "2,022");
    quantities keep theirs (issue #15)."""
    from yanzhi.web.render import TEMPLATES

    template = TEMPLATES.env.from_string("{{ v|cell(k, unit=u) }}")

    def cell(value: object, key: str, unit: str | None = None, lang: str = "zh") -> str:
        return template.render(v=value, k=key, u=unit, lang=lang)

    assert cell(2022, "year") == "2022" and cell(2027, "target_year") == "2027"
    assert cell(330206, "code") == "330206" and cell(2022.0, "base_year") == "2022"
    assert cell(12345.678, "value") == "12,345.68" and cell(2022, "count") == "2,022"
    # a period code is its Chinese label on a Chinese page, the code on an English one:
    assert cell("2026-01..10", "ytd_period") == "2026年1-10月"
    assert cell("2026Q4", "period") == "2026年第4季度" and cell("2026", "period") == "2026"
    assert cell("2026-01..10", "ytd_period", lang="en") == "2026-01..10"
    # a figure in its unit's decimals: counts none, per 10,000 people one (none if whole):
    assert cell(10537.0, "target", "家") == "10,537" and cell(200.0, "target", "人年/万人") == "200"
    assert cell(185.37, "value", "人年/万人") == "185.4" and cell(3.754, "value", "%") == "3.75"


def test_the_delay_doubles_with_each_failure_past_the_limit(site: Site) -> None:
    import datetime as dt

    from yanzhi.services.access import users
    from yanzhi.storage.db import transaction
    from yanzhi.storage.usermodels import LoginAttemptRow

    now = dt.datetime.now(dt.UTC)
    for n, expected in ((5, 30), (6, 60), (7, 120)):
        name = f"ghost{n}"
        with transaction(site.engine) as s:
            for k in range(n):  # the latest failure 10 s ago
                at = now - dt.timedelta(seconds=10 + (n - 1 - k))
                s.add(LoginAttemptRow(username=name, client="192.0.2.1", ok=False, at=at))
        try:
            users.login(site.engine, name, "x", client="192.0.2.1")
        except users.TooManyAttempts as e:
            assert expected - 10 <= e.retry_after <= expected - 8, (n, e.retry_after)
        else:
            raise AssertionError(f"{n} failures should be refused")
        # the same name from another address is judged on its own
        with pytest.raises(users.LoginFailed):
            users.login(site.engine, name, "x", client="192.0.2.2")


def test_every_answer_carries_the_browser_security_headers(site: Site) -> None:
    c = site.as_role("analyst")
    for path in ("/", "/api/v1/cockpit", "/static/app.js", "/login", "/api/v1/no-such-thing"):
        h = c.get(path).headers
        csp = h["content-security-policy"]
        assert (
            "script-src 'self'" in csp
            and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        )
        assert "frame-ancestors 'none'" in csp, path
        assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in h  # plain HTTP
    behind_tls = c.get("/", headers={"X-Forwarded-Proto": "https"}).headers
    assert behind_tls["strict-transport-security"].startswith("max-age=31536000")
    # no page carries an inline script or inline event handler the policy would block
    for path in (
        "/",
        "/units/330200",
        "/indicators/RD_GDP",
        "/evaluation",
        "/tasks",
        "/enterprises",
    ):
        page = c.get(path).text
        assert re.search(r"<script(?![^>]*\b(src|type=\"application/json\"))", page) is None, path
        assert re.search(r"\son(click|change|submit|load)=", page) is None, path
