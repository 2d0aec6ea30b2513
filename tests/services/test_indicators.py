"""Indicator values, status, attribution, warnings and the refresh after an approval, on
a small demo panel in every test database (SQLite and PostgreSQL)."""

import pandas as pd
import pytest
from sqlalchemy import text

from yanzhi.services.collection import workflow as reporting
from yanzhi.services.monitoring import analysis
from yanzhi.services.monitoring import compute as indicators
from yanzhi.services.monitoring.status import status
from yanzhi.storage.db import make_engine


@pytest.fixture
def engine(demo_db):
    eng = make_engine(demo_db)
    yield eng
    eng.dispose()


def values(engine, sql, **params) -> pd.DataFrame:
    with engine.connect() as c:
        return pd.DataFrame(c.execute(text(sql), params).mappings().all())


def test_ratio_at_every_level_is_sum_over_sum_of_approved_reports(engine):
    direct = values(
        engine,
        """
        SELECT sum(r.rd_expense) AS num, sum(r.operating_revenue) AS den
        FROM rd_report r JOIN enterprise e ON e.id = r.enterprise_id
        JOIN submission s ON s.org_unit_code = r.township_code AND s.period = r.period
        WHERE r.period = '2024-01..12' AND s.status = 'approved'""",
    ).iloc[0]
    city = values(
        engine,
        """SELECT value, numerator, denominator FROM indicator_value
        WHERE indicator = 'IND_RD_INTENSITY' AND unit_code = '330200' AND period = '2024'
        AND industry_division = ''""",
    ).iloc[0]
    assert city["numerator"] == pytest.approx(direct["num"])
    assert city["value"] == pytest.approx(100 * direct["num"] / direct["den"])
    districts = values(
        engine,
        """SELECT numerator, denominator FROM indicator_value
        WHERE indicator = 'IND_RD_INTENSITY' AND level = 'district' AND period = '2024'""",
    )
    assert districts["numerator"].sum() == pytest.approx(direct["num"])
    assert len(districts) == 10


def test_demo_calibration_survives_the_roll_up(engine):
    # IND_RD_EXPENSE is in 亿元: the published 503.0 (2021) and 599.3 (2022)
    got = values(
        engine,
        """SELECT period, value FROM indicator_value WHERE
        indicator = 'IND_RD_EXPENSE' AND unit_code = '330200' AND industry_division = ''
        AND period IN ('2021', '2022')""",
    ).set_index("period")["value"]
    assert got["2021"] == pytest.approx(503.0, rel=1e-3)
    assert got["2022"] == pytest.approx(599.3, rel=1e-3)


def test_status_of_every_headline_indicator_at_every_level(engine):
    for unit in ("330200", "330206", "330206001"):
        data = status(engine, unit=unit)
        assert [i.indicator for i in data.indicators] == [
            "RD_GDP",
            "IND_RD_INTENSITY",
            "HT_SHARE",
            "HVIP_PER_10K",
            "RD_STAFF_PER_10K",
        ]
        intensity = data.indicators[1]
        assert intensity.status != "not_available"
        f = intensity.forecast
        assert f["lower80"] <= f["expected"] <= f["upper80"]
        if unit == "330206001":  # a township has no target: monitored only
            assert intensity.target is None and f["probability_meeting_target"] is None
            assert intensity.verdict == "monitoring_only"
            assert "乡镇（街道）不设目标" in intensity.verdict_reason_zh
        else:
            assert intensity.target == 3.4
            assert 0 <= f["probability_meeting_target"] <= 1
        assert intensity.synthetic is True
    with pytest.raises(LookupError, match="unknown org unit"):
        status(engine, unit="999999")


def test_attribution_parts_add_up_and_match_the_indicator(engine):
    result = analysis.attribution(
        engine, indicator="IND_RD_INTENSITY", start="2022", end="2024", by="district"
    )
    assert result.within + result.structure == pytest.approx(result.change, abs=1e-12)
    assert sum(g["total"] for g in result.groups) == pytest.approx(result.change, abs=1e-12)
    city = values(
        engine,
        """SELECT period, value FROM indicator_value WHERE
        indicator = 'IND_RD_INTENSITY' AND unit_code = '330200' AND industry_division = ''
        AND period IN ('2022', '2024')""",
    ).set_index("period")["value"]
    assert result.intensity1 - result.intensity0 == pytest.approx(
        city["2024"] - city["2022"], abs=1e-9
    )
    assert result.top_contributors["positive"]
    by_industry = analysis.attribution(
        engine, indicator="IND_RD_INTENSITY", start="2023-01..08", end="2024-01..08", by="industry"
    )
    assert sum(g["total"] for g in by_industry.groups) == pytest.approx(
        by_industry.change, abs=1e-12
    )
    # industry groups carry the division's name (GB/T 4754-2017 大类), not only its code
    names = {g["industry_division"]: g["name"] for g in by_industry.groups}
    assert names.get("38", "电气机械和器材制造业") == "电气机械和器材制造业"
    assert all(names.values()), names
    with pytest.raises(ValueError, match="ratio"):
        analysis.attribution(engine, indicator="IND_RD_EXPENSE", start="2022", end="2024")


