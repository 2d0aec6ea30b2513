"""Registers on every test database: import from XLSX and CSV (Chinese headers), an
identical re-import changes nothing, a changed entry is a new version, moves between the
three lists keep their history, refusals store nothing, counts roll up to the district and
the city and feed the plan's targets."""

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import text

from yanzhi.core.registers import Count, CountRule
from yanzhi.services.database import init_database
from yanzhi.services.tasks import registers
from yanzhi.services.tasks.targets import list_targets

TABLES = ("register_entry", "register_entry_version", "import_batch", "audit_log")


def dump(engine) -> list:
    with engine.connect() as c:
        return [(t, sorted(map(repr, c.execute(text(f"SELECT * FROM {t}")).all()))) for t in TABLES]


@pytest.fixture
def db(engine):
    init_database(engine, actor="test:init")
    return engine


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["宁波市重点实验室名录(测试)"])  # a title row above the header
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


SCENARIOS = ["编号", "名称", "所属区划代码", "开始日期", "结束日期", "场景领域"]
SCENARIO_ROWS = [
    ["S-001", "港口5G远程控制", "330206001", "2023-03-01", "", "5G"],
    ["S-002", "AI质检", "330206", "2024-05-10", "", "人工智能"],
    ["S-003", "数字孪生工厂", "330212001", "2024-11-01", "", "数字孪生"],
]


def test_csv_import_reimport_and_versions(db, tmp_path):
    path = write_csv(tmp_path / "scenarios.csv", SCENARIOS, SCENARIO_ROWS)
    rep = registers.import_register(db, "scenario", path, actor="t:officer")
    assert (rep.ok, rep.rows, rep.created, rep.updated) == (True, 3, 3, 0), rep.errors
    before = dump(db)
    again = registers.import_register(db, "scenario", path, actor="t:officer")
    assert again.ok and again.nothing_changed and again.unchanged == 3
    assert dump(db) == before
    changed = [r[:] for r in SCENARIO_ROWS]
    changed[1][5] = "大数据"
    path2 = write_csv(tmp_path / "scenarios2.csv", SCENARIOS, changed)
    rep = registers.import_register(db, "scenario", path2, actor="t:officer")
    assert (rep.created, rep.updated, rep.unchanged) == (0, 1, 2)
    [entry] = [
        e for e in registers.list_register(db, "scenario", history=True) if e.code == "S-002"
    ]
    assert entry.version == 2 and entry.fields["field"] == "大数据"
    assert entry.history is not None
    assert [h.fields["field"] for h in entry.history] == ["人工智能"]


def test_xlsx_import_of_laboratories_counts_and_targets(db, tmp_path):
    header = ["编号", "名称", "区划代码", "认定日期", "撤销日期", "级别", "依托单位"]
    rows = [
        [
            "L-01",
            "海洋关键材料全国重点实验室",
            "330206",
            dt.date(2024, 1, 5),
            None,
            "全国重点实验室",
            "中科院宁波材料所",
        ],
        ["L-02", "甲实验室", "330206001", dt.date(2020, 6, 1), None, "省级", None],
        ["L-03", "乙实验室", "330212001", dt.date(2021, 6, 1), dt.date(2024, 6, 30), "市级", None],
        ["L-04", "丙实验室", "330212001", dt.date(2025, 2, 1), None, "省级", None],
    ]
    path = write_xlsx(tmp_path / "labs.xlsx", header, rows)
    rep = registers.import_register(db, "laboratory", path, actor="t:officer")
    assert (rep.ok, rep.created) == (True, 4), rep.errors
    c2025 = registers.counts(db, "laboratory", year=2025)
    # in force at the end of 2025: L-01, L-02 (海曙区), L-04 (鄞州区); L-03 ended in 2024
    assert (c2025["330206"], c2025["330212"], c2025["330200"]) == (2, 1, 3)
    assert c2025["330206001"] == 1 and c2025["330212001"] == 1
    c2022 = registers.counts(db, "laboratory", year=2022)
    assert c2022["330200"] == 2
    national = Count("n", CountRule.CUMULATIVE, {"level": ("全国重点实验室",)})
    assert registers.counts(db, "laboratory", national, year=2025)["330200"] == 1
    targets = {t.code: t for t in list_targets(db, as_of=dt.date(2025, 12, 31))}
    lab = targets["P2.T1.Q1"]
    assert lab.source is not None
    assert lab.source["register"] == "laboratory" and lab.value == 3
    # level target: base 2 at the end of 2022, a straight line to 100 in 2027
    assert lab.path["2025"] == pytest.approx(2 + 98 * 3 / 5)
    assert targets["P2.T1.Q2"].status == "target_achieved"
    assert targets["P5.T2.Q1"].status == "not_available" and targets["P5.T2.Q1"].reason


