"""Coverage on every figure, and an unlock that never changes a figure silently (issue #15,
point 2): the demo's counts, the flag after unlocking 北仑 2024, the audit row, and the
figures that do not depend on it staying as they were."""

from __future__ import annotations

import json
import math

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from yanzhi.cli.main import app
from yanzhi.reports.bulletin import coverage_zh
from yanzhi.services.access.principal import SYSTEM
from yanzhi.services.collection.workflow import transition
from yanzhi.services.enterprises import lists
from yanzhi.services.evaluation.evaluate import evaluate
from yanzhi.services.monitoring import analysis
from yanzhi.services.monitoring.status import status, status_many
from yanzhi.storage.audit import list_audit
from yanzhi.storage.datamodels import EnterpriseRow, RdReportRow, SubmissionRow
from yanzhi.storage.db import make_engine, transaction
from yanzhi.storage.models import OrgUnitRow
from yanzhi.views.reports.bulletin import monthly

BEILUN = "330206"
ENTERPRISE = ["IND_RD_INTENSITY", "IND_RD_EXPENSE", "ENT_RD_ACTIVE_SHARE"]
REASON = "北仑区企业补报更正(测试)"


@pytest.fixture
def db(demo_db):
    """An engine on the module's demo database, disposed after the test."""
    eng = make_engine(demo_db)
    yield eng
    eng.dispose()


def _values(engine, units, year):
    found = status_many(engine, units, year=year, headline_only=False)
    return {(st.unit.code, i.indicator): i for st in found for i in st.indicators}


def _close(a, b):
    return a == b or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-12))


def _same(old, new):
    """The same figure, up to the last bits of floating point (a refresh sums one year's
    reports in another order than a full compute)."""
    keys = ("expected", "probability_meeting_target")
    return (
        (old.year, old.status) == (new.year, new.status)
        and _close(old.value, new.value)
        and all(_close(old.forecast.get(k), new.forecast.get(k)) for k in keys)
    )


def test_coverage_counts_units_and_enterprises_of_the_period(db, demo_db):
    engine = db
    with transaction(engine) as s:
        expected = s.scalar(
            select(func.count())
            .select_from(EnterpriseRow)
            .where(
                EnterpriseRow.above_size_industrial.is_(True),
                (EnterpriseRow.founded_year <= 2025) | EnterpriseRow.founded_year.is_(None),
            )
        )
        reported = s.scalar(
            select(func.count()).select_from(RdReportRow).where(RdReportRow.period == "2025-01..12")
        )
        subs = dict(
            s.execute(
                select(SubmissionRow.org_unit_code, SubmissionRow.status).where(
                    SubmissionRow.period == "2025-01..12"
                )
            ).all()
        )
        towns = dict(
            s.execute(
                select(OrgUnitRow.code, OrgUnitRow.parent_code).where(
                    OrgUnitRow.level == "township"
                )
            ).all()
        )
        busy = set(
            s.scalars(
                select(EnterpriseRow.township_code).where(
                    EnterpriseRow.above_size_industrial.is_(True)
                )
            )
        )
    # a district is approved when each township that expects reports has approved them
    late = {towns[t] for t in towns if t in busy and subs.get(t) != "approved"}
    city = next(i for i in status(engine, year=2025).indicators if i.indicator == ENTERPRISE[0])
    c = city.coverage
    assert (c.period, c.level, c.units_expected) == ("2025-01..12", "district", 10)
    assert c.units_approved == 10 - len(late)
    assert (c.enterprises_reported, c.enterprises_expected) == (reported, expected)
    assert (
        c.text_zh
        == f"2025年：已审核 {10 - len(late)}/10 个区县(市)，企业报送 {reported:,}/{expected:,} 家"
    )
    rd_gdp = next(i for i in status(engine).indicators if i.indicator == "RD_GDP")
    assert rd_gdp.coverage.basis == "statistic" and not rd_gdp.coverage.flagged
    beilun = next(
        i for i in status(engine, unit=BEILUN, year=2025).indicators if i.indicator == ENTERPRISE[0]
    )
    assert beilun.coverage.level == "township" and beilun.coverage.units_expected == 12


def test_status_json_and_the_api_model_carry_the_same_coverage(db, demo_db):
    engine = db
    got = CliRunner().invoke(app, ["status", "--database", demo_db, "--json", "--year", "2025"])
    assert got.exit_code == 0, got.output
    cli = {i["indicator"]: i["coverage"] for i in json.loads(got.output)["indicators"]}
    direct = {i.indicator: i.coverage.model_dump() for i in status(engine, year=2025).indicators}
    assert cli == direct and cli["IND_RD_INTENSITY"]["units_expected"] == 10
    assert cli["RD_GDP"]["basis"] == "statistic"


