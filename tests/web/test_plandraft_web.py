"""The plan-draft review page (issue #22, admins only): upload a document, see the source
text beside the extracted elements (each linked to its sentence), correct the YAML, load."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from yanzhi.services.access import users
from yanzhi.services.database import init_database
from yanzhi.services.plan.files import show_plan
from yanzhi.storage.db import make_engine
from yanzhi.web.app import create_app

SEED = Path(__file__).parents[1] / "data" / "plandraft" / "ningbo-315-seed.txt"


@pytest.fixture
def admin(db_url: str) -> Iterator[tuple[TestClient, TestClient, Engine]]:
    eng = make_engine(db_url)
    init_database(eng, actor="test:init")
    for name, role in (("boss", "admin"), ("reader", "city_analyst")):
        users.create_user(eng, username=name, password="draft-pass-123", role=role, actor="test")
    app = create_app(eng)
    clients = []
    for name in ("boss", "reader"):
        c = TestClient(app, raise_server_exceptions=False)
        r = c.post("/api/v1/auth/login", json={"username": name, "password": "draft-pass-123"})
        assert r.status_code == 200, r.text
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        clients.append(c)
    yield clients[0], clients[1], eng
    eng.dispose()


def test_upload_review_correct_and_load(admin):
    c, _, eng = admin
    assert "上传规划" in c.get("/admin/plan-draft").text
    body = SEED.read_text("utf-8").split("\n", 1)[1].encode("gbk")
    r = c.post("/admin/plan-draft", files={"document": ("方案.txt", body, "text/plain")})
    assert r.status_code == 200, r.text[:500]
    html = r.text
    # every located element links to its sentence and the sentence back to the element
    links = re.findall(
        r'<li id="el-(\d+)"[^>]*>\s*<span class="muted">([^<]*)</span>\s*<a href="#src-(\d+)">',
        html,
    )
    assert len(links) >= 40 and all(a == b for a, _, b in links)
    assert all(f'id="src-{i}"' in html for i, _, _ in links)
    assert html.count('<span class="muted">任务</span>') == 24
    assert html.count('<span class="muted">核心指标</span>') == 5
    assert "待核 4 项" in html and "构建最优科创人才生态" in html
    yaml_text = re.search(r'<textarea name="yaml_text"[^>]*>(.*?)</textarea>', html, re.S)
    assert yaml_text is not None
    draft = htmllib.unescape(yaml_text.group(1))
    corrected = draft.replace("issuer: 宁波市科技局", "issuer: 宁波市科学技术局")
    broken = corrected.replace("start_year: 2023", "start_year: 二〇二三")
    r = c.post("/admin/plan-draft/load", data={"yaml_text": broken})
    assert r.status_code == 422 and "未载入任何数据" in r.text
    r = c.post("/admin/plan-draft/load", data={"yaml_text": corrected})
    assert r.status_code == 200 and "规划已载入" in r.text and "“六大工程”实施方案" in r.text
    shown = show_plan(eng, "plan-330200-2023-2027")
    assert shown.plan.issuer == "宁波市科学技术局"
    assert sum(len(p.tasks) for p in shown.programmes) == 24


def test_an_unreadable_upload_is_refused_in_chinese(admin):
    c, _, _ = admin
    r = c.post(
        "/admin/plan-draft",
        files={"document": ("扫描.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
    )
    assert r.status_code == 422 and "扫描.pdf" in r.text and "未载入任何数据" in r.text


def test_only_admins_draft(admin):
    _, reader, _ = admin
    assert reader.get("/admin/plan-draft").status_code == 403
    r = reader.post("/admin/plan-draft", files={"document": ("a.txt", b"x" * 100, "text/plain")})
    assert r.status_code == 403