def test_moves_between_the_three_lists_keep_history(db, tmp_path):
    header = ["编号", "名称", "所属区划代码", "开始日期", "清单", "技术领域"]
    v1 = [
        ["K-1", "高端轴承钢", "330206", "2023-04-01", "卡点清单", "新材料"],
        ["K-2", "工业软件", "330212", "2023-04-01", "推广清单", "数字经济"],
    ]
    registers.import_register(
        db, "tech_list", write_csv(tmp_path / "l1.csv", header, v1), actor="t"
    )
    v2 = [r[:] for r in v1]
    v2[0][4] = "推广清单"
    registers.import_register(
        db, "tech_list", write_csv(tmp_path / "l2.csv", header, v2), actor="t"
    )
    v3 = [r[:] for r in v2]
    v3[0][4] = "转化清单"
    rep = registers.import_register(
        db, "tech_list", write_csv(tmp_path / "l3.csv", header, v3), actor="t"
    )
    assert (rep.updated, rep.unchanged) == (1, 1)
    k1 = next(e for e in registers.list_register(db, "tech_list", history=True) if e.code == "K-1")
    assert k1.history is not None
    assert [h.list for h in k1.history] + [k1.list] == [
        "blocking",
        "promotion",
        "transfer",
    ]
    assert k1.list_name == "转化清单"
    with db.connect() as c:
        moves = c.execute(
            text(
                "SELECT count(*) FROM audit_log "
                "WHERE entity = 'register:tech_list' AND action = 'update'"
            )
        ).scalar()
    assert moves == 2


@pytest.mark.parametrize(
    ("row", "rule"),
    [
        (["S-9", "坏行", "999999", "2024-01-01", "", "5G"], "unknown_unit"),
        (["S-9", "坏行", "330206", "2024-13-01", "", "5G"], "date_value"),
        (["S-9", "坏行", "330206", "2024-01-01", "", "量子"], "choice"),
        (["S-001", "重复", "330206", "2024-01-01", "", "5G"], "duplicate_key"),
        (["S-9", "坏行", "330206", "2024-01-01", "2023-01-01", "5G"], "date_order"),
    ],
)
def test_a_bad_row_refuses_the_whole_file(db, tmp_path, row, rule):
    path = write_csv(tmp_path / "ok.csv", SCENARIOS, SCENARIO_ROWS)
    registers.import_register(db, "scenario", path, actor="t")
    before = dump(db)
    bad = write_csv(tmp_path / "bad.csv", SCENARIOS, [*SCENARIO_ROWS, row])
    rep = registers.import_register(db, "scenario", bad, actor="t")
    assert not rep.ok and rule in {e.rule for e in rep.errors}
    assert dump(db) == before


def test_unknown_register_is_refused(db, tmp_path):
    with pytest.raises(ValueError, match="unknown register"):
        registers.import_register(db, "unicorns", tmp_path / "x.csv", actor="t")


def test_a_unicode_text_export_imports_and_a_header_only_file_is_refused(db, tmp_path):
    """The register reader is the import's: Excel's "Unicode 文本" export (UTF-16 LE after
    a BOM, tabs, CRLF) reads as written; a file with only its header stores nothing."""

    def export(name: str, rows: list[list[str]]) -> Path:
        body = "".join("\t".join(r) + "\r\n" for r in [SCENARIOS, *rows])
        path = tmp_path / name
        path.write_bytes(b"\xff\xfe" + body.encode("utf-16-le"))
        return path

    rep = registers.import_register(db, "scenario", export("场景.txt", SCENARIO_ROWS), actor="t")
    assert (rep.ok, rep.created) == (True, 3), rep.errors
    entries = {e.code: e for e in registers.list_register(db, "scenario")}
    assert (entries["S-002"].name, entries["S-002"].fields["field"]) == ("AI质检", "人工智能")
    before = dump(db)
    empty = export("场景-空.txt", [])
    rep = registers.import_register(db, "scenario", empty, actor="t")
    assert [(i.rule, i.file, i.row) for i in rep.errors] == [("no_data_rows", empty.name, 1)]
    assert dump(db) == before


def test_an_item_of_the_three_lists_follows_its_lifecycle(db, tmp_path):
    header = ["编号", "名称", "所属区划代码", "开始日期", "清单", "阶段", "攻关项目编号",
              "佐证材料", "合同金额"]  # fmt: skip
    v1 = [
        ["K-1", "高端轴承钢", "330206", "2023-04-01", "卡点清单", "已识别", "", "", ""],
        ["T-1", "在线检测装置", "330212", "2023-04-01", "转化清单", "成果登记", "", "", ""],
    ]
    rep = registers.import_register(
        db, "tech_list", write_csv(tmp_path / "a.csv", header, v1), actor="t"
    )
    assert rep.ok and rep.created == 2
    before = dump(db)
    # skipping 攻关中, and a contract without its value: the file is refused, nothing stored
    bad = [r[:] for r in v1]
    bad[0][5], bad[0][7] = "已突破", "验收报告"
    bad[1][5] = "已签约"
    rep = registers.import_register(
        db, "tech_list", write_csv(tmp_path / "b.csv", header, bad), actor="t"
    )
    assert not rep.ok and dump(db) == before
    found = {(e.row, e.column, e.rule) for e in rep.errors}
    assert found == {(2, "阶段", "stage_move"), (3, "阶段", "stage_needs")}
    assert any("不能从“已识别”改为“已突破”" in e.message_zh for e in rep.errors)
    # one step at a time, with what each stage needs: a new version each
    good = [r[:] for r in v1]
    good[0][5], good[0][6] = "攻关中", "KRD-2024-001"
    good[1][5], good[1][8] = "已签约", "850"
    rep = registers.import_register(
        db, "tech_list", write_csv(tmp_path / "c.csv", header, good), actor="t"
    )
    assert rep.ok and rep.updated == 2
    t1 = next(e for e in registers.list_register(db, "tech_list") if e.code == "T-1")
    assert (t1.fields["stage"], t1.fields["contract_value"]) == ("已签约", 850)
