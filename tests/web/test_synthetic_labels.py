"""Everything computed from the demo says so (issue #15, point 6): every CLI command with
``--json`` that reads data, every API list endpoint and every API response (header), on
the demo of tests/web/conftest.py. A new command or list endpoint must be classified here."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.web.conftest import Site
from tests.web.routes import all_routes
from typer.main import get_command
from typer.testing import CliRunner

from yanzhi.cli.main import app
from yanzhi.web.api.common import SYNTHETIC_HEADER

# The demo's approved periods: 2026-01..10 is left unapproved; 2025 has full-year reports.
READS: dict[str, list[str]] = {
    "status": [],
    "attribution": ["--from", "2025-01..09", "--to", "2026-01..09"],
    "warnings": [],
    "evaluate": ["--level", "township", "--year", "2025"],
    "targets": [],
    "guarantees": [],
    "reforms": [],
    "landmarks": [],
    "assess list": ["--year", "2025"],
    "completeness": ["--period", "2026-01..09"],
    "indicators compute": [],
    "enterprise show": ["{uscc}"],
    "enterprise diagnose": ["{uscc}"],
    "policy calc": ["{uscc}", "--year", "2025"],
    "lists priority": ["--year", "2025"],
    "lists diagnose": ["--year", "2025"],
    "lists points": ["--year", "2025"],
    "lists budget": ["--year", "2025"],
    "lists applications": ["--year", "2026"],
    "lists doubling": [],
    "lists cohort": [],
    "cases priority": ["--year", "2023"],
    "cases list": [],
    "cases effect": ["--year", "2023"],
    "tasks list": [],
    "tasks supervise": [],
    "tasks history": ["P1.T1"],
    "registers list": ["talent"],
}
"""Commands whose JSON is computed from the data, with their arguments on the demo."""

NOT_DATA: dict[str, str] = {
    "plan validate": "checks a plan file (the plan says synthetic itself)",
    "plan load": "stores a plan file",
    "plan draft": "drafts a plan file from a policy document the user gives",
    "plan show": "the plan, whose own `synthetic` flag is in plan.synthetic",
    "orgunits list": "the official division tree, not generated",
    "progress assess": "assesses a series the user types in",
    "composite build": "a composite index of the user's files",
    "composite uncertainty": "a composite index of the user's files",
    "composite sensitivity": "a composite index of the user's files",
    "composite remove-elements": "a composite index of the user's files",
    "policy rules": "the rule file, not data",
    "registers kinds": "the register definitions, not data",
    "users add": "accounts",
    "notify deliver": "a count of e-mails sent",
    "users list": "accounts",
    "users set": "accounts",
    "users token": "accounts",
    "init": "creates the database",
    "exchange token create": "a machine account's token",
    "assess publish": "a write (publication); its list is `assess list`'s",
    "demo-data": "writes the demo; its summary is the demo's description",
    "validate": "a dry run of a file the user gives",
    "import enterprises": "writes a file the user gives",
    "import rd": "writes a file the user gives",
    "import stats": "writes a file the user gives",
    "registers import": "writes a file the user gives",
    "submit": "a workflow step",
    "approve": "a workflow step",
    "unlock": "a workflow step",
    "override-status": "a manual status with its reason",
    "tasks report": "writes a task report",
    "tasks remind": "writes a reminder",
    "tasks comment": "writes a comment",
    "calendar show": "the reporting calendar: configuration, not figures",
    "calendar set": "edits the reporting calendar",
    "calendar move": "edits the reporting calendar",
    "calendar load": "loads a calendar file the user gives",
    "cases open": "a write (opens a case); its figures are `cases list`'s",
    "cases visit": "a write (records a visit)",
    "cases remind": "a count of reminders sent",
}
"""Commands with ``--json`` that do not output figures computed from the data."""

NESTED = {"enterprise diagnose": ("enterprise", "synthetic")}
"""Outputs that carry the flag on the object they describe."""

runner = CliRunner()


def _json_commands() -> set[str]:
    found: set[str] = set()

    def walk(cmd: Any, path: list[str]) -> None:
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(sub, [*path, name])
        elif any("--json" in p.opts for p in cmd.params):
            found.add(" ".join(path))

    walk(get_command(app), [])
    return found


def _says_synthetic(name: str, data: Any) -> bool:
    if isinstance(data, list):
        return bool(data) and all(row.get("synthetic") is True for row in data)
    if name in NESTED:
        outer, key = NESTED[name]
        return data[outer][key] is True
    return data.get("synthetic") is True


def test_every_json_command_is_classified() -> None:
    assert _json_commands() == set(READS) | set(NOT_DATA)


def test_every_json_command_on_the_demo_says_synthetic(site: Site) -> None:
    def run(name: str, args: list[str]) -> Any:
        result = runner.invoke(app, [*name.split(), *args, "--json", "--database", site.url])
        assert result.exit_code == 0, (name, result.output[-500:])
        return json.loads(result.stdout)

    uscc = run("lists priority", READS["lists priority"])[0]["uscc"]
    unlabelled = []
    for name, args in READS.items():
        data = run(name, [a.format(uscc=uscc) for a in args])
        if not _says_synthetic(name, data):
            unlabelled.append(name)
    assert unlabelled == []


def test_the_cli_text_of_the_lists_and_policy_says_synthetic(site: Site) -> None:
    uscc = json.loads(
        runner.invoke(app, ["lists", "priority", "--year", "2025", "--json", "-d", site.url]).stdout
    )[0]["uscc"]
    for args in (
        ["lists", "priority", "--year", "2025"],
        ["policy", "calc", uscc, "--year", "2025"],
        ["attribution", "--from", "2025-01..09", "--to", "2026-01..09"],
        ["warnings"],
    ):
        out = runner.invoke(app, [*args, "-d", site.url]).stdout
        assert "示例数据" in out and "SYNTHETIC" in out, args


def test_the_priority_list_excel_says_synthetic(site: Site, tmp_path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "p.xlsx"
    result = runner.invoke(
        app, ["lists", "priority", "--year", "2025", "--out", str(out), "-d", site.url]
    )
    assert result.exit_code == 0
    from yanzhi.reports.document import SYNTHETIC_LABEL
    from yanzhi.services.enterprises.listbook import SYNTHETIC_LABEL as LIST_LABEL

    book = load_workbook(out)
    readme = book["说明"]
    assert readme["A1"].value == "研发投入重点企业名单(2025年)"
    assert LIST_LABEL == SYNTHETIC_LABEL and SYNTHETIC_LABEL in readme["B3"].value
    assert book.worksheets[1]["A1"].value == "统一社会信用代码"


LIST_PARAMS = {"name": "priority", "kind": "talent"}
CODES = {"/api/v1/indicators/": "IND_RD_INTENSITY", "/api/v1/tasks/": "P1.T1"}
NOT_DATA_LISTS = {
    "/api/v1/units": "the official division tree",
    "/api/v1/admin/users": "accounts",
    "/api/v1/admin/tokens": "accounts",
    "/api/v1/admin/audit": "the audit log of who did what",
    "/api/v1/tokens": "accounts",
    "/api/v1/notifications": "messages to the caller (their text says 演示 where it matters)",
}


def _list_endpoints(the_app: Any) -> list[str]:
    """The API's GET routes answering a page (``items`` and ``total``)."""
    out = []
    for path, route in all_routes(the_app):
        model = getattr(route, "response_model", None)
        fields = getattr(model, "model_fields", {})
        if "GET" in route.methods and "items" in fields and "total" in fields:
            out.append(path)
    return sorted(out)


