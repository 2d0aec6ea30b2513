"""Exports can't carry formulas (issue #16, point 1): enterprise names that start like a
spreadsheet formula are imported through the real importer, and every Excel download that
shows them — page tables, the bureau's lists, the CLI's list file, the data desk's
validation report — holds them as text, and every CSV yanzhi writes neutralises them."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from tests.conftest import new_database
from tests.web.conftest import Site
from typer.testing import CliRunner

from yanzhi.cli.main import app as cli
from yanzhi.export import sheets
from yanzhi.storage.db import make_engine

HOSTILE = [
    '=HYPERLINK("http://evil.example","点我")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    """A small demo (SQLite: the writer does not depend on the database) whose four largest
    R&D spenders have hostile names."""
    from yanzhi.services.database import init_database
    from yanzhi.services.demo import accounts as demo_accounts
    from yanzhi.services.demo import panel as demo
    from yanzhi.web.app import create_app

    folder = tmp_path_factory.mktemp("hostile")
    with new_database("sqlite", folder) as url:
        eng = make_engine(url)
        init_database(eng, actor="test:init")
        data = demo.build(seed=5, n_enterprises=120, last_month=(2026, 10))
        top = data.rd.groupby("uscc")["rd_expense"].sum().nlargest(len(HOSTILE)).index
        renamed = dict(zip(top, HOSTILE, strict=True))
        hist = data.enterprise_history
        hist["name"] = [renamed.get(u, n) for u, n in zip(hist["uscc"], hist["name"], strict=True)]
        files = demo.write_files(data, folder / "files")
        reports = demo.load(eng, data, files, actor="t", tasks=False)
        assert all(r.ok for r in reports)
        accounts = {a.username: a.to_dict() for a in demo_accounts.create(eng, actor="test")}
        yield Site(url, eng, create_app(eng), accounts, folder), renamed, files
        eng.dispose()


def _cells(content: bytes) -> Iterator[tuple[str, object, str]]:
    wb = load_workbook(io.BytesIO(content))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                yield ws.title, c.value, c.data_type


def _no_formulas(content: bytes) -> set[str]:
    """The workbook's text cells; fails on any formula cell."""
    formulas = [(t, v) for t, v, kind in _cells(content) if kind == "f"]
    assert formulas == []
    return {str(v) for _, v, kind in _cells(content) if kind == "s"}


def test_the_csv_files_of_the_demo_neutralise_formula_names(hostile) -> None:
    _, _, files = hostile
    with open(Path(files.folder) / "enterprises.csv", encoding="utf-8-sig") as f:
        names = {r["企业名称"] if "企业名称" in r else r["name"] for r in csv.DictReader(f)}
    assert {"'" + n for n in HOSTILE} <= names
    assert not any(n.startswith(sheets.FORMULA_START) for n in names)


def test_page_table_exports_hold_hostile_names_as_text(hostile) -> None:
    site, _, _ = hostile
    c = site.as_role("analyst")
    found: set[str] = set()
    exports = 0
    for path in ["/enterprises?q=", "/enterprises/lists/priority?year=2025", "/units/330200"]:
        page = c.get(path)
        assert page.status_code == 200
        for href in set(re.findall(r'href="(\?export=[^"]+)"', page.text)):
            url = path.split("?")[0] + href.replace("&amp;", "&")
            r = c.get(url)
            assert r.status_code == 200, url
            found |= _no_formulas(r.content)
            exports += 1
    assert exports >= 3
    assert set(HOSTILE) & found, "the hostile names should appear in the exports, as text"


def test_cli_list_file_and_validation_report_hold_hostile_names_as_text(hostile) -> None:
    site, _, files = hostile
    out = site.folder / "priority.xlsx"
    args = ["lists", "priority", "--year", "2025", "--database", site.url]
    listed = CliRunner().invoke(cli, [*args, "--json"])
    r = CliRunner().invoke(cli, [*args, "--out", str(out)])
    assert r.exit_code == 0 and listed.exit_code == 0, r.output
    texts = _no_formulas(out.read_bytes())
    assert {n for n in HOSTILE if n in listed.stdout.replace('\\"', '"')} <= texts

    # the data desk's validation report quotes a hostile bad value as text
    from yanzhi.services.collection import imports
    from yanzhi.views.data import report_xlsx

    source = Path(files.folder) / "enterprises.csv"
    lines = source.read_text("utf-8-sig").splitlines()
    head = lines[0].split(",")
    town = head.index(next(h for h in head if "乡镇" in h or "township" in h))
    row = lines[1].split(",")
    row[town] = "=1+2"
    bad = site.folder / "bad_enterprises.csv"
    bad.write_text("\n".join([lines[0], ",".join(row)]) + "\n", "utf-8-sig")
    report = imports.import_file(site.engine, "enterprises", bad, actor="t", dry_run=True)
    assert not report.ok
    assert "=1+2" in _no_formulas(report_xlsx(report))


@pytest.mark.parametrize("value", HOSTILE)
def test_the_writer_keeps_the_text_and_never_a_formula(value: str, tmp_path: Path) -> None:
    wb = sheets.new()
    ws = wb.active
    ws.append([value, 1.5])
    ws.cell(row=2, column=1, value=value)
    wide = sheets.new(write_only=True)
    sheets.append(wide.create_sheet("w"), [value, 2])
    for book in (wb, wide):
        texts = _no_formulas(sheets.to_bytes(book))
        assert value in texts
    assert sheets.csv_text(value) == "'" + value
    assert sheets.csv_text("-3.5") == "-3.5" and sheets.csv_text("名称") == "名称"


def test_a_register_imported_with_hostile_names_exports_them_as_text(hostile) -> None:
    site, _, _ = hostile
    c = site.as_role("analyst")
    town = site.accounts["township"]["unit"]
    rows = "".join(
        f'HX-{i},"{name.replace(chr(34), chr(34) * 2)}",{town},2025-03-01,,5G\n'
        for i, name in enumerate(HOSTILE)
    )
    csv_text = "编号,名称,所属区划代码,开始日期,结束日期,场景领域\n" + rows
    files = {"file": ("scenario.csv", csv_text.encode("utf-8-sig"), "text/csv")}
    r = c.post("/api/v1/registers/scenario/import", files=files)
    assert r.status_code == 200 and r.json()["created"] == len(HOSTILE), r.text
    page = c.get("/registers/scenario")
    hrefs = set(re.findall(r'href="(\?export=[^"]+)"', page.text))
    assert hrefs
    texts: set[str] = set()
    for href in hrefs:
        texts |= _no_formulas(c.get("/registers/scenario" + href.replace("&amp;", "&")).content)
    assert set(HOSTILE) <= texts