def test_attribution_of_a_statistic_indicator_by_district(engine):
    result = analysis.attribution(engine, indicator="RD_GDP", start="2022", end="2024")
    assert len(result.groups) == 10 and result.top_contributors is None
    assert sum(g["total"] for g in result.groups) == pytest.approx(result.change, abs=1e-12)
    city = values(
        engine,
        """SELECT period, value FROM indicator_value WHERE indicator = 'RD_GDP'
        AND unit_code = '330200' AND period IN ('2022', '2024')""",
    ).set_index("period")["value"]
    # the districts add up to the city in the demo statistics, so the ratios agree
    assert result.intensity1 - result.intensity0 == pytest.approx(
        city["2024"] - city["2022"], rel=1e-9
    )
    with pytest.raises(ValueError, match="district or township"):
        analysis.attribution(engine, indicator="RD_GDP", start="2022", end="2024", by="industry")


def test_warnings_have_the_numbers_behind_them(engine):
    data = analysis.warnings(engine)
    assert set(data.to_dict()) == {
        "off_track",
        "falling_townships",
        "stopped_enterprises",
        "stopped",
        "synthetic",
    }
    assert data.synthetic is True  # the demo's reports are generated
    for w in data.falling_townships:
        assert w.value < w.previous_year_value
    for s in data.stopped_enterprises:
        assert s.previous_year_rd_expense > 0 and s.rd_expense in (None, 0.0)
    # the list is by verdict (难以达标 or 存在风险), each with its reason; the same verdict
    # as the unit's status
    assert data.off_track
    city = {i.indicator: i for i in status(engine).indicators}
    for o in data.off_track:
        assert o.verdict in ("off_track", "at_risk") and o.verdict_reason_zh.endswith("。")
        if o.unit == "330200":
            assert (o.verdict, o.verdict_reason_zh) == (
                city[o.indicator].verdict,
                city[o.indicator].verdict_reason_zh,
            )
    shown = {(o.unit, o.indicator) for o in data.off_track}
    attention = {c for c, i in city.items() if i.verdict in ("off_track", "at_risk")}
    assert {("330200", c) for c in attention} <= shown


def test_approving_a_township_month_updates_every_number_that_depends_on_it(engine):
    pending = values(
        engine,
        """SELECT org_unit_code, period FROM submission
        WHERE status = 'draft' ORDER BY org_unit_code""",
    )
    assert not pending.empty  # the demo leaves its latest period unapproved
    town, period = pending.iloc[0]["org_unit_code"], pending.iloc[0]["period"]
    district = town[:6]

    def level_values() -> dict:
        rows = values(
            engine,
            """SELECT unit_code, value FROM indicator_value WHERE
            indicator = 'IND_RD_EXPENSE' AND unit_code IN (:t, :d, '330200')
            AND industry_division = '' AND period = :p""",
            t=town,
            d=district,
            p=period,
        )
        return {} if rows.empty else dict(zip(rows["unit_code"], rows["value"], strict=True))

    before = level_values()
    reporting.transition(engine, "submit", period=period, unit=town, actor="officer")
    reporting.transition(engine, "approve", period=period, unit=town, actor="city")
    after = level_values()
    added = (
        values(
            engine,
            """SELECT sum(rd_expense) AS s FROM rd_report
        WHERE township_code = :t AND period = :p""",
            t=town,
            p=period,
        ).iloc[0]["s"]
        / 1e4
    )
    assert after[town] == pytest.approx(added)
    assert after["330200"] - before.get("330200", 0) == pytest.approx(added)
    assert after[district] - before.get(district, 0) == pytest.approx(added)
    # the full recomputation gives the same numbers — every indicator, unit, industry
    # and period, not only the one checked above
    every = """SELECT indicator, level, unit_code, industry_division, period, value,
        n_enterprises FROM indicator_value WHERE source = 'enterprise'
        ORDER BY indicator, level, unit_code, industry_division, period"""
    refreshed = values(engine, every)
    indicators.compute(engine)
    assert level_values() == pytest.approx(after)
    full = values(engine, every)
    assert len(full) == len(refreshed) > 1000
    key = ["indicator", "level", "unit_code", "industry_division", "period"]
    assert full[key].equals(refreshed[key])
    assert full["n_enterprises"].equals(refreshed["n_enterprises"])
    assert full["value"].to_numpy() == pytest.approx(refreshed["value"].to_numpy(), nan_ok=True)


