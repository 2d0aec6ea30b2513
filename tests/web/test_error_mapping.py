"""Every named error (core.errors) maps, in web/errors.py and only there, to its HTTP status
and the API's error shape with a Chinese and an English message."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import DataError
from tests.web.conftest import Site

from yanzhi.core.errors import (
    Conflict,
    InvalidInput,
    LockedPeriod,
    NotFound,
    NotPermitted,
    YanzhiError,
)
from yanzhi.core.periods import parse_ytd
from yanzhi.services.access.users import LoginFailed, TooManyAttempts
from yanzhi.services.collection.workflow import PeriodLocked, ReasonRequired, WorkflowError
from yanzhi.services.enterprises.diagnosis import EnterpriseNotFound
from yanzhi.services.monitoring.series import ProgressArgumentError
from yanzhi.services.plan.orgunits import UnknownLevel
from yanzhi.storage.plans import PlanNotFound
from yanzhi.views.reports.bulletin import NoData
from yanzhi.web import errors
from yanzhi.web.errors import classify

CASES: list[tuple[YanzhiError, int, str]] = [
    (InvalidInput("bad value", "取值有误"), 400, "bad_request"),
    (NotPermitted("not allowed", "无权操作"), 403, "forbidden"),
    (NotFound("no such thing", "没有该对象"), 404, "not_found"),
    (Conflict("state forbids it", "当前状态不允许"), 409, "conflict"),
    (LockedPeriod("the period is locked", "该期已锁定"), 409, "locked_period"),
    (WorkflowError("nothing to approve / 只有已上报的数据才能审核"), 409, "conflict"),
    (PeriodLocked("nothing to submit / 只有草稿状态才能上报"), 409, "locked_period"),
    (ReasonRequired("unlocking needs a reason", "解锁必须说明原因"), 400, "bad_request"),
    (UnknownLevel("unknown level 'x' / 未知层级 'x'"), 400, "bad_request"),
    (PlanNotFound("no plan loaded; run yanzhi init / 尚未载入规划"), 404, "not_found"),
    (ProgressArgumentError("--series 为空", "--series is empty"), 400, "bad_request"),
    (EnterpriseNotFound("no enterprise X / 没有企业 X"), 404, "not_found"),
    (NoData("no approved data / 没有已审核的数据"), 404, "not_found"),
    (LoginFailed("wrong user name or password / 用户名或密码错误"), 401, "login_failed"),
    (TooManyAttempts("too many failed logins / 登录失败次数过多", 60), 429, "too_many_attempts"),
]


def _app(exc: Exception) -> TestClient:
    app = FastAPI()
    errors.install(app)

    @app.get("/boom")
    def boom() -> None:
        raise exc

    return TestClient(app, raise_server_exceptions=False)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize(("exc", "status", "code"), CASES, ids=lambda x: type(x).__name__)
def test_named_error_maps_to_status_and_shape(exc: YanzhiError, status: int, code: str) -> None:
    r = _app(exc).get("/boom")
    assert r.status_code == status
    err = r.json()["error"]
    assert set(err) == {"code", "message", "message_zh", "message_en", "details"}
    assert err["code"] == code
    assert err["message"] == str(exc)
    assert _has_chinese(err["message_zh"]) and not _has_chinese(err["message_en"])


def test_a_period_error_is_a_400_with_both_languages() -> None:
    try:
        parse_ytd("2024Q3")
    except InvalidInput as exc:
        caught = exc
    r = _app(caught).get("/boom")
    assert r.status_code == 400
    err = r.json()["error"]
    assert "年初至今累计" in err["message_zh"] and "year-to-date" in err["message_en"]


def test_too_many_attempts_says_when_to_retry() -> None:
    r = _app(TooManyAttempts("too many / 过多", 42)).get("/boom")
    assert r.headers["Retry-After"] == "42"
    assert r.json()["error"]["details"] == {"retry_after": 42}


def test_bare_python_errors_keep_their_mapping() -> None:
    assert _app(KeyError("x")).get("/boom").status_code == 404
    assert _app(ValueError("x")).get("/boom").status_code == 400
    assert _app(PermissionError("x")).get("/boom").status_code == 403
    assert _app(RuntimeError("x")).get("/boom").status_code == 500


def test_a_database_data_error_is_a_400_not_a_server_error() -> None:
    """A value the database refuses (PostgreSQL: a NUL in text) is the client's fault: a
    400 from the handler itself, not a 500 that the server middleware re-raises."""
    refused = DataError("INSERT ...", {}, Exception("text fields cannot contain NUL"))
    r = _app(refused).get("/boom")
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request"
    strict = FastAPI()
    errors.install(strict)

    @strict.get("/boom")
    def boom() -> None:
        raise refused

    assert TestClient(strict).get("/boom").status_code == 400  # raises if handled as a 500


def test_odd_input_found_by_the_fuzzer_gets_a_client_error(site: Site) -> None:
    """Cases the API fuzzer found, replayed with a client that raises server errors: a NUL
    in a token's name, and a multipart body too broken to parse (API and page)."""
    c = site.login("owner")
    strict = TestClient(site.app, cookies=c.cookies, headers=dict(c.headers))
    r = strict.post("/api/v1/tokens", json={"name": "\u0000"})
    assert r.status_code in (201, 400), r.text  # SQLite stores it; PostgreSQL refuses
    broken = b"--a222\r\n[]--a222--\r\n"
    ctype = {"Content-Type": "multipart/form-data; boundary=a222"}
    r = strict.post("/api/v1/tasks/P1.T1/reports", content=broken, headers=ctype)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "http_error"
    # an id past SQLite's 64-bit integers: refused by the model, not an OverflowError
    r = strict.post("/api/v1/notifications/read", json={"ids": [2**63]})
    assert r.status_code == 422, r.text
    assert classify(OverflowError("too large")).status == 400


