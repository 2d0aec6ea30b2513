"""The Data pages and API: uploads with their validation report, scope of uploads, the
submit → approve → unlock workflow (approval moves the indicators), completeness and the
templates — on a real database with the demo's latest period still a draft."""

from __future__ import annotations

import base64
import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from tests.web.conftest import Site

from yanzhi.services.collection import workflow as reporting
from yanzhi.storage.datamodels import EnterpriseRow, ImportBatchRow, RdReportRow, RdReportVersionRow
from yanzhi.storage.db import transaction
from yanzhi.storage.facts import indicator_values

HEADER = "统一社会信用代码,报告期,营业收入(万元),研发费用(万元)\n"


def _latest(site: Site) -> str:
    return str(site.as_role("analyst").get("/api/v1/data/submissions?size=1").json()["period"])


def _township(site: Site) -> str:
    return str(site.accounts["township"]["unit"])


def _reports(site: Site, township: str | None, period: str) -> list[tuple[str, float, float, bool]]:
    """The stored R&D reports of ``township`` (None: every township) for ``period``."""
    with transaction(site.engine) as s:
        rows = s.execute(
            select(
                EnterpriseRow.uscc,
                RdReportRow.operating_revenue,
                RdReportRow.rd_expense,
                EnterpriseRow.above_size_industrial,
            )
            .join(EnterpriseRow, EnterpriseRow.id == RdReportRow.enterprise_id)
            .where(RdReportRow.period == period)
            .where(RdReportRow.township_code == township if township else True)
            .order_by(EnterpriseRow.uscc)
        ).all()
    return [(r[0], float(r[1] or 0), float(r[2] or 0), bool(r[3])) for r in rows]


def _stored(site: Site) -> tuple[int, int, float]:
    """Batches, replaced versions and the sum of every R&D expense: any write moves one."""
    with transaction(site.engine) as s:
        return (
            int(s.scalar(select(func.count()).select_from(ImportBatchRow)) or 0),
            int(s.scalar(select(func.count()).select_from(RdReportVersionRow)) or 0),
            float(s.scalar(select(func.sum(RdReportRow.rd_expense))) or 0),
        )


def _csv(rows: list[tuple[str, float, float, bool]], period: str, plus: float = 100.0) -> str:
    lines = [f"{u},{period},{rev:.4f},{rd + plus:.4f}" for u, rev, rd, _ in rows]
    return HEADER + "\n".join(lines) + "\n"


def _upload(c: Any, kind: str, name: str, text: str | bytes, **form: str) -> Any:
    content = text.encode("utf-8") if isinstance(text, str) else text
    return c.post(
        "/api/v1/data/imports",
        data={"kind": kind, **form},
        files={"file": (name, content, "text/csv")},
    )


def _city_value(site: Site, indicator: str, period: str, unit: str | None = None) -> float:
    with transaction(site.engine) as s:
        frame = indicator_values(s, indicators=[indicator], kinds=["ytd"])
    mask = frame["level"] == "city" if unit is None else frame["unit_code"] == unit
    frame = frame[mask]
    frame = frame[(frame["period"] == period) & (frame["industry_division"].fillna("") == "")]
    return float(frame["value"].iloc[0]) if len(frame) else 0.0


def _status(site: Site, who: str, unit: str, period: str) -> str:
    items = site.as_role(who).get(f"/api/v1/data/submissions?period={period}&size=500").json()
    return str(next(i["status"] for i in items["items"] if i["code"] == unit))


