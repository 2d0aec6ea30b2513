"""The files townships receive and send back, imported through the service the CLI and
the web use: Excel's "Unicode 文本" export (UTF-16, tabs, CRLF), a tab-separated GBK text
export, a legacy .xls saved by LibreOffice from the project's own template, and a template
sent back with no rows (refused, nothing stored)."""

import codecs
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from yanzhi.services.collection.imports import import_file
from yanzhi.services.collection.templates import write_template
from yanzhi.services.database import init_database

IMPORTS = Path(__file__).parents[1] / "data" / "imports"
E1, E2 = "91330206YX0000001Q", "91330206YX0000002U"
TITLE = "企业研发统计(1-N月累计)"
HEADER = ["*统一社会信用代码", "*报告期", "*营业收入(万元)", "*研发费用(万元)", "研发人员(人)"]
# as Excel shows the cells, and so exports them: thousands separators, 是/否
ROWS = [[E1, "2024年1-11月", "900", "12", "6"], [E2, "2024年1-11月", "1,234.5", "7.25", "7"]]
# what the database must hold for each enterprise: revenue, R&D expense, R&D personnel
STORED = {E1: (900.0, 12.0, 6), E2: (1234.5, 7.25, 7)}


@pytest.fixture
def db(engine):
    init_database(engine, actor="test:init")
    report = import_file(engine, "enterprises", IMPORTS / "enterprises.csv", actor="test:officer")
    assert report.ok, report.errors
    return engine


def stored(engine) -> dict[str, tuple[float, float, int]]:
    sql = (
        "SELECT e.uscc, r.operating_revenue, r.rd_expense, r.rd_personnel FROM rd_report r "
        "JOIN enterprise e ON e.id = r.enterprise_id WHERE r.period = '2024-01..11'"
    )
    with engine.connect() as c:
        return {u: (rev, rd, int(n)) for u, rev, rd, n in c.execute(text(sql)).all()}


def text_export(path: Path, rows: list[list[str]], encoding: str) -> Path:
    """A text export as Excel writes it: the title row, the header, the rows; tabs between
    cells, CRLF after each row. ``utf-16`` is the "Unicode 文本" export: UTF-16 LE after
    a BOM; ``utf-16-le`` the same without the BOM; ``gbk`` the "文本文件(制表符分隔)"
    export of Chinese Windows."""
    body = "".join("\t".join(r) + "\r\n" for r in [[TITLE], HEADER, *rows])
    if encoding == "utf-16":
        path.write_bytes(codecs.BOM_UTF16_LE + body.encode("utf-16-le"))
    else:
        path.write_bytes(body.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "gbk"])
def test_excel_text_exports_import_their_values(db, tmp_path, encoding):
    path = text_export(tmp_path / "rd.txt", ROWS, encoding)
    if encoding == "utf-16":
        assert path.read_bytes()[:4] == b"\xff\xfe\x01\x4f"  # BOM, then 企 (U+4F01) as LE
    rep = import_file(db, "rd", path, actor="test:township")
    assert rep.ok, [str(i) for i in rep.errors]
    assert (rep.rows, rep.created) == (2, 2)
    assert stored(db) == STORED


def test_a_bad_cell_in_a_unicode_text_export_names_its_row_and_column(db, tmp_path):
    rows = [ROWS[0], [E2, "2024年1-11月", "1,234.5", "七点二五", "7"]]
    path = text_export(tmp_path / "rd.txt", rows, "utf-16")
    rep = import_file(db, "rd", path, actor="test:township")
    assert not rep.ok and stored(db) == {}
    [issue] = rep.errors
    assert (issue.file, issue.row, issue.column, issue.rule) == (
        "rd.txt",
        4,  # title row 1, header row 2, data rows 3 and 4
        "*研发费用(万元)",
        "number_value",
    )


def filled_template(path: Path, rows: list[list[object]]) -> Path:
    """The project's rd template with ``rows`` appended below its header (row 2)."""
    write_template("rd", path)
    wb = load_workbook(path)
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def to_xls(xlsx: Path, tmp_path: Path) -> Path:
    """The workbook saved as a legacy .xls (BIFF8, "MS Excel 97") by LibreOffice, with a
    profile of its own so that another running soffice does not take the job."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is needed to write a real .xls file")
    out = tmp_path / "xls"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xls",
            "--outdir",
            str(out),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    xls = out / f"{xlsx.stem}.xls"
    assert xls.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # an OLE container
    return xls


def test_a_legacy_xls_imports_its_values_and_names_excel_rows(db, tmp_path):
    rows = [
        [E1, "2024年1-11月", 900, 12, 0, 6],
        [E2, "2024年1-11月", 1234.5, 7.25, 0, 7],
        [E2, "2024年1-11月", 1234.5, -1, 0, 7],  # row 5: refused with its row and column
    ]
    bad = to_xls(filled_template(tmp_path / "rd_bad.xlsx", rows), tmp_path)
    rep = import_file(db, "rd", bad, actor="test:township")
    assert not rep.ok and stored(db) == {}
    located = {(i.rule, i.file, i.sheet, i.row, i.column) for i in rep.errors}
    sheet = load_workbook(tmp_path / "rd_bad.xlsx").sheetnames[0]  # the template's own name
    assert ("range", "rd_bad.xls", sheet, 5, "*研发费用(万元)") in located
    xls = to_xls(filled_template(tmp_path / "rd.xlsx", rows[:2]), tmp_path)
    rep = import_file(db, "rd", xls, actor="test:township")
    assert rep.ok, [str(i) for i in rep.errors]
    assert (rep.rows, rep.created) == (2, 2)
    assert stored(db) == STORED


def dump(engine) -> list:
    with engine.connect() as c:
        return [
            (t, sorted(map(repr, c.execute(text(f"SELECT * FROM {t}")).all())))
            for t in ("rd_report", "rd_report_version", "import_batch", "audit_log")
        ]


@pytest.mark.parametrize("form", ["xlsx", "unicode text"])
def test_a_template_sent_back_without_rows_is_refused_and_nothing_is_stored(db, tmp_path, form):
    if form == "xlsx":  # the blank template itself: a title row, the header in row 2
        path = write_template("rd", tmp_path / "rd_2024-11.xlsx")
        sheet = load_workbook(path).sheetnames[0]  # the template's own (Chinese) sheet name
    else:  # the header, then rows left empty (tabs only), as Excel exports them
        path = text_export(tmp_path / "rd_2024-11.txt", [[""] * 5] * 3, "utf-16")
        sheet = None
    before = dump(db)
    for dry_run in (True, False):
        rep = import_file(db, "rd", path, actor="test:township", dry_run=dry_run)
        assert not rep.ok and rep.rows == 0
        [issue] = rep.errors
        assert (issue.rule, issue.file, issue.sheet, issue.row) == (
            "no_data_rows",
            path.name,
            sheet,
            2,
        )
        assert issue.message_zh == f"文件 {path.name} 只有表头, 没有数据行"
        assert path.name in issue.message_en
    assert dump(db) == before
