"""Issue #20 item 4: the key R&D project register keeps applications (applicant USCC,
funding line, stage, dates); its plan count takes approved projects only; the register marks
applicants on the priority list of the year before they applied; the summary counts, per
funding line and district, priority enterprises that applied and won against the others."""

import csv
from pathlib import Path

import pytest
from sqlalchemy import text

from yanzhi.core.registers import metric_sources
from yanzhi.core.uscc import check_character
from yanzhi.services.access.principal import SYSTEM, PermissionDenied, Principal
from yanzhi.services.access.scope import resolve
from yanzhi.services.enterprises import applications, lists
from yanzhi.services.enterprises.listbook import write as write_book
from yanzhi.services.tasks import registers
from yanzhi.storage.db import make_engine
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.views import registers as register_views

HEADER = ["编号", "名称", "所属区划代码", "开始日期", "结束日期", "申报单位统一社会信用代码"]
HEADER += ["计划类别", "申报状态", "申报日期", "评审结果日期"]


@pytest.fixture
def engine(demo_db):
    eng = make_engine(demo_db)
    yield eng
    eng.dispose()


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def _cast(engine):
    """Two enterprises on the 2025 priority list and two not, with their townships."""
    on = [r.uscc for r in lists.priority(engine, year=2025, principal=SYSTEM)][:2]
    with engine.connect() as c:
        where = dict(c.execute(text("SELECT uscc, township_code FROM enterprise")).all())
        full = {
            r[0]
            for r in c.execute(
                text(
                    "SELECT e.uscc FROM enterprise e JOIN rd_report r ON r.enterprise_id = e.id"
                    " WHERE r.period = '2025-01..12'"
                )
            )
        }
    off = sorted(u for u in full if u not in set(lists.priority_usccs(engine, 2025) or ()))[:2]
    assert len(on) == 2 and len(off) == 2
    return on, off, where


