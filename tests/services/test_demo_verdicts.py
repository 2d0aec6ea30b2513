"""The verdict on the demo (SYNTHETIC panel, every test database): no headline says on track
while the forecast says the target is unlikely without saying so, and the forecast's 80 %
interval covers 75–85 % of the demo's own history (rolling origin)."""

from __future__ import annotations

import pytest

from yanzhi.core.forecast import backtest
from yanzhi.services.monitoring.status import status_many
from yanzhi.storage.db import make_engine, transaction
from yanzhi.storage.orgunits import load_org_tree


@pytest.fixture(scope="module")
def statuses(demo_db):
    eng = make_engine(demo_db)
    with transaction(eng) as session:
        tree = load_org_tree(session)
    codes = [u.code for u in tree if str(u.level) != "province"]
    found = status_many(eng, codes, allow_empty=True)
    eng.dispose()
    return found


def _city_and_districts(statuses):
    return [s for s in statuses if s.unit.level in ("city", "district")]


def test_no_on_track_verdict_hides_an_unlikely_forecast(statuses):
    rows = [i for s in _city_and_districts(statuses) for i in s.indicators]
    assert len(rows) == 55  # 11 units × 5 headline indicators
    disagreements = 0
    for i in rows:
        p = i.forecast["probability_meeting_target"]
        if p is None or p >= 0.5:
            continue
        assert i.verdict != "on_track", i
        if i.verdict == "achieved" or i.status == "substantial_progress":
            # the headline reads well on one reading: the sentence must give the trend's P
            reason = i.verdict_reason_zh
            assert "但" in reason and "按近年趋势" in reason, reason
            assert reason.index("但") < reason.index("按近年趋势"), reason
            assert f"{100 * p:.1f}%" in i.verdict_reason_zh or p < 0.001
            disagreements += i.status == "substantial_progress"
    flagged = [i for i in rows if i.verdict_disagreement]
    assert all("但" in i.verdict_reason_zh and " but " in i.verdict_reason_en for i in flagged)
    assert disagreements <= len(flagged)


def test_verdict_labels_and_secondary_status_are_consistent(statuses):
    for s in _city_and_districts(statuses):
        for i in s.indicators:
            assert i.verdict_zh and i.verdict_en and i.verdict_reason_zh.endswith("。")
            if i.target is None:
                assert i.verdict == "monitoring_only" and i.verdict_zh == "仅监测(无目标)"
            if i.status == "target_achieved":
                assert i.verdict == "achieved"


def test_interim_target_is_judged_for_the_assessed_year(statuses):
    city = next(s for s in statuses if s.unit.level == "city")
    ht = next(i for i in city.indicators if i.indicator == "HT_SHARE")
    assert ht.year == 2025 and ht.interim_target is not None
    it = ht.interim_target
    assert (it.year, it.target) == (2025, 64.7)
    assert it.met == (it.value >= 64.7) and it.gap == pytest.approx(it.value - 64.7)
    assert ("达到规划年度目标" if it.met else "未达规划年度目标") in ht.verdict_reason_zh


def test_forecast_interval_covers_75_to_85_percent_of_the_demo_history(statuses):
    series = [
        {int(y): v for y, v in i.series.items()}
        for s in statuses
        for i in s.indicators
        if len(i.series) >= 4
    ]
    assert len(series) >= 55
    total = backtest(series)[-1]
    assert total.cases > 500
    assert total.rate is not None and 0.75 <= total.rate <= 0.85, total
