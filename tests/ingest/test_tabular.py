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