def test_a_refused_parameter_is_explained_in_chinese_on_pages_and_in_the_api(site: Site) -> None:
    """A year out of range or not a number: the page says in Chinese which parameter and
    what range (not the validator's English JSON); the API adds the Chinese per error."""
    c = site.as_role("admin")
    r = c.get("/reports/preview/evaluation?year=1980")
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "参数「年份」应不小于 1990(收到 1980)" in r.text
    assert "Input should" not in r.text
    r = c.get("/reports/preview/evaluation?year=abc")
    assert "参数「年份」应为整数" in r.text
    r = c.get("/api/v1/registers?page=0")  # the list of registers pages by page_params
    err = r.json()["error"]
    assert r.status_code == 422 and err["code"] == "invalid_request"
    assert err["details"][0]["message_zh"] == "参数「页码」应不小于 1(收到 0)"
    assert err["details"][0]["message"].startswith("Input should be greater")
    assert "页码" in err["message_zh"]
    # a year the page has no data for (the past, the future, text): 400 naming the range
    this = dt.date.today().year
    for bad in ("1990", str(this + 1), "abc"):
        r = c.get(f"/registers/tech_list?year={bad}")
        assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
        assert f"请在2022年至{this}年之间选择" in r.text and "Input should" not in r.text
        err = c.get(f"/api/v1/registers/tech_list?year={bad}").json()["error"]
        assert err["code"] == "period_not_available"
        assert f"请在2022年至{this}年之间选择" in err["message_zh"]
        assert f"from 2022 to {this}" in err["message_en"]
    r = c.get("/no-such-page")
    assert r.status_code == 404 and "页面不存在" in r.text and "Not Found" not in r.text
    r = c.get("/evaluation?year=2099")
    assert r.status_code == 400 and "评价年份「2099」没有数据, 请在" in r.text


def test_a_role_sees_only_the_menu_it_may_open_and_refusals_say_why(site: Site) -> None:
    """A task owner's menu has no 评价 or 企业 (both refused to it); a refused page says in
    Chinese which role the account has, what it may do and whom to ask."""
    from yanzhi.services.access.scope import ACTION_ZH, ACTIONS

    assert set(ACTIONS) <= set(ACTION_ZH)  # every action has its Chinese name
    owner = site.as_role("owner")
    menu = owner.get("/tasks").text.split('<nav class="main-nav">')[1].split("</nav>")[0]
    assert 'href="/evaluation"' not in menu and 'href="/enterprises"' not in menu
    assert 'href="/tasks"' in menu
    r = owner.get("/evaluation")
    assert r.status_code == 403
    assert "您的账号角色为「任务责任单位」, 无权查看综合评价" in r.text
    assert "请联系系统管理员" in r.text and "task_owner" not in r.text
    analyst_menu = site.as_role("analyst").get("/").text.split("</nav>")[0]
    assert 'href="/evaluation"' in analyst_menu and 'href="/enterprises"' in analyst_menu