def test_upload_submit_approve_unlock_moves_the_city_indicator(site: Site) -> None:
    period, town = _latest(site), _township(site)
    rows = _reports(site, town, period)
    assert rows and period.endswith("..10")
    officer = site.login("township")

    # one bad row: refused with its row number, nothing stored
    bad = _csv(rows, period).splitlines()
    bad[-1] = bad[-1].rsplit(",", 1)[0] + ",abc"  # the last row
    before = _stored(site)
    r = _upload(officer, "rd", "乡镇研发.csv", "\n".join(bad) + "\n")
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    issues = [i for i in err["details"] if i["severity"] == "error"]
    assert [(i["row"], i["rule"], i["file"]) for i in issues] == [
        (len(rows) + 1, "number_value", "乡镇研发.csv")
    ]
    assert "不是数值" in issues[0]["message_zh"]
    assert _stored(site) == before

    # validate only: passes, stores nothing
    r = _upload(officer, "rd", "乡镇研发.csv", _csv(rows, period), dry_run="true")
    assert r.status_code == 200 and r.json()["dry_run"] and r.json()["ok"]
    assert _stored(site) == before

    # the fixed file imports
    r = _upload(officer, "rd", "乡镇研发.csv", _csv(rows, period))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (
        body["ok"]
        and body["rows"] == len(rows)
        and (body["created"], body["updated"]) == (0, len(rows))
    )
    assert body["file"] == "乡镇研发.csv" and body["errors"] == []
    after = _stored(site)
    assert after[0] == before[0] + 1 and after[2] == pytest.approx(before[2] + 100 * len(rows))
    with transaction(site.engine) as s:
        batch = s.get(ImportBatchRow, body["batch_id"])
        assert batch is not None and batch.file_name == "乡镇研发.csv"
        assert batch.actor == "township"

    # submit (own township), then the city analyst approves
    r = officer.post(f"/api/v1/data/submissions/{town}/{period}/submit")
    assert r.status_code == 200 and r.json()["changed"] == [town]
    assert _status(site, "township", town, period) == "submitted"
    city_before = _city_value(site, "IND_RD_EXPENSE", period)
    analyst = site.login("analyst")
    r = analyst.post(f"/api/v1/data/submissions/{town}/{period}/approve")
    assert r.status_code == 200 and r.json()["changed"] == [town]
    assert _status(site, "analyst", town, period) == "approved"
    city_after = _city_value(site, "IND_RD_EXPENSE", period)
    town_value = _city_value(site, "IND_RD_EXPENSE", period, unit=town)
    expected = 1e-4 * sum(rd + 100 for _, _, rd, above in rows if above)  # 万元 → 亿元
    assert town_value == pytest.approx(expected)
    assert city_after - city_before == pytest.approx(town_value)
    assert city_after != city_before

    # approved data are locked: a new upload is refused
    r = _upload(officer, "rd", "again.csv", _csv(rows, period, plus=2))
    assert r.status_code == 422
    assert {i["rule"] for i in r.json()["error"]["details"]} == {"period_locked"}

    # unlocking needs the admin and a reason
    url = f"/api/v1/data/submissions/{town}/{period}/unlock"
    assert analyst.post(url, json={"reason": "更正"}).status_code == 403
    assert officer.post(url, json={"reason": "更正"}).status_code == 403
    admin = site.login("admin")
    assert admin.post(url, json={}).status_code == 422
    assert admin.post(url, json={"reason": ""}).status_code == 422
    r = admin.post(url, json={"reason": "企业更正报表"})
    assert r.status_code == 200 and r.json()["changed"] == [town]
    assert _status(site, "admin", town, period) == "draft"
    assert _city_value(site, "IND_RD_EXPENSE", period) == pytest.approx(city_before)
    listed = admin.get(f"/api/v1/data/submissions?period={period}&size=500").json()["items"]
    mine = next(i for i in listed if i["code"] == town)
    assert mine["unlock_reason"] == "企业更正报表" and mine["unlocked_by"] == "admin"


def test_rows_of_another_township_are_out_of_scope(site: Site) -> None:
    period, town = _latest(site), _township(site)
    with transaction(site.engine) as s:
        other = s.execute(
            select(EnterpriseRow.uscc, RdReportRow.operating_revenue, RdReportRow.rd_expense)
            .join(EnterpriseRow, EnterpriseRow.id == RdReportRow.enterprise_id)
            .where(RdReportRow.township_code != town, RdReportRow.period == period)
            .limit(1)
        ).one()
    mine = _reports(site, town, period)[:1]
    text = _csv([*mine, (other[0], float(other[1]), float(other[2]), True)], period)
    before = _stored(site)
    r = _upload(site.login("township"), "rd", "mixed.csv", text)
    assert r.status_code == 422
    issues = r.json()["error"]["details"]
    scope = [i for i in issues if i["rule"] == "out_of_scope"]
    assert len(scope) == 1 and scope[0]["row"] == 3 and other[0] in scope[0]["value"]
    assert [i["rule"] for i in issues] == ["out_of_scope"]
    assert "超出本账号的权限范围" in scope[0]["message_zh"] and scope[0]["message_en"]
    assert _stored(site) == before


