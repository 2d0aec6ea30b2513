"""Reading data files in chunks: row numbers stay the file's across chunks, errors deep in
a file are those a whole-file read gives, and the typed frame is compact."""

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from yanzhi.core.dataformats import RD_REPORTS
from yanzhi.core.issues import InputRejected
from yanzhi.ingest.parse import parse_table
from yanzhi.ingest.tabular import open_table, read_table
from yanzhi.ingest.typed import read_typed

IMPORTS = Path(__file__).parents[1] / "data" / "imports"
HEADER = "统一社会信用代码,报告期,营业收入(万元),研发费用(万元)"
E1 = "91330206YX0000001Q"


def _csv(tmp_path: Path, body: list[str], name: str = "rd.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(["报表标题", "", HEADER, *body]) + "\n", "utf-8")
    return path


def test_chunks_keep_the_file_row_numbers_and_drop_blank_rows(tmp_path):
    body = [f"{E1},2024-01..{m:02d},{100 * m},{m}" for m in range(1, 13)]
    body.insert(5, ",,,")
    path = _csv(tmp_path, body)
    chunks = list(open_table(path, RD_REPORTS, chunk_rows=4).chunks())
    assert [c.rows.tolist() for c in chunks] == [
        [4, 5, 6, 7],
        [8, 10, 11],  # file row 9 is blank
        [12, 13, 14, 15],
        [16],
    ]
    whole = read_table(path, RD_REPORTS)
    assert whole.rows.tolist() == [r for c in chunks for r in c.rows.tolist()]
    assert whole.data["period"].tolist()[-1] == "2024-01..12"


def test_a_gbk_file_with_title_rows_reads_the_same_in_chunks(monkeypatch):
    from yanzhi.ingest import tabular

    path = IMPORTS / "rd_2024-01..08_gbk.csv"
    whole = read_typed(path, RD_REPORTS)
    monkeypatch.setattr(tabular, "CHUNK_ROWS", 3)
    chunked = read_typed(path, RD_REPORTS)
    assert chunked.rows.tolist() == whole.rows.tolist() == list(range(4, 24))
    pd.testing.assert_frame_equal(chunked.frame, whole.frame)
    assert chunked.issues == whole.issues


def test_a_syntax_error_past_the_first_chunk_names_the_file_line(tmp_path):
    body = [f"{E1},2024-01..{m:02d},{100 * m},{m}" for m in range(1, 13)]
    body[9] += ",extra"
    path = _csv(tmp_path, body)
    for chunk in (3, 1000):
        with pytest.raises(InputRejected) as exc:
            read_typed(path, RD_REPORTS, chunk_rows=chunk)
        [issue] = exc.value.issues
        assert issue.rule == "csv_syntax" and "line 13" in issue.message_en


def test_a_broken_csv_is_reported_before_a_header_problem(tmp_path):
    path = tmp_path / "rd.csv"
    path.write_text(f"{HEADER},研发费用\n{E1},2024-01..05,1,1,1\n{E1},1,2,3,4,5,6\n", "utf-8")
    with pytest.raises(InputRejected) as exc:
        read_typed(path, RD_REPORTS, chunk_rows=1)
    assert [i.rule for i in exc.value.issues] == ["csv_syntax"]
    path.write_text(f"{HEADER},研发费用\n", "utf-8")  # no rows: the header row is not named
    with pytest.raises(InputRejected) as exc:
        read_typed(path, RD_REPORTS, chunk_rows=1)
    assert [(i.rule, i.row) for i in exc.value.issues] == [("duplicate_column", 1)]


def test_xlsx_rows_are_excel_row_numbers_across_chunks(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["宁波市研发统计"])
    ws.append([])
    ws.append(HEADER.split(","))
    for m in range(1, 11):
        ws.append([E1, f"2024-01..{m:02d}", 100 * m, "abc" if m == 9 else m])
    path = tmp_path / "rd.xlsx"
    wb.save(path)
    table = read_typed(path, RD_REPORTS, chunk_rows=4)
    assert table.rows.tolist() == list(range(4, 14))
    assert [(i.rule, i.row) for i in table.issues] == [("number_value", 12)]
    raw = read_table(path, RD_REPORTS)
    assert parse_table(raw, RD_REPORTS)[1] == table.issues


def test_the_typed_frame_is_compact(tmp_path):
    body = [
        f"{code},2024-01..{m:02d},{100 * m + i},{m}"
        for m in range(1, 13)
        for i, code in enumerate(
            ln.split(",")[0]
            for ln in (IMPORTS / "enterprises.csv").read_text("utf-8-sig").splitlines()[1:]
        )
    ] * 20
    path = _csv(tmp_path, body)
    table = read_typed(path, RD_REPORTS, chunk_rows=1000)
    frame = table.frame
    assert len(frame) == 4800
    assert isinstance(frame["uscc"].dtype, pd.CategoricalDtype)
    assert isinstance(frame["period"].dtype, pd.CategoricalDtype)
    assert frame["operating_revenue"].dtype == "float64"
    per_row = frame.memory_usage(deep=True).sum() / len(frame)
    assert per_row < 40, per_row  # the raw cells took some 250 bytes a row
    assert [i.rule for i in table.issues] == []


def test_xlsx_numbers_read_in_arrow_equal_the_same_cells_as_text(tmp_path):
    """A column of numbers comes over as float64 when every cell of a chunk is a number,
    as text otherwise: either way the values and issues are those of the same cells in a
    CSV, and a text cell such as "NaN" is never taken for an empty one."""
    numbers = [100, 2.5, None, 1e-7, 15_000_000_000, -3, 123456.789012, 7, 8, 9]
    texts = ["1,234", "—", "NaN", "inf", " 12 ", "１２", "abc", "", "5", None]
    nan_only = [1, 2, 3, 4, 5, 6, 7, 8, 9, "NaN"]  # Arrow reads "NaN" as a number: not taken
    wb = Workbook()
    ws = wb.active
    ws.append([*HEADER.split(","), "是否有研发机构"])
    for i, a in enumerate(numbers):
        ws.append([E1, f"2024-01..{i + 1:02d}", a, 1, "是" if i % 2 else "否"])
    for i, b in enumerate(texts):
        ws.append([E1, f"2025-01..{i + 1:02d}", b, 2, None])
    for i, c in enumerate(nan_only):
        ws.append([E1, f"2026-01..{i + 1:02d}", c, 3, None])
    path = tmp_path / "rd.xlsx"
    wb.save(path)
    csv = tmp_path / "rd.csv"
    lines = [f"{HEADER},是否有研发机构"]
    lines += [
        f"{E1},2024-01..{i + 1:02d},{'' if a is None else repr(a)},1,{'是' if i % 2 else '否'}"
        for i, a in enumerate(numbers)
    ]
    lines += [f'{E1},2025-01..{i + 1:02d},"{b or ""}",2,' for i, b in enumerate(texts)]
    lines += [f"{E1},2026-01..{i + 1:02d},{c},3," for i, c in enumerate(nan_only)]
    csv.write_text("\n".join(lines) + "\n", "utf-8")

    xlsx_table = read_typed(path, RD_REPORTS, chunk_rows=10)  # chunk 1: numbers only
    csv_table = read_typed(csv, RD_REPORTS, chunk_rows=10)
    pd.testing.assert_frame_equal(xlsx_table.frame, csv_table.frame, check_exact=True)

    def said(table):
        return [(i.rule, i.row, i.column, i.value, i.message_zh) for i in table.issues]

    assert said(xlsx_table) == said(csv_table)
    assert [(r, row, v) for r, row, _, v, _ in said(xlsx_table) if r == "number_value"] == [
        ("number_value", 14, "NaN"),
        ("number_value", 18, "abc"),
        ("number_value", 31, "NaN"),
    ]
    revenue = xlsx_table.frame["operating_revenue"]
    assert revenue[:10].tolist()[3:] == [1e-7, 15_000_000_000, -3, 123456.789012, 7, 8, 9]
    assert revenue[:2].tolist() == [100, 2.5] and pd.isna(revenue[2])
    # "1,234" and the full-width "１２" are numbers; "—", empty and blank cells are empty
    assert revenue[[10, 14, 15, 18]].tolist() == [1234, 12, 12, 5]
    assert revenue[[11, 17, 19]].isna().all()
