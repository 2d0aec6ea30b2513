"""The synthetic Ningbo demo panel (yanzhi.core.demo): determinism, validity of codes,
labels, calibration to the published figures and the realism checks."""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from yanzhi.core import demo
from yanzhi.core.dataformats import ENTERPRISES, RD_REPORTS, SIZE_CLASSES, STATISTICS
from yanzhi.core.orgtree import Level, OrgTree
from yanzhi.core.periods import PeriodKind, parse_period
from yanzhi.core.uscc import is_valid
from yanzhi.ingest.divisions import builtin_divisions_path, read_divisions
from yanzhi.ingest.industry import is_manufacturing, load_industry_classes

LAST = (2026, 10)
SMALL = 600
PUBLISHED_RD = {  # 亿元, ningbo_facts.md [j][n][o]
    "2021-01..12": 503.0,
    "2022-01..12": 599.3,
    "2024-01..06": 316.2,
    "2024-01..11": 611.4,
}


@pytest.fixture(scope="module")
def tree() -> OrgTree:
    return read_divisions(builtin_divisions_path())


@pytest.fixture(scope="module")
def townships(tree: OrgTree) -> list[tuple[str, str, str]]:
    return [(u.code, u.name, u.parent_code or "") for u in tree.by_level(Level.TOWNSHIP)]


@pytest.fixture(scope="module")
def industries() -> dict[str, str]:
    return {code: c.name for code, c in load_industry_classes().items()}


@pytest.fixture(scope="module")
def small(townships: list[tuple[str, str, str]], industries: dict[str, str]) -> demo.DemoData:
    return demo.generate(
        n_enterprises=SMALL, townships=townships, industries=industries, last_month=LAST
    )


def _matched_growth(rd: pd.DataFrame, period: str, previous: str) -> float:
    """YTD R&D growth (%) of the enterprises reporting in both periods."""
    now = rd[rd.period == period].set_index("uscc")["rd_expense"]
    before = rd[rd.period == previous].set_index("uscc")["rd_expense"]
    both = now.index.intersection(before.index)
    return (now[both].sum() / before[both].sum() - 1) * 100