def test_stats_outside_the_scope_and_register_moves_are_refused(site: Site) -> None:
    c = site.login("township")
    district = site.accounts["district"]["unit"]
    text = "区划代码,指标,报告期,数值,数据来源\n" + f"{district},gdp,2024,1.0,测试\n"
    r = _upload(c, "stats", "stats.csv", text)
    assert r.status_code == 422
    assert [(i["rule"], i["row"]) for i in r.json()["error"]["details"]] == [("out_of_scope", 2)]
    with transaction(site.engine) as s:
        ent = s.execute(
            select(EnterpriseRow.uscc, EnterpriseRow.name, EnterpriseRow.industry_code)
            .where(EnterpriseRow.township_code != _township(site))
            .limit(1)
        ).one()
    text = (
        "统一社会信用代码,企业名称,行业代码,乡镇街道代码\n"
        f"{ent[0]},{ent[1]},{ent[2]},{_township(site)}\n"
    )
    r = _upload(c, "enterprises", "move.csv", text, dry_run="true")
    assert r.status_code == 422
    assert [i["rule"] for i in r.json()["error"]["details"]] == ["out_of_scope"]


@pytest.mark.parametrize("who", ["leader", "owner", "enterprise"])
def test_roles_that_cannot_upload_get_403(site: Site, who: str) -> None:
    r = _upload(site.as_role(who), "rd", "x.csv", HEADER)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_workflow_scope(site: Site) -> None:
    period, town = _latest(site), _township(site)
    district = site.accounts["district"]["unit"]
    tree_codes = site.as_role("district").get(f"/api/v1/data/submissions?period={period}")
    siblings = [i["code"] for i in tree_codes.json()["items"] if i["code"] != town]
    assert siblings and tree_codes.json()["total"] == len(siblings) + 1
    officer = site.as_role("township")
    r = officer.post(f"/api/v1/data/submissions/{siblings[0]}/{period}/submit")
    assert r.status_code == 403
    r = officer.post(f"/api/v1/data/submissions/{district}/{period}/submit")
    assert r.status_code == 403
    elsewhere = next(
        i["code"]
        for i in site.as_role("analyst")
        .get(f"/api/v1/data/submissions?period={period}&size=500")
        .json()["items"]
        if i["district"] != district
    )
    r = site.as_role("district").post(f"/api/v1/data/submissions/{elsewhere}/{period}/submit")
    assert r.status_code == 403
    assert (
        site.as_role("leader").post(f"/api/v1/data/submissions/{town}/{period}/submit").status_code
        == 403
    )
    # the district officer submits a township of its district through the page form
    c = site.login("district")
    page = c.get("/data")
    assert f'id="submit-{siblings[0]}-{period}"' in page.text
    assert f'id="approve-{siblings[0]}-{period}"' not in page.text
    csrf = re.search(r'data-csrf="([^"]*)"', page.text).group(1)  # type: ignore[union-attr]
    del c.headers["X-CSRF-Token"]
    r = c.post(
        f"/data/submissions/{siblings[0]}/{period}/submit",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/data?")
    assert 'id="workflow-notice"' in c.get(r.headers["location"]).text
    assert _status(site, "district", siblings[0], period) == "submitted"
    analyst_page = site.as_role("analyst").get(f"/data?period={period}").text
    assert f'id="approve-{siblings[0]}-{period}"' in analyst_page
    # unknown units, bad periods
    assert (
        site.as_role("admin").post(f"/api/v1/data/submissions/999/{period}/submit").status_code
        == 404
    )
    assert officer.post(f"/api/v1/data/submissions/{town}/2024/submit").status_code == 400
    assert officer.get("/api/v1/data/submissions?period=nonsense").status_code == 400


def test_upload_page_shows_the_report_and_its_excel(site: Site) -> None:
    period, town = _latest(site), _township(site)
    rows = _reports(site, town, period)
    c = site.login("township")
    page = c.get("/data")
    assert page.status_code == 200
    for needle in (
        'id="upload-form"',
        'name="kind"',
        'name="period"',
        'name="file"',
        'id="upload-button"',
    ):
        assert needle in page.text
    bad = _csv(rows, period).splitlines()
    bad[1] = "91330200XXXXXXXXX1," + bad[1].split(",", 1)[1]  # file row 2: a broken USCC
    r = c.post(
        "/data",
        data={"kind": "rd", "period": "", "money_unit": "", "dry_run": "1"},
        files={"file": ("坏文件.csv", ("\n".join(bad) + "\n").encode(), "text/csv")},
    )
    assert r.status_code == 200
    assert 'id="import-result"' in r.text and 'data-ok="false"' in r.text
    errors = re.search(r'id="validation-errors".*?<tbody>(.*?)</tbody>', r.text, re.S)
    assert errors is not None
    first = errors.group(1).split("</tr>")[0]
    assert '<td class="num">2</td>' in first and "统一社会信用代码" in first
    # the check by its Chinese name; no rule code and no English message on a Chinese page
    assert re.search(r"<td[^>]*>统一社会信用代码有误</td>", first)
    assert ">uscc<" not in first and "check character" not in r.text
    assert not re.search(r"<td[^>]*>[^<]*\b(invalid|check|character)\b", errors.group(1), re.I)
    assert "校验位错误" in first
    assert 'id="validation-warnings"' in r.text
    link = re.search(r'id="report-download"', r.text)
    assert link is not None
    data_uri = re.search(r'href="data:[^;]+;base64,([^"]+)"', r.text)
    assert data_uri is not None
    wb = load_workbook(io.BytesIO(base64.b64decode(data_uri.group(1))))
    sheet = wb["错误"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][2] == "行" and values[1][2] == 2 and values[1][0] == "坏文件.csv"
    ok = c.post(
        "/data",
        data={"kind": "rd", "dry_run": "1"},
        files={"file": ("good.csv", _csv(rows, period, plus=5).encode(), "text/csv")},
    )
    assert 'data-ok="true"' in ok.text and 'data-dry-run="true"' in ok.text


def test_page_for_readers_and_enterprise(site: Site) -> None:
    r = site.as_role("leader").get("/data")
    assert r.status_code == 200 and 'id="upload-form"' not in r.text
    assert 'id="upload-not-allowed"' in r.text and "submit-" not in r.text
    assert site.as_role("enterprise").get("/data").status_code == 403
    assert site.as_role("enterprise").get("/api/v1/data/submissions").status_code == 403


def test_completeness_is_the_service_cut_to_the_scope(site: Site) -> None:
    period = _latest(site)
    expected = reporting.completeness(site.engine, period=period, level="district")
    data = site.as_role("analyst").get(f"/api/v1/data/completeness?period={period}").json()
    assert data["total"] == len(expected) == 10
    assert [(i["code"], i["expected"], i["received"]) for i in data["items"]] == [
        (e.code, e.expected, e.received) for e in expected
    ]
    town = _township(site)
    mine = site.as_role("township").get("/api/v1/data/completeness?level=township").json()
    assert [i["code"] for i in mine["items"]] == [town]
    up = site.as_role("township").get("/api/v1/data/completeness?level=district").json()
    assert [i["code"] for i in up["items"]] == [site.accounts["district"]["unit"]]
    assert site.as_role("analyst").get("/api/v1/data/completeness?level=galaxy").status_code == 422
    r = site.as_role("analyst").get("/data?export=completeness")
    ws = load_workbook(io.BytesIO(r.content)).worksheets[1]
    assert ws is not None
    table = list(ws.iter_rows(values_only=True))
    assert table[0][1] == "区县" and len(table) == 11


def test_submission_list_is_paginated(site: Site) -> None:
    c = site.as_role("analyst")
    first = c.get("/api/v1/data/submissions?page=1&size=50").json()
    assert first["size"] == 50 and len(first["items"]) == 50 and first["total"] > 100
    last = c.get(f"/api/v1/data/submissions?page={first['total'] // 50 + 1}&size=50").json()
    assert len(last["items"]) == first["total"] % 50
    r = c.get("/data?export=submissions")
    rows = list(load_workbook(io.BytesIO(r.content)).worksheets[1].iter_rows(values_only=True))  # type: ignore[union-attr]
    assert len(rows) == first["total"] + 1


def test_templates_download(site: Site) -> None:
    c = site.as_role("township")
    for url in ("/data/templates/rd.xlsx", "/api/v1/data/templates/rd"):
        r = c.get(url)
        assert r.status_code == 200
        ws = load_workbook(io.BytesIO(r.content)).active
        assert ws is not None and "*统一社会信用代码" in [c.value for c in ws[2]]
    assert c.get("/api/v1/data/templates/bogus").status_code == 404
    assert c.get("/data/templates/bogus.xlsx").status_code == 404


def test_the_help_page_explains_every_column_and_check_in_chinese(site: Site) -> None:
    from yanzhi.core.checkrules import CHECK_RULES
    from yanzhi.core.dataformats import DATA_KINDS

    c = site.as_role("township")
    desk = c.get("/data").text
    assert 'href="/data/help"' in desk and "docs/" not in desk
    r = c.get("/data/help")
    assert r.status_code == 200
    text = re.sub(r"<[^>]+>", " ", r.text.split("<main", 1)[-1])
    for kind in DATA_KINDS.values():
        assert kind.zh in text and f'href="/data/templates/{kind.code}.xlsx"' in r.text
        for f in kind.fields:
            assert f.zh in text, f.code
    for rule in CHECK_RULES.values():
        assert rule.zh in text and rule.what_zh in text, rule.code
    assert "2026年1-11月" in text and "亿元" in text
    # only Chinese: no field codes, rule codes or English help
    for word in ("uscc", "rd_expense", "growth_outlier", "check character", "synthetic"):
        assert word not in text, word
    assert site.as_role("enterprise").get("/data/help").status_code in (200, 403)


def test_template_comments_say_in_chinese_how_to_fill_each_column(site: Site) -> None:
    ws = load_workbook(
        io.BytesIO(site.as_role("township").get("/data/templates/rd.xlsx").content)
    ).active
    assert ws is not None
    comments = {str(c.value): c.comment.text for c in ws[2] if c.comment is not None}
    assert (
        comments["*统一社会信用代码"].startswith("代码")
        and "GB 32100-2015" in comments["*统一社会信用代码"]
    )
    assert "单位万元" in comments["*研发费用(万元)"] and "不能为负数" in comments["*研发费用(万元)"]
    assert not any(re.search(r"[A-Za-z]{4,}", t.replace("Excel", "")) for t in comments.values())


def test_file_size_limit(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YANZHI_MAX_FILE_MB", "1")
    big = HEADER + ("x" * 100 + "\n") * 12000
    r = _upload(site.as_role("township"), "rd", "big.csv", big)
    # cut off while streaming (web/limits.py), before the file is spooled or read
    assert r.status_code == 413
    err = r.json()["error"]
    assert err["code"] == "too_large" and err["details"]["limit_bytes"] == 2**20
    assert "上限 1 MB" in err["message_zh"]


def _next_month(period: str) -> str:
    year, months = period.split("-", 1)
    last = int(months.split("..")[1])
    return f"{year}-01..{last + 1:02d}"


def _page_excel(c: Any, name: str, text: str) -> dict[str, Any]:
    """Validate ``text`` on the Data page; its report's Excel summary as label → value and
    key → value."""
    page = c.post(
        "/data",
        data={"kind": "rd", "dry_run": "1"},
        files={"file": (name, text.encode(), "text/csv")},
    )
    data_uri = re.search(r'href="data:[^;]+;base64,([^"]+)"', page.text)
    assert data_uri is not None
    from yanzhi.views.data import SUMMARY_ROWS

    book = load_workbook(io.BytesIO(base64.b64decode(data_uri.group(1))))
    assert book.sheetnames[:2] == ["说明", "摘要"]
    found = {r[0]: r[1] for r in book["摘要"].iter_rows(min_row=2, values_only=True)}
    return {**found, **{key: found[zh] for key, zh, _ in SUMMARY_ROWS}}


def _counts(found: dict[str, Any]) -> tuple[int, int, int]:
    return (found["created"], found["updated"], found["unchanged"])


def test_created_updated_unchanged_in_the_api_and_the_excel(site: Site) -> None:
    """One vocabulary: 10 new rows are "created 10, updated 0" (not "changed 10"); the
    same file with 3 values changed is "created 0, updated 3, unchanged 7"."""
    latest = _latest(site)
    rows = _reports(site, None, latest)[:10]
    assert len(rows) == 10
    period = _next_month(latest)
    officer = site.login("analyst")
    first = _csv(rows, period, plus=100)
    excel = _page_excel(officer, "新增.csv", first)
    assert _counts(excel) == (10, 0, 0) and (excel["新增"], excel["更新"]) == (10, 0)
    assert "changed" not in excel
    r = _upload(officer, "rd", "新增.csv", first)
    assert r.status_code == 200, r.text
    assert _counts(r.json()) == (10, 0, 0) and "changed" not in r.json()

    changed = [(u, rev, rd + (7.0 if i < 3 else 0.0), a) for i, (u, rev, rd, a) in enumerate(rows)]
    again = _csv(changed, period, plus=100)
    excel = _page_excel(officer, "更新.csv", again)
    assert _counts(excel) == (0, 3, 7) and (excel["更新"], excel["未变"]) == (3, 7)
    r = _upload(officer, "rd", "更新.csv", again)
    assert r.status_code == 200, r.text
    assert _counts(r.json()) == (0, 3, 7)


def test_an_admin_moves_a_due_date_and_the_counts_follow(site: Site) -> None:
    import json

    from typer.testing import CliRunner

    from yanzhi.cli.main import app as cli

    # the demo's last month (1–10月 2026, enterprises due 次月10日); not "the latest period",
    # which the upload tests before this one move on
    period = "2026-01..10"
    analyst = site.as_role("analyst")
    cal = analyst.get("/api/v1/data/calendar").json()
    rules = {(r["kind"], r["level"]): r["rule"] for r in cal["rules"]}
    assert rules[("ytd", "enterprise")] == "次月10日" and rules[("ytd", "district")] == "次月15日"
    url = f"/api/v1/data/completeness?period={period}&level=city"
    before = analyst.get(url).json()
    city = before["items"][0]
    assert before["deadlines"][0]["due"] == "2026-11-10" and city["late"] > 0
    move = {"month": "2026-10", "level": "enterprise", "due": "2026-11-30", "note": "演示顺延"}
    assert analyst.put("/api/v1/data/calendar/overrides", json=move).status_code == 403
    admin = site.login("admin")
    r = admin.put("/api/v1/data/calendar/overrides", json=move)
    moved = [o for o in r.json()["overrides"] if o["month"] == "2026-10"]
    assert [(o["level_zh"], o["due_zh"], o["note"]) for o in moved] == [
        ("企业", "2026年11月30日", "演示顺延")
    ]
    after = analyst.get(url).json()
    # every late demo report came within ten days of the 10th: now all on time
    assert after["items"][0]["on_time"] == city["on_time"] + city["late"]
    assert after["items"][0]["late"] == 0 and after["items"][0]["missing"] == city["missing"]
    runner = CliRunner()
    shown = runner.invoke(cli, ["calendar", "show", "--database", site.url, "--json"])
    assert shown.exit_code == 0 and "2026-11-30" in shown.stdout
    assert json.loads(shown.stdout)["name"] == cal["name"]
    bad = runner.invoke(cli, ["calendar", "set", "township", "下月", "--database", site.url])
    assert bad.exit_code == 2 and "次月10日" in bad.output
    r = admin.put("/api/v1/data/calendar/overrides", json={**move, "due": None})
    assert r.status_code == 200 and analyst.get(url).json() == before
    with transaction(site.engine) as s:
        from yanzhi.storage.models import AuditRow

        who = s.scalars(select(AuditRow.actor).where(AuditRow.entity == "report_calendar")).all()
    assert who == ["admin", "admin"]