def test_unlocking_beilun_2024_flags_every_figure_it_changes(db, demo_db):
    engine = db
    units = [None, *[f"3302{c}" for c in ("03", "05", "06", "11", "12", "13")], BEILUN]
    before = {y: _values(engine, units, y) for y in (2024, 2025)}
    warnings_before = analysis.warnings(engine).to_dict()
    priority_before = [r.uscc for r in lists.priority(engine, year=2025, principal=SYSTEM)]
    evaluation_before = {y: evaluate(engine, level="district", year=y) for y in (2024, 2025)}
    assert not any(i.coverage.unlocked for v in before.values() for i in v.values())

    done = transition(
        engine, "unlock", period="2024-01..12", unit=BEILUN, actor="admin:cov", reason=REASON
    )
    # 北仑's townships with approved 2024 data (the demo leaves one without enterprises)
    assert len(done.changed) >= 10
    with transaction(engine) as s:
        audit = list_audit(s, entity="submission", actor="admin:cov")
        assert len(audit) == len(done.changed)
        assert all(
            a.reason == REASON and a.changes == {"status": ["approved", "draft"]} for a in audit
        )
        assert {a.entity_key for a in audit} == {f"rd:{t}:2024-01..12" for t in done.changed}

    after = {y: _values(engine, units, y) for y in (2024, 2025)}
    changed = 0
    for y in (2024, 2025):
        for key, old in before[y].items():
            new = after[y][key]
            if not _same(old, new):
                changed += 1
                assert new.coverage.flagged and new.coverage.unlocked, (y, key)  # not silent
    assert changed > 0
    city = after[2024][("330200", "IND_RD_INTENSITY")]
    assert not _close(city.value, before[2024][("330200", "IND_RD_INTENSITY")].value)
    was = before[2024][("330200", "IND_RD_INTENSITY")].coverage
    bl = before[2024][(BEILUN, "IND_RD_INTENSITY")].coverage
    beilun_was_approved = bl.units_approved == bl.units_expected
    n = was.units_approved - beilun_was_approved  # 北仑 no longer counts
    assert (city.coverage.units_approved, city.coverage.units_expected) == (n, 10)
    assert not city.coverage.complete
    assert city.coverage.note_zh.startswith(f"数据不完整(2024年：已审核 {n}/10 个区县(市)")
    assert (
        "2024年数据已于" in city.coverage.note_zh
        and f"解锁重审(原因：{REASON})，本数值可能变动" in city.coverage.note_zh
    )
    assert "unlocked for review" in city.coverage.note_en
    # the 2025 headline keeps its value but says its series is under review
    head = after[2025][("330200", "IND_RD_INTENSITY")]
    assert _close(head.value, before[2025][("330200", "IND_RD_INTENSITY")].value)
    assert head.coverage.flagged
    # statistics and other districts do not depend on 北仑's reports
    assert after[2025][("330200", "RD_GDP")].coverage.basis == "statistic"
    assert not after[2025][("330200", "RD_GDP")].coverage.flagged
    assert not after[2024][("330203", "IND_RD_INTENSITY")].coverage.unlocked
    assert _same(
        before[2024][("330203", "IND_RD_INTENSITY")], after[2024][("330203", "IND_RD_INTENSITY")]
    )
    # warnings and lists: unchanged, or flagged. The falling townships and stopped R&D read
    # the latest approved YTD periods; an off-track verdict reads the annual series, so one
    # that moved says the series is under review
    warnings_after = analysis.warnings(engine).to_dict()
    for key in ("falling_townships", "stopped_enterprises", "stopped"):
        assert warnings_after[key] == warnings_before[key], key

    def _strip(x):
        return {k: v for k, v in x.items() if k != "coverage"}

    was = {(x["unit"], x["indicator"]): _strip(x) for x in warnings_before["off_track"]}
    for x in warnings_after["off_track"]:
        if was.get((x["unit"], x["indicator"])) != _strip(x):
            assert x["coverage"]["flagged"] and x["coverage"]["unlocked"], x
    now = {(x["unit"], x["indicator"]) for x in warnings_after["off_track"]}
    for key in set(was) - now:  # a warning that went away: its figure is flagged instead
        if key in after[2025]:
            assert after[2025][key].coverage.flagged, key
    assert [r.uscc for r in lists.priority(engine, year=2025, principal=SYSTEM)] == priority_before

    # an evaluation that reads 2024 (its year or its change since last year) changes only
    # with a note naming the unlock; its results otherwise stay as they were
    moved = set()
    for y, was in evaluation_before.items():
        now = evaluate(engine, level="district", year=y)
        cols = ["uCode", "Score", "Rank", "ScorePrev", "RankChange"]
        if not now.results[cols].equals(was.results[cols]):
            moved.add(y)
            assert any("北仑区 2024年数据已于" in n and "本评价可能变动" in n for n in now.notes)
    assert 2024 in moved  # 北仑's 2024 cells are now imputed, and the note says why
    assert any("解锁重审" in n for n in evaluate(engine, level="district", year=2025).notes)

    # the bulletin's summary and tables say so too
    bulletin = monthly(engine, period="2026-10")
    line = next(
        x for x in bulletin.summary if x.startswith("规上工业企业研发费用支出占营业收入比重")
    )
    assert line.endswith(f"(注: {head.coverage.note_zh}。)") and "解锁重审" in line
    row = next(i for i in bulletin.headline if i["indicator"] == "IND_RD_INTENSITY")
    assert coverage_zh(row) == f"⚠ {head.coverage.note_zh}"

    for action in ("submit", "approve"):
        transition(engine, action, period="2024-01..12", unit=BEILUN, actor="admin:cov")
    again = _values(engine, units, 2024)
    assert not any(i.coverage.unlocked for i in again.values())
    # as before — except that submitting and approving the whole district also approves a
    # township that sent no report (it has a submission now), so more units may count
    keep = ("period", "basis", "enterprises_reported", "enterprises_expected", "unlocked")

    def _part(c):
        return None if c is None else {k: getattr(c, k) for k in keep}

    assert {k: _part(i.coverage) for k, i in again.items()} == {
        k: _part(i.coverage) for k, i in before[2024].items()
    }
    assert all(
        (i.coverage.units_approved or 0) >= (before[2024][k].coverage.units_approved or 0)
        for k, i in again.items()
        if i.coverage is not None and before[2024][k].coverage is not None
    )
    assert _same(
        again[("330200", "IND_RD_INTENSITY")], before[2024][("330200", "IND_RD_INTENSITY")]
    )
