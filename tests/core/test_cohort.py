"""双倍增 as a cohort on a hand-built register: the base year's stock, the doubling path,
entries, departures split into lapsed (certificate three years old) and revoked, renewals,
a district's own cohort, and a year end still to come (no count, not the current one)."""

import datetime as dt

import pandas as pd
import pytest

from yanzhi.core.cohort import unit_cohort, year_end_state

NaN = float("nan")
VERSIONS = pd.DataFrame(
    [  # enterprise, valid from, 高企, certificate year, 科技型中小企业
        (1, "2020-01-01", True, 2020, False),  # lapses in 2023 (2020 + 3)
        (1, "2023-01-01", False, NaN, False),
        (2, "2021-06-01", True, 2021, False),  # revoked in 2023 (valid until 2023)
        (2, "2023-05-01", False, NaN, False),
        (3, "2020-03-01", True, 2020, False),  # renewed in 2023
        (3, "2023-02-01", True, 2023, False),
        (4, "2023-07-01", True, 2023, True),  # new in 2023, in the other district
        (5, "2022-01-01", False, NaN, True),  # a 科技型中小企业 that leaves in 2024
        (5, "2024-03-01", False, NaN, False),
    ],
    columns=["enterprise_id", "valid_from", "hightech", "hightech_cert_year", "tech_sme"],
)
VERSIONS["valid_from"] = pd.to_datetime(VERSIONS["valid_from"])
PLACE = {1: "A", 2: "A", 3: "A", 4: "B", 5: "A"}
DAY = dt.date(2024, 6, 30)
YEARS = range(2022, 2028)


def _cohort(flag: str, only: str | None = None):  # type: ignore[no-untyped-def]
    states = {y: year_end_state(VERSIONS, pd.Timestamp(y, 12, 31)) for y in range(2022, 2025)}
    now = year_end_state(VERSIONS, None)
    return unit_cohort("C", "测试市", flag, states, now, PLACE, only, YEARS, DAY)


def test_entries_departures_and_why() -> None:
    c = _cohort("hightech")
    assert (c.base, c.target, c.now) == (3, 6, 2)
    y2023 = c.years[1]
    assert (y2023.stock, y2023.entered, y2023.left) == (2, 1, 2)
    assert (y2023.lapsed, y2023.revoked, y2023.renewed, y2023.net) == (1, 1, 1, -1)
    assert y2023.path == pytest.approx(round(3 * 2 ** (1 / 5), 1))
    y2024 = c.years[2]  # has not ended on DAY: no count, not the current stock
    assert (y2024.year, y2024.stock, y2024.entered, c.latest_year) == (2024, None, None, 2023)
    assert (c.entered, c.left, c.lapsed, c.revoked, c.net) == (1, 2, 1, 1, -1)
    assert c.on_path is False  # 2 below the path's 3.4


def test_a_district_counts_its_own_enterprises() -> None:
    a, b = _cohort("hightech", "A"), _cohort("hightech", "B")
    assert (a.base, a.now, b.base, b.now) == (3, 1, 0, 1)
    assert a.years[1].entered == 0 and b.years[1].entered == 1


def test_tech_smes_leave_without_a_reason_on_record() -> None:
    c = _cohort("tech_sme")
    assert (c.base, c.now) == (1, 1)  # enterprise 4 arrives, 5 leaves in 2024
    assert c.years[1].lapsed is None and c.lapsed is None and c.revoked is None
