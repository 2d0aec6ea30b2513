"""The web app on a real database: a small demo (400 enterprises, tasks included), the
demo accounts of every role, and logged-in test clients. ``site`` runs once per module
and per database in YANZHI_TEST_DATABASES."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.conftest import new_database
from tests.web.browser_support import Tab, chromium_missing, launch, serve

from yanzhi.storage.db import make_engine


@dataclass
class Site:
    url: str
    engine: Engine
    app: Any
    accounts: dict[str, dict[str, Any]]  # username -> account (password, role, unit, …)
    folder: Path
    clients: dict[str, TestClient] = field(default_factory=dict)

    def anonymous(self) -> TestClient:
        return TestClient(self.app, raise_server_exceptions=False)

    def login(self, username: str) -> TestClient:
        """A fresh client logged in as ``username`` (a demo account); ``client.csrf`` holds
        the session's CSRF token (send it as X-CSRF-Token or the csrf_token form field)."""
        c = TestClient(self.app, raise_server_exceptions=False)
        r = c.post(
            "/api/v1/auth/login",
            json={"username": username, "password": self.accounts[username]["password"]},
        )
        assert r.status_code == 200, r.text
        c.csrf = r.json()["csrf_token"]  # type: ignore[attr-defined]
        c.headers["X-CSRF-Token"] = c.csrf  # type: ignore[attr-defined]
        return c

    def as_role(self, username: str) -> TestClient:
        """A cached logged-in client per demo account (for read-only tests)."""
        if username not in self.clients:
            self.clients[username] = self.login(username)
        return self.clients[username]


def csrf_of(html: str) -> str:
    m = re.search(r'data-csrf="([^"]*)"', html)
    assert m, "page has no CSRF token"
    return m.group(1)


@pytest.fixture(scope="module")
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    from yanzhi.services.database import init_database
    from yanzhi.services.demo import accounts as demo_accounts
    from yanzhi.services.demo import panel as demo
    from yanzhi.web.app import create_app

    folder = tmp_path_factory.mktemp("web")
    with new_database(request.param, folder) as url:
        eng = make_engine(url)
        init_database(eng, actor="test:init")
        data = demo.build(seed=11, n_enterprises=400, last_month=(2026, 10))
        files = demo.write_files(data, folder / "files")
        reports = demo.load(eng, data, files, actor="t", tasks=True)
        assert all(r.ok for r in reports)
        accounts = {a.username: a.to_dict() for a in demo_accounts.create(eng, actor="test")}
        app = create_app(eng)
        yield Site(url, eng, app, accounts, folder)
        eng.dispose()


# the browser tests: the site served by uvicorn, Debian's Chromium, a fresh tab
@pytest.fixture(scope="module")
def base(site: Site) -> Iterator[str]:
    with serve(site.app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = chromium_missing()
    if missing:
        pytest.fail(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def tab(browser: Any, base: str) -> Iterator[Tab]:
    t = Tab(browser, base)
    yield t
    t.close()