def test_applications_count_and_mark_priority(engine, tmp_path):
    on, off, where = _cast(engine)
    town = where[on[0]]
    rows = [  # all applied in 2026, in one township
        [
            "P1",
            "项目一",
            town,
            "2026-05-01",
            "",
            on[0],
            "重点研发计划",
            "立项",
            "2026-02-01",
            "2026-05-01",
        ],
        [
            "P2",
            "项目二",
            town,
            "2026-03-01",
            "",
            on[1],
            "重点研发计划",
            "未立项",
            "2026-03-01",
            "2026-05-20",
        ],
        [
            "P3",
            "项目三",
            town,
            "2026-06-01",
            "",
            on[0],
            "揭榜挂帅",
            "立项",
            "2026-03-10",
            "2026-06-01",
        ],
        [
            "P4",
            "项目四",
            town,
            "2026-04-01",
            "",
            off[0],
            "重点研发计划",
            "立项",
            "2026-01-15",
            "2026-04-01",
        ],
        [
            "P5",
            "项目五",
            town,
            "2026-02-01",
            "",
            off[1],
            "重点研发计划",
            "未立项",
            "2026-02-01",
            "2026-04-02",
        ],
        [
            "P6",
            "项目六",
            town,
            "2026-03-05",
            "",
            off[0],
            "重点研发计划",
            "未立项",
            "2026-03-05",
            "2026-05-02",
        ],
        ["P7", "项目七", town, "2026-09-01", "", off[1], "重点研发计划", "申报", "2026-09-01", ""],
        [
            "P8",
            "项目八",
            town,
            "2026-07-01",
            "",
            "",
            "重点研发计划",
            "未立项",
            "2026-07-01",
            "2026-08-01",
        ],
        # before applications were kept: an approved project, no stage, no applicant
        ["P9", "项目九", town, "2026-08-01", "", "", "", "", "", ""],
    ]
    rep = registers.import_register(
        engine, "key_rd_project", _write(tmp_path / "p.csv", rows), actor="t"
    )
    assert rep.ok, rep.errors
    entry = next(e for e in registers.list_register(engine, "key_rd_project") if e.code == "P1")
    assert entry.fields["applied_on"] == "2026-02-01" and entry.fields["stage"] == "立项"

    # the plan's count: approved projects starting in 2026 (P1, P3, P4 and the old-style P9)
    _, count = metric_sources()["key_rd_projects"]
    assert registers.counts(engine, "key_rd_project", count, year=2026)[town] == 4
    # the register page's count: in force at the year's end, applications not approved out
    assert registers.counts(engine, "key_rd_project", year=2026)[town] == 4

    summary = applications.application_summary(engine, year=2026, principal=SYSTEM)
    by = {(r.funding_line, r.district): r for r in summary}
    district = load_org_tree_name(engine, town[:6])
    key = by[("重点研发计划", district)]
    # priority: P1 won, P2 refused; others: P4 won, P5 P6 refused, P7 pending; P8 (no
    # applicant) unknown — never counted as not priority; P9 has no funding line
    assert (key.priority_applied, key.priority_won, key.priority_rate) == (2, 1, 0.5)
    assert (key.other_applied, key.other_won) == (4, 1)
    assert key.other_rate == pytest.approx(1 / 3)
    assert (key.pending, key.unknown) == (1, 1)
    assert by[(applications.UNNAMED, district)].unknown == 1
    jb = by[("揭榜挂帅", district)]
    assert (jb.priority_applied, jb.priority_won, jb.other_applied, jb.other_rate) == (
        1,
        1,
        0,
        None,
    )
    total = by[(applications.ALL_LINES, district)]
    assert (total.priority_applied, total.priority_won, total.other_applied) == (3, 2, 4)
    assert (total.pending, total.unknown) == (1, 2)
    assert applications.application_summary(engine, year=2025, principal=SYSTEM) == []

    # the register marks each applicant by the list of the year before it applied
    scope = resolve(SYSTEM, load_tree(engine))
    marks = {
        e.code: e.priority for e in register_views.register(engine, scope, "key_rd_project").entries
    }
    assert marks == {"P1": True, "P2": True, "P3": True, "P4": False, "P5": False} | {
        "P6": False,
        "P7": False,
        "P8": None,
        "P9": None,
    }

    # the workbook (export/sheets.py) says what the year means
    book = write_book(summary, tmp_path / "applications.xlsx", title="applications 2026")
    from openpyxl import load_workbook

    wb = load_workbook(book)
    readme = [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    assert ("数据截至", "2026年申报的项目(优先支持按2025年全年报表判定)") in readme
    head = [c.value for c in wb.worksheets[1][1]]
    assert head[:4] == ["计划类别", "区(县、市)", "年份", "优先支持企业申报(项)"]


def load_tree(engine):
    from yanzhi.storage.db import transaction

    with transaction(engine) as session:
        return load_org_tree(session)


def load_org_tree_name(engine, code: str) -> str:
    return load_tree(engine).get(code).name


def test_a_year_without_the_previous_full_year_is_unknown(engine, tmp_path):
    """An application of 2019 needs the 2018 list: the panel has no 2018 report, so its
    applicant's standing is unknown, not "not priority"."""
    on, _, where = _cast(engine)
    rows = [
        [
            "Q1",
            "旧项目",
            where[on[0]],
            "2019-05-01",
            "",
            on[0],
            "其他",
            "立项",
            "2019-02-01",
            "2019-05-01",
        ]
    ]
    assert registers.import_register(
        engine, "key_rd_project", _write(tmp_path / "q.csv", rows), actor="t"
    ).ok
    [row] = applications.application_summary(engine, year=2019, principal=SYSTEM)
    assert (row.priority_applied, row.other_applied, row.unknown) == (0, 0, 1)


def test_a_bad_applicant_code_refuses_the_file_naming_row_and_column(engine, tmp_path):
    on, _, where = _cast(engine)
    bad = on[0][:17] + ("0" if check_character(on[0][:17]) != "0" else "1")
    rows = [
        ["R1", "好", where[on[0]], "2026-05-01", "", on[0], "重点研发计划", "立项", "", ""],
        ["R2", "坏", where[on[0]], "2026-05-01", "", bad, "重点研发计划", "立项", "", ""],
        ["R3", "坏状态", where[on[0]], "2026-05-01", "", on[0], "重点研发计划", "已批准", "", ""],
    ]
    before = len(registers.list_register(engine, "key_rd_project"))
    rep = registers.import_register(
        engine, "key_rd_project", _write(tmp_path / "r.csv", rows), actor="t"
    )
    assert not rep.ok
    errors = {(e["row"], e["column"]): e for e in (i.to_dict() for i in rep.errors)}
    uscc_error = errors[(3, "申报单位统一社会信用代码")]
    assert (
        "校验位错误" in uscc_error["message_zh"] and "check character" in uscc_error["message_en"]
    )
    assert set(errors) == {(3, "申报单位统一社会信用代码"), (4, "申报状态")}
    assert len(registers.list_register(engine, "key_rd_project")) == before  # nothing stored


def test_the_summary_is_scoped_and_not_for_enterprises(engine):
    on, _, where = _cast(engine)
    with pytest.raises(PermissionDenied):
        applications.application_summary(
            engine, year=2026, principal=Principal("e", "enterprise", enterprise=on[0])
        )
    other = "330206" if not where[on[0]].startswith("330206") else "330212"
    officer = Principal("d", "district_officer", unit=other)
    rows = applications.application_summary(engine, year=2026, principal=officer)
    assert all(r.district != load_org_tree_name(engine, where[on[0]][:6]) for r in rows)