def test_a_manual_override_shows_with_its_reason_and_is_audited(engine):
    from yanzhi.services.monitoring.status import override_status

    with pytest.raises(ValueError, match="reason"):
        override_status(
            engine,
            indicator="RD_GDP",
            unit="330206",
            status="limited_progress",
            reason=" ",
            actor="analyst",
        )
    override_status(
        engine,
        indicator="RD_GDP",
        unit="330206",
        status="limited_progress",
        reason="统计口径调整, 待核实",
        actor="analyst",
    )
    rd_gdp = status(engine, unit="330206").indicators[0]
    assert rd_gdp.status == "limited_progress"
    assert rd_gdp.assessment["override"]["reason"] == "统计口径调整, 待核实"
    assert rd_gdp.assessment["computed_status"] != ""
    override_status(
        engine, indicator="RD_GDP", unit="330206", status=None, reason=None, actor="analyst"
    )
    audit = values(engine, "SELECT action, actor FROM audit_log WHERE entity = 'status_override'")
    assert list(audit["action"]) == ["update", "delete"] and set(audit["actor"]) == {"analyst"}


def test_stopped_rd_gives_true_totals_split_by_why_from_approved_data(demo_db):
    """No display cap: the totals equal the list, split into reported zero and not
    reported, counted by district and township, with names (issue #15, point 4)."""
    engine = make_engine(demo_db)
    w = analysis.warnings(engine)
    s = w.stopped
    assert s is not None and s.period is not None
    rows = w.stopped_enterprises
    assert s.total == len(rows) == s.reported_zero + s.not_reported
    assert s.reported_zero == sum(r.rd_expense == 0 for r in rows)
    assert all(r.name and r.reason_zh in ("研发费用为零", "未报送") for r in rows)
    assert all(r.period == s.period for r in rows)
    districts = [c for c in s.by_unit if c.level == "district"]
    townships = [c for c in s.by_unit if c.level == "township"]
    assert sum(c.total for c in districts) == s.total == sum(c.total for c in townships)
    with engine.connect() as c:
        status = dict(
            c.execute(
                text("SELECT org_unit_code, status FROM submission WHERE period = :p"),
                {"p": s.period},
            ).all()
        )
    assert all(status.get(r.township) == "approved" for r in rows)
    engine.dispose()


def test_an_indicator_without_a_target_is_monitoring_only(engine):
    """Not "on track" when the plan set no target (issue #15, point 1)."""
    st = status(engine, headline_only=False)
    untargeted = [i for i in st.indicators if i.target is None]
    assert untargeted
    assert {i.status_zh for i in untargeted} == {"仅监测(无目标)"}
    assert all(i.status_en == "Monitoring only (no target)" for i in untargeted)
    assert all(i.status_zh != "仅监测(无目标)" for i in st.indicators if i.target is not None)


def test_attribution_reads_approved_reports_like_the_indicator(engine):
    """Unlocking a township's year takes its reports out of the attribution exactly as out
    of the stored indicator (issue #15: approved data only downstream)."""

    def city_2024() -> float:
        return float(
            values(
                engine,
                """SELECT value FROM indicator_value WHERE indicator = 'IND_RD_INTENSITY'
                AND unit_code = '330200' AND industry_division = '' AND period = '2024'""",
            )["value"].iloc[0]
        )

    town = "330206001"
    before = analysis.attribution(engine, indicator="IND_RD_INTENSITY", start="2022", end="2024")
    reporting.transition(
        engine, "unlock", period="2024-01..12", unit=town, actor="t", reason="核对"
    )
    try:
        after = analysis.attribution(engine, indicator="IND_RD_INTENSITY", start="2022", end="2024")
        assert after.intensity1 != pytest.approx(before.intensity1, abs=1e-12)
        assert after.intensity1 == pytest.approx(city_2024(), abs=1e-9)
    finally:
        reporting.transition(engine, "submit", period="2024-01..12", unit=town, actor="t")
        reporting.transition(engine, "approve", period="2024-01..12", unit=town, actor="t")
    assert city_2024() == pytest.approx(before.intensity1, abs=1e-9)