def _year_month(rd: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    return rd["period"].str[:4].astype(int), rd["period"].str[-2:].astype(int)


def test_columns_are_the_import_field_codes(small: demo.DemoData) -> None:
    assert list(small.enterprises.columns) == [f.code for f in ENTERPRISES.fields]
    assert list(small.enterprise_history.columns) == [f.code for f in ENTERPRISES.fields]
    assert list(small.rd.columns) == [f.code for f in RD_REPORTS.fields]
    assert list(small.stats.columns) == [f.code for f in STATISTICS.fields]


def test_same_seed_gives_identical_frames(
    small: demo.DemoData, townships: list[tuple[str, str, str]], industries: dict[str, str]
) -> None:
    again = demo.generate(
        n_enterprises=SMALL, townships=townships, industries=industries, last_month=LAST
    )
    for name in ("enterprises", "enterprise_history", "rd", "stats", "calibration"):
        pd.testing.assert_frame_equal(getattr(small, name), getattr(again, name))
        left = pd.util.hash_pandas_object(getattr(small, name), index=True).to_numpy()
        right = pd.util.hash_pandas_object(getattr(again, name), index=True).to_numpy()
        assert np.array_equal(left, right)
    assert small.meta == again.meta
    assert "generated_at" not in small.meta


def test_different_seed_gives_different_frames(
    small: demo.DemoData, townships: list[tuple[str, str, str]], industries: dict[str, str]
) -> None:
    other = demo.generate(
        seed=7, n_enterprises=SMALL, townships=townships, industries=industries, last_month=LAST
    )
    assert not other.enterprises.equals(small.enterprises)
    assert not other.rd["rd_expense"].equals(small.rd["rd_expense"])


def test_usccs_valid_unique_and_fictional(small: demo.DemoData) -> None:
    codes = small.enterprises["uscc"]
    assert codes.is_unique and len(codes) == SMALL
    assert all(is_valid(c) for c in codes)
    assert codes.str[8:10].eq(demo.USCC_MARKER).all()
    assert set(small.rd["uscc"]) <= set(codes)
    assert set(small.enterprise_history["uscc"]) == set(codes)


def test_names_are_marked_and_unique(small: demo.DemoData) -> None:
    names = small.enterprises["name"]
    assert names.str.contains(demo.NAME_MARKER).all()
    assert names.is_unique


def test_synthetic_flags_and_sources(small: demo.DemoData) -> None:
    assert small.enterprises["synthetic"].all()
    assert small.enterprise_history["synthetic"].all()
    assert small.rd["synthetic"].all()
    assert not small.rd["correction"].any()
    assert small.enterprises["above_size_industrial"].all()
    stats = small.stats
    assert stats["source"].str.len().gt(0).all()
    real = stats[~stats["synthetic"]]
    assert not real.empty
    assert not real["source"].str.startswith("synthetic").any()
    assert stats.loc[stats["synthetic"], "source"].eq("synthetic (yanzhi demo)").all()

    def value(unit: str, element: str, period: str) -> pd.Series:
        sel = stats[
            (stats.unit_code == unit) & (stats.element == element) & (stats.period == period)
        ]
        assert len(sel) == 1
        return sel.iloc[0]

    gdp_2023 = value("330200", "gdp", "2023")
    assert gdp_2023["value"] == 17146.6 and not gdp_2023["synthetic"]
    assert gdp_2023["vintage"] == "第五次经济普查修订"
    assert value("330200", "gdp", "2022")["synthetic"]  # unknown: generated
    assert value("330200", "resident_population", "2024")["value"] == 977.7
    assert value("330200", "hightech_enterprises", "2022")["value"] == 5337
    rd_2020 = value("330200", "rd_internal_expenditure", "2020")
    assert rd_2020["source"].startswith("derived") and not rd_2020["synthetic"]
    assert rd_2020["value"] == pytest.approx(0.0285 * 12408.7, abs=0.01)
    assert value("330282", "resident_population", "2024")["value"] == 188.9


def test_stats_districts_and_townships_add_up(small: demo.DemoData, tree: OrgTree) -> None:
    stats = small.stats
    level = stats["unit_code"].map(lambda c: tree.get(c).level)
    for lv, parent in ((Level.DISTRICT, "330200"), (Level.TOWNSHIP, None)):
        part = stats[level == lv].copy()
        part["parent"] = part["unit_code"].map(lambda c: tree.get(c).parent_code)
        sums = part.groupby(["parent", "element", "period"])["value"].sum()
        for (par, element, period), total in sums.items():
            if parent is not None:
                assert par == parent
            expected = stats[
                (stats.unit_code == par) & (stats.element == element) & (stats.period == period)
            ]["value"]
            assert len(expected) == 1
            assert total == pytest.approx(expected.iloc[0], abs=0.051)


def test_calibration_within_a_tenth_of_a_percent(small: demo.DemoData) -> None:
    cal = small.calibration
    rd = cal[cal.element == "rd_expense"].set_index("period")
    for period, published in PUBLISHED_RD.items():
        assert rd.loc[period, "target"] == pytest.approx(published)
        generated = small.rd.loc[small.rd.period == period, "rd_expense"].sum() / 1e4
        assert generated == pytest.approx(published, rel=1e-3)
        assert rd.loc[period, "generated"] == pytest.approx(published, rel=1e-3)
    assert ((rd["generated"] - rd["target"]).abs() <= 1e-3 * rd["target"]).all()
    # the unknown 2020 level follows from the published +28.1 % on the matched panel
    assert _matched_growth(small.rd, "2021-01..12", "2020-01..12") == pytest.approx(28.1, abs=0.01)
    assert rd["source"].str.len().gt(0).all()
    intensity = cal[cal.element == "rd_intensity"].set_index("period")
    assert intensity.loc["2019-01..12", "target"] == 2.3
    assert intensity.loc["2024-01..12", "target"] == 3.0
    assert ((intensity["generated"] - intensity["target"]).abs() < 0.01).all()


def test_periods_are_canonical_ytd(small: demo.DemoData) -> None:
    periods = small.rd["period"].unique()
    parsed = [parse_period(p) for p in periods]
    assert all(
        p.kind is PeriodKind.YTD and str(p) == s for p, s in zip(parsed, periods, strict=True)
    )
    assert min(periods) == "2019-01..01" and "2026-01..10" in set(periods)
    assert "2026-01..11" not in set(periods)


def test_ytd_non_decreasing_within_each_year(small: demo.DemoData) -> None:
    rd = small.rd.copy()
    rd["year"], rd["month"] = _year_month(rd)
    rd = rd.sort_values(["uscc", "year", "month"])
    for column in ("rd_expense", "operating_revenue", "rd_expense_capitalised",
                   "new_product_output"):  # fmt: skip
        step = rd.groupby(["uscc", "year"])[column].diff().dropna()
        assert (step >= 0).all(), column
    assert (rd["rd_expense_capitalised"] <= rd["rd_expense"]).all()
    assert (rd[["operating_revenue", "rd_expense", "rd_personnel"]] >= 0).all().all()
    # every present enterprise reports every month of its year from January
    months = rd.groupby(["uscc", "year"])["month"].agg(["min", "count", "max"])
    assert (months["min"] == 1).all() and (months["count"] == months["max"]).all()


def test_seasonality_december_share(small: demo.DemoData) -> None:
    rd = small.rd
    totals = rd.groupby("period")["rd_expense"].sum()
    for year in range(2019, 2026):
        share = 1 - totals[f"{year}-01..11"] / totals[f"{year}-01..12"]
        assert 0.12 <= share <= 0.25, (year, share)
    revenue = rd.groupby("period")["operating_revenue"].sum()
    rev_share = 1 - revenue["2022-01..11"] / revenue["2022-01..12"]
    assert rev_share < share  # revenue is flatter than R&D


def test_zero_rd_share_and_high_intensity_tail(small: demo.DemoData) -> None:
    dec = small.rd[small.rd.period.str.endswith("..12")]
    zero_share = (dec["rd_expense"] == 0).mean()
    assert 0.2 <= zero_share <= 0.4
    assert ((dec["rd_expense"] / dec["operating_revenue"]) > 0.05).sum() > 0


def test_township_and_industry_codes_exist(small: demo.DemoData, tree: OrgTree) -> None:
    township_codes = {u.code for u in tree.by_level(Level.TOWNSHIP)}
    classes = load_industry_classes()
    for frame in (small.enterprises, small.enterprise_history):
        assert set(frame["township_code"]) <= township_codes
        assert set(frame["industry_code"]) <= set(classes)
        assert frame["industry_code"].map(is_manufacturing).all()
    assert set(small.stats["unit_code"]) <= {u.code for u in tree}
    assert set(small.enterprises["size_class"]) <= set(SIZE_CLASSES)
    assert small.enterprises["uscc"].str[2:8].isin({u.code for u in tree}).all()


def test_history_replays_to_the_register(small: demo.DemoData) -> None:
    hist = small.enterprise_history
    assert len(hist) > len(small.enterprises)
    last = hist.sort_values(["uscc", "as_of"], kind="stable").groupby("uscc").tail(1)
    pd.testing.assert_frame_equal(
        last.sort_values("uscc").reset_index(drop=True), small.enterprises
    )
    moved = hist.groupby("uscc")["township_code"].nunique()
    assert (moved == 2).any() and (moved <= 2).all()
    assert hist["as_of"].max() <= "2026-10-31"


def test_hightech_count_grows_every_year(small: demo.DemoData) -> None:
    hist = small.enterprise_history
    counts = [
        hist.loc[hist["hightech"] & (hist["as_of"] <= f"{y}-12-31"), "uscc"].nunique()
        for y in range(2019, 2026)
    ]
    assert all(b > a for a, b in itertools.pairwise(counts)), counts
    reg = small.enterprises
    assert (reg.loc[reg.hightech, "hightech_cert_year"].notna()).all()
    assert reg.loc[~reg.hightech, "hightech_cert_year"].isna().all()
    city = small.stats[(small.stats.unit_code == "330200")
                       & (small.stats.element == "hightech_enterprises")]  # fmt: skip
    values = city.sort_values("period")["value"].to_numpy()
    assert (np.diff(values) > 0).all()


def test_bad_arguments_are_rejected(
    townships: list[tuple[str, str, str]], industries: dict[str, str]
) -> None:
    with pytest.raises(ValueError):
        demo.generate(townships=townships, industries=industries, last_month=(2026, 13))
    with pytest.raises(ValueError):
        demo.generate(townships=townships, industries={"5111": "x"}, last_month=LAST)


@pytest.fixture(scope="module")
def default(
    townships: list[tuple[str, str, str]], industries: dict[str, str]
) -> tuple[demo.DemoData, float]:
    """The default panel (seed 2027, 10,000 enterprises, up to 2026-10) and its build time."""
    start = time.perf_counter()
    data = demo.generate(townships=townships, industries=industries, last_month=LAST)
    return data, time.perf_counter() - start


def test_default_size_is_fast_and_calibrated(default: tuple[demo.DemoData, float]) -> None:
    data, elapsed = default
    assert elapsed < 20, elapsed
    assert len(data.enterprises) == 10_000
    assert len(data.rd) > 800_000
    totals = data.rd.groupby("period")["rd_expense"].sum() / 1e4
    for period, published in PUBLISHED_RD.items():
        assert totals[period] == pytest.approx(published, rel=1e-3)
    dec = data.rd[data.rd.period.str.endswith("..12")]
    by_year = dec.groupby(dec.period.str[:4])
    zero = by_year["rd_expense"].apply(lambda s: (s == 0).mean())
    assert zero.between(0.2, 0.4).all(), zero.to_dict()
    intense = (dec["rd_expense"] / dec["operating_revenue"] > 0.05).groupby(dec.period).sum()
    assert (intense > 50).all() and (intense < 1500).all()


def test_published_growth_holds_on_the_matched_panel(default: tuple[demo.DemoData, float]) -> None:
    """Levels and comparable-basis growth both as published: 2022 is +19.15 % on levels
    (599.3 ÷ 503.0) and +16.7 % for the enterprises present in both years."""
    rd = default[0].rd
    totals = rd.groupby("period")["rd_expense"].sum()
    level = (totals["2022-01..12"] / totals["2021-01..12"] - 1) * 100
    assert level == pytest.approx(19.15, abs=0.01)
    for (now, before), published in {
        ("2021-01..12", "2020-01..12"): 28.1,
        ("2022-01..12", "2021-01..12"): 16.7,
        ("2024-01..06", "2023-01..06"): 10.5,
        ("2024-01..11", "2023-01..11"): 8.9,
    }.items():
        assert _matched_growth(rd, now, before) == pytest.approx(published, abs=0.01), now


DOC = Path(__file__).resolve().parents[2] / "docs" / "demo-data.md"


def _doc_calibration() -> dict[tuple[str, str], tuple[float, float]]:
    """The calibration table of docs/demo-data.md (between its two markers)."""
    text = DOC.read_text("utf-8")
    start = text.index("<!-- calibration-table:start -->")
    body = text[start : text.index("<!-- calibration-table:end -->")]
    rows = {}
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and re.fullmatch(r"\d{4}-\d{2}\.\.\d{2}", cells[0]):
            rows[(cells[0], cells[1])] = (float(cells[2]), float(cells[3]))
    return rows


def test_the_documented_calibration_is_what_the_generator_produces(
    default: tuple[demo.DemoData, float],
) -> None:
    documented = _doc_calibration()
    assert len(documented) >= 20
    cal = default[0].calibration
    produced = {
        (r.period, r.element): (round(r.target, 2), round(r.generated, 2)) for r in cal.itertuples()
    }
    assert documented == produced


def _district_ratio(stats: pd.DataFrame, num: str, den: str, year: str) -> pd.Series:
    s = stats[(stats.period == year) & (stats.unit_code.str.len() == 6)]
    s = s[s.unit_code != "330200"].pivot_table(index="unit_code", columns="element", values="value")
    return s[num] / s[den] * 100


def test_districts_differ_as_real_ones_do(default: tuple[demo.DemoData, float]) -> None:
    """R&D/GDP, the high-tech share and the enterprises' R&D intensity spread across the
    districts; the industrial and research districts lead, the southern counties trail."""
    data = default[0]
    rd_gdp = _district_ratio(data.stats, "rd_internal_expenditure", "gdp", "2025")
    ht = _district_ratio(
        data.stats, "hightech_industry_value_added", "above_size_industrial_value_added", "2025"
    )
    dec = data.rd[data.rd.period == "2025-01..12"]
    by = dec.groupby(dec.uscc.str[2:8])[["rd_expense", "operating_revenue"]].sum()
    intensity = by.rd_expense / by.operating_revenue * 100
    assert rd_gdp.max() - rd_gdp.min() > 1.5, rd_gdp.to_dict()
    assert ht.max() - ht.min() > 15, ht.to_dict()
    assert intensity.max() - intensity.min() > 1.5, intensity.to_dict()
    leaders = {"330211", "330206", "330212", "330205", "330281"}  # 镇海 北仑 鄞州 江北 余姚
    trailers = {"330225", "330213", "330226"}  # 象山 奉化 宁海
    for series in (rd_gdp, ht, intensity):
        assert set(series.nlargest(3).index) <= leaders, series.to_dict()
        assert set(series.nsmallest(2).index) <= trailers, series.to_dict()
    city = data.stats[(data.stats.unit_code == "330200") & (data.stats.period == "2025")]
    city = city.set_index("element")["value"]
    assert city["rd_internal_expenditure"] / city["gdp"] * 100 == pytest.approx(3.42, abs=0.005)


def test_hubs_lead_and_remote_townships_trail(
    default: tuple[demo.DemoData, float], tree: OrgTree
) -> None:
    from yanzhi.core import demo_places

    data = default[0]
    dec = data.rd[data.rd.period == "2025-01..12"]
    town = dec.uscc.map(data.enterprises.set_index("uscc")["township_code"])
    per_town = dec.groupby(town)["rd_expense"].sum().sort_values(ascending=False)
    names = per_town.index.map(lambda c: tree.get(c).name)
    top20, remote = set(names[:20]), set(demo_places.REMOTE)
    assert not top20 & remote
    assert len(top20 & demo_places.HUBS) >= 12, top20
    remote_rank = [i for i, n in enumerate(names) if n in remote]
    assert min(remote_rank) > len(names) // 2, remote_rank
    assert {n for _, n, _ in _townships_of(tree)} >= demo_places.HUBS | remote


def _townships_of(tree: OrgTree) -> list[tuple[str, str, str]]:
    return [(u.code, u.name, u.parent_code or "") for u in tree.by_level(Level.TOWNSHIP)]


def test_receipts_built_before_the_window_closes_are_a_snapshot_as_of_then() -> None:
    """The latest period's receipts: about 85 % on time, 8 % late, the rest missing once
    the window has closed; built earlier (``now`` before the due date), no receipt lies
    after ``now`` — what would arrive later is missing — and none is late yet."""
    import datetime as dt

    from yanzhi.core import demo_receipts

    codes = [f"{i:018d}" for i in range(2000)]
    due = dt.date(2026, 12, 10)
    closed = demo_receipts.latest_receipts(codes, seed=7, due=due)
    late = sum(t.date() > due for t in closed.at.values())
    assert 0.80 < (len(closed.at) - late) / len(codes) < 0.90 and 0.05 < late / len(codes) < 0.11
    now = dt.datetime(2026, 12, 5, 3, 0, tzinfo=demo_receipts.CHINA)
    early = demo_receipts.latest_receipts(codes, seed=7, due=due, now=now)
    assert early.at and max(early.at.values()) <= now
    assert not any(t.date() > due for t in early.at.values())
    assert early.at == {c: t for c, t in closed.at.items() if t <= now}
    assert early.missing == frozenset(codes) - set(early.at)
