"""Whole answers kept (web/render.py ``shared_page``, web/api/common.py ``shared_answer``):
a page is rendered once for everyone of one role and scope, and each user still gets their
own name, CSRF token and unread badge; a logout, a deactivation or an expired session is
refused at once, though sessions are kept between requests; a write drops what was kept."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from fastapi.encoders import jsonable_encoder
from sqlalchemy import text
from tests.web.conftest import Site, csrf_of

from yanzhi.services.access import users
from yanzhi.services.access.principal import Principal
from yanzhi.services.access.scope import resolve
from yanzhi.services.notifications.send import Message, notify
from yanzhi.services.plan.orgunits import org_tree
from yanzhi.storage import users as user_store
from yanzhi.storage.db import transaction
from yanzhi.views import units as unit_views
from yanzhi.web.render import BELL_MARK, CSRF_MARK, NAME_MARK

PASSWORD = "kept-answers-Pw1!"
MARKS = (NAME_MARK, CSRF_MARK, BELL_MARK)


def _twin(site: Site, of: str, name: str) -> str:
    """A second account with the role and unit of demo account ``of``."""
    a = site.accounts[of]
    if name in site.accounts:  # made by an earlier test of this module
        return name
    users.create_user(
        site.engine,
        username=name,
        password=PASSWORD,
        role=a["role"],
        unit=a.get("unit"),
        actor="test",
    )
    site.accounts[name] = {**a, "password": PASSWORD}
    return name


def _user_bar(html: str) -> str:
    m = re.search(r'<span class="user"[^>]*>(.*?)<form method="post" action="/logout"', html, re.S)
    assert m, "page has no user in its top bar"
    return m.group(1)


def _without_own(html: str, name: str, csrf: str) -> str:
    return html.replace(name, "NAME").replace(csrf, "CSRF")


def _kept(site: Site) -> int:
    return int(site.app.state.cache.stats["answer"])


@pytest.mark.parametrize(
    "path", ["/", "/indicators", "/units", "/evaluation", "/indicators/IND_RD_INTENSITY"]
)
def test_two_users_of_one_role_get_one_page_with_their_own_name_and_token(
    site: Site, path: str
) -> None:
    other = _twin(site, "analyst", "analyst_twin")
    one, two = site.login("analyst"), site.login(other)
    first = one.get(path)
    before = _kept(site)
    second = two.get(path)
    assert first.status_code == second.status_code == 200
    assert _kept(site) == before + 1  # the second user got the kept page
    for r, name, c in ((first, "analyst", one), (second, other, two)):
        assert name in _user_bar(r.text)
        assert csrf_of(r.text) == c.csrf  # type: ignore[attr-defined]
        assert not any(m in r.text for m in MARKS)
    assert _without_own(first.text, "analyst", one.csrf) == _without_own(  # type: ignore[attr-defined]
        second.text,
        other,
        two.csrf,  # type: ignore[attr-defined]
    )
    # the kept page's forms work: the second user's token is the one it carries
    logout = two.post("/logout", data={"csrf_token": csrf_of(second.text)}, follow_redirects=False)
    assert logout.status_code == 303


def test_scopes_do_not_share_a_page(site: Site) -> None:
    district, township = site.as_role("district"), site.as_role("township")
    d, t = district.get("/"), township.get("/")
    assert d.status_code == t.status_code == 200
    d_unit = site.accounts["district"]["unit"]
    t_unit = site.accounts["township"]["unit"]
    assert f'data-unit="{d_unit}"' in _user_bar(d.text)
    assert f'data-unit="{t_unit}"' in _user_bar(t.text)
    assert d.text != t.text.replace(t_unit, d_unit)


def test_logout_is_refused_at_once(site: Site) -> None:
    c = site.login("analyst")
    assert c.get("/").status_code == 200
    assert c.get("/api/v1/cockpit").status_code == 200
    assert c.post("/api/v1/auth/logout").status_code == 200
    assert c.get("/", follow_redirects=False).status_code == 303  # to /login
    assert c.get("/api/v1/cockpit").status_code == 401


def test_deactivation_is_refused_at_once(site: Site) -> None:
    name = _twin(site, "district", "district_twin")
    admin = site.login("admin")
    assert admin.patch(f"/api/v1/admin/users/{name}", json={"active": True}).status_code == 200
    c = site.login(name)
    assert c.get("/units").status_code == 200
    assert admin.patch(f"/api/v1/admin/users/{name}", json={"active": False}).status_code == 200
    assert c.get("/units", follow_redirects=False).status_code == 303
    assert c.get("/api/v1/units").status_code == 401
    assert admin.patch(f"/api/v1/admin/users/{name}", json={"active": True}).status_code == 200


def test_a_kept_session_that_has_expired_is_refused(site: Site) -> None:
    c = site.login("township")
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    with site.engine.begin() as conn:  # this session ends in 2 s (no write the app sees)
        conn.execute(
            text("UPDATE user_session SET expires_at = :t WHERE csrf = :c"),
            {"t": soon.replace(tzinfo=None), "c": c.csrf},  # type: ignore[attr-defined]
        )
    site.app.state.cache.bump()  # the session is read afresh, then kept
    assert c.get("/").status_code == 200
    assert c.get("/").status_code == 200  # from the kept session
    time.sleep(2.5)
    assert c.get("/", follow_redirects=False).status_code == 303
    assert c.get("/api/v1/cockpit").status_code == 401


def test_the_badge_follows_a_mark_as_read(site: Site) -> None:
    c = site.login("analyst")
    c.post("/api/v1/notifications/read", json={})
    assert 'id="unread-count"' not in c.get("/").text
    with transaction(site.engine) as session:
        row = user_store.get_user(session, "analyst")
        assert row is not None
        notify(session, [row], Message("warning", "测试预警", "测试"), actor="test")
    site.app.state.cache.bump()  # what the sender's write does in the app
    page = c.get("/").text
    assert 'id="unread-count">1<' in page
    other = site.login(_twin(site, "analyst", "analyst_twin")).get("/").text  # same kept page
    assert 'id="unread-count"' not in other
    assert c.post("/api/v1/notifications/read", json={}).status_code == 200
    assert 'id="unread-count"' not in c.get("/").text


def test_a_write_drops_the_kept_answers(site: Site) -> None:
    c = site.as_role("analyst")
    c.get("/units")
    before = _kept(site)
    c.get("/units")
    assert _kept(site) == before + 1
    site.app.state.cache.bump()
    c.get("/units")
    assert _kept(site) == before + 1  # rendered again, not the kept page


def test_the_kept_api_answer_is_the_answer(site: Site) -> None:
    c = site.as_role("analyst")
    site.app.state.cache.bump()
    for path in ("/api/v1/cockpit", "/api/v1/units/330212", "/api/v1/evaluation?level=district"):
        first = c.get(path)
        before = _kept(site)
        second = c.get(path)
        assert first.status_code == second.status_code == 200, path
        assert _kept(site) == before + 1, path
        assert second.content == first.content
        assert second.headers["content-type"] == "application/json"
        assert second.headers.get("x-yanzhi-synthetic") == "true"
    # the kept answer is what FastAPI itself sends for the route's model
    me = Principal("analyst", "city_analyst")
    view = unit_views.unit_view(site.engine, resolve(me, org_tree(site.engine)), "330212")
    assert c.get("/api/v1/units/330212").json() == jsonable_encoder(view)


def test_an_export_and_a_query_are_not_the_page(site: Site) -> None:
    c = site.as_role("analyst")
    page = c.get("/units")
    export = c.get("/units?export=units")
    assert page.headers["content-type"].startswith("text/html")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert c.get("/units").text == page.text
    en = c.get("/units?lang=en").text
    assert 'data-lang="en"' in en and 'data-lang="zh"' in page.text