def _url(path: str) -> str:
    for key, value in LIST_PARAMS.items():
        path = path.replace("{" + key + "}", value)
    prefix = next((p for p in CODES if path.startswith(p)), None)
    return path.replace("{code}", CODES[prefix]) if prefix else path


def test_every_api_list_endpoint_says_synthetic(site: Site) -> None:
    c = site.as_role("admin")
    paths = _list_endpoints(site.app)
    assert "/api/v1/lists/{name}" in paths and "/api/v1/indicators" in paths
    unlabelled = []
    for path in paths:
        if path in NOT_DATA_LISTS:
            continue
        r = c.get(_url(path))
        assert r.status_code == 200, (path, r.text[:300])
        if r.json().get("synthetic") is not True:
            unlabelled.append(path)
        assert r.headers.get(SYNTHETIC_HEADER) == "true", path
    assert unlabelled == []


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/indicators/IND_RD_INTENSITY/attribution",
        "/api/v1/cockpit",
        "/api/v1/lists/doubling",
    ],
)
def test_attribution_and_other_objects_say_synthetic(site: Site, url: str) -> None:
    r = site.as_role("analyst").get(url)
    assert r.status_code == 200 and r.json()["synthetic"] is True
    assert r.headers[SYNTHETIC_HEADER] == "true"


def test_page_excel_exports_say_synthetic(site: Site) -> None:
    import io

    from openpyxl import load_workbook

    r = site.as_role("analyst").get("/enterprises/lists/priority?export=list")
    from yanzhi.reports.document import SYNTHETIC_LABEL

    wb = load_workbook(io.BytesIO(r.content))
    assert wb.active.title == "说明" and ("演示", f"【{SYNTHETIC_LABEL}】") in [
        row[:2] for row in wb.active.iter_rows(values_only=True)
    ]
    table = wb.worksheets[1]
    assert SYNTHETIC_LABEL in table.oddHeader.center.text  # on every printed page
    total = site.as_role("analyst").get("/api/v1/lists/priority").json()["total"]
    assert table.max_row == 1 + total  # the table itself stays as the page shows it
