import pytest
from hypothesis import given
from hypothesis import strategies as st

from yanzhi.core.errors import InvalidInput
from yanzhi.core.periods import (
    NINGBO_ENTERPRISE_RD,
    Period,
    PeriodError,
    PeriodKind,
    ReportingCalendar,
    month_range,
    parse_period,
    parse_ytd,
)


@pytest.mark.parametrize(
    ("text", "kind", "year", "first", "last", "canonical"),
    [
        ("2024", PeriodKind.YEAR, 2024, 1, 12, "2024"),
        ("2024Q3", PeriodKind.QUARTER, 2024, 7, 9, "2024Q3"),
        ("2024q1", PeriodKind.QUARTER, 2024, 1, 3, "2024Q1"),
        ("2024-05", PeriodKind.MONTH, 2024, 5, 5, "2024-05"),
        ("2024-5", PeriodKind.MONTH, 2024, 5, 5, "2024-05"),
        ("2024-01..05", PeriodKind.YTD, 2024, 1, 5, "2024-01..05"),
        ("2024-01..12", PeriodKind.YTD, 2024, 1, 12, "2024-01..12"),
        ("2024年", PeriodKind.YEAR, 2024, 1, 12, "2024"),
        ("2024年第3季度", PeriodKind.QUARTER, 2024, 7, 9, "2024Q3"),
        ("2024年第三季度", PeriodKind.QUARTER, 2024, 7, 9, "2024Q3"),
        ("2024年5月", PeriodKind.MONTH, 2024, 5, 5, "2024-05"),
        ("2024年1-5月", PeriodKind.YTD, 2024, 1, 5, "2024-01..05"),
        ("2024年1—11月累计", PeriodKind.YTD, 2024, 1, 11, "2024-01..11"),
    ],
)
def test_parse_and_format(text, kind, year, first, last, canonical):
    p = parse_period(text)
    assert (p.kind, p.year, p.first_month, p.last_month) == (kind, year, first, last)
    assert str(p) == canonical
    assert parse_period(str(p)) == p


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "24",
        "2024-13",
        "2024-00",
        "2024Q5",
        "2024-02..05",
        "2024-01..13",
        "May 2024",
        "2024年13月",
        "2024年2-5月",
        "1899",
        "abcd",
    ],
)
def test_invalid_strings_raise_named_error_saying_what_was_expected(bad):
    with pytest.raises(PeriodError) as exc:
        parse_period(bad)
    assert "expected" in str(exc.value) or "not" in str(exc.value)


def test_error_message_lists_every_accepted_form():
    with pytest.raises(PeriodError, match=r"2024Q3.*2024-05.*2024-01\.\.05"):
        parse_period("next year")


def test_conversions():
    may = parse_period("2024-05")
    assert may.quarter_period() == parse_period("2024Q2")
    assert may.year_period() == parse_period("2024")
    assert may.ytd() == parse_period("2024-01..05")
    assert parse_period("2024Q3").ytd() == parse_period("2024-01..09")
    assert may.same_period_last_year() == parse_period("2023-05")
    assert parse_period("2024-01").previous() == parse_period("2023-12")
    assert parse_period("2024Q1").previous() == parse_period("2023Q4")
    assert parse_period("2024-01..05").previous() == parse_period("2023-01..05")
    assert [str(m) for m in parse_period("2024Q2").months()] == ["2024-04", "2024-05", "2024-06"]


def test_quarter_of_a_year_is_an_error():
    with pytest.raises(PeriodError):
        parse_period("2024").quarter_period()


def test_contains():
    year, q2, may, ytd5 = (parse_period(s) for s in ("2024", "2024Q2", "2024-05", "2024-01..05"))
    assert year.contains(q2) and year.contains(may) and year.contains(ytd5)
    assert q2.contains(may) and not q2.contains(ytd5)
    assert ytd5.contains(may) and ytd5.contains(parse_period("2024Q1"))
    assert not ytd5.contains(parse_period("2024-06"))
    assert not year.contains(parse_period("2025-01"))


def test_ytd_december_is_not_the_year():
    assert parse_period("2024-01..12") != parse_period("2024")
    assert parse_period("2024-01..12").months() == parse_period("2024").months()


def test_order():
    texts = [
        "2024",
        "2024-01..05",
        "2023",
        "2024-05",
        "2024Q2",
        "2024-06",
        "2024-01..06",
        "2023-12",
    ]
    ordered = [str(p) for p in sorted(parse_period(t) for t in texts)]
    assert ordered == [
        "2023-12",
        "2023",
        "2024-05",
        "2024-01..05",
        "2024-06",
        "2024-01..06",
        "2024Q2",
        "2024",
    ]


def test_month_range_crosses_years():
    months = [str(m) for m in month_range(parse_period("2023-11"), parse_period("2024Q1"))]
    assert months == ["2023-11", "2023-12", "2024-01", "2024-02", "2024-03"]


def test_irregular_reporting_calendar():
    cal = NINGBO_ENTERPRISE_RD
    assert [str(p) for p in cal.periods(2024)] == ["2024-01..05", "2024-01..08", "2024-01..11"]
    assert cal.is_reporting_period(parse_period("2024-01..08"))
    assert not cal.is_reporting_period(parse_period("2024-01..06"))
    assert not cal.is_reporting_period(parse_period("2024-08"))
    assert cal.latest_on_or_before(parse_period("2024-10")) == parse_period("2024-01..08")
    assert cal.latest_on_or_before(parse_period("2024-03")) is None
    assert len(cal.periods_between(2019, 2024)) == 18


def test_calendar_overrides_by_year_and_rejects_bad_months():
    cal = ReportingCalendar("x", (5, 8, 11), overrides={2019: (6, 12)})
    assert [p.last_month for p in cal.periods(2019)] == [6, 12]
    assert [p.last_month for p in cal.periods(2020)] == [5, 8, 11]
    with pytest.raises(PeriodError):
        ReportingCalendar("bad", (8, 5))
    with pytest.raises(PeriodError):
        ReportingCalendar("bad", (0, 5))


periods = st.one_of(
    st.integers(2000, 2100).map(Period.of_year),
    st.tuples(st.integers(2000, 2100), st.integers(1, 4)).map(lambda t: Period.of_quarter(*t)),
    st.tuples(st.integers(2000, 2100), st.integers(1, 12)).map(lambda t: Period.of_month(*t)),
    st.tuples(st.integers(2000, 2100), st.integers(1, 12)).map(lambda t: Period.of_ytd(*t)),
)


@given(periods)
def test_round_trip_and_self_containment(p):
    assert parse_period(str(p)) == p
    if p.kind is PeriodKind.YTD and p.last_month == 1:  # 1–1月 reads as the month, 2019年1月
        assert p.label_zh() == f"{p.year}年1月" and parse_ytd(p.label_zh()) == p
    else:
        assert parse_period(p.label_zh()) == p
    assert p.contains(p)
    assert p.year_period().contains(p)
    assert p.ytd().contains(p.months()[-1])


@given(periods, periods)
def test_order_is_total_and_consistent(a, b):
    assert (a < b) + (b < a) + (a == b) == 1
    if a.contains(b) and a != b:
        assert b < a or b.last_month < a.last_month or a.kind is not b.kind


# -- parse_ytd: the one reader of a year-to-date reporting period ------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01..05", "2024-01..05"),
        ("2024年1-5月", "2024-01..05"),
        ("2024年1至5月累计", "2024-01..05"),
        ("2024-05", "2024-01..05"),  # a month means 1–N月
        ("2024年11月", "2024-01..11"),
    ],
)
def test_parse_ytd(text: str, expected: str) -> None:
    assert str(parse_ytd(text)) == expected


def test_parse_ytd_options() -> None:
    assert str(parse_ytd("2024", years=True)) == "2024-01..12"
    p = parse_ytd("2024-01..05")
    assert parse_ytd(p) is p
    with pytest.raises(PeriodError, match="年初至今累计"):
        parse_ytd("2024-05", months=False)
    with pytest.raises(PeriodError):
        parse_ytd("2024")


def test_parse_ytd_errors_are_invalid_input_in_both_languages() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_ytd("2024Q3")
    assert "year-to-date" in caught.value.en and "a month" in caught.value.en
    assert "年初至今累计" in caught.value.zh and "月份" in caught.value.zh
    with pytest.raises(InvalidInput) as bad:
        parse_ytd("nonsense")
    assert "invalid period" in bad.value.en and "无效的报告期" in bad.value.zh
