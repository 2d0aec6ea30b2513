"""Published Ningbo figures, the calibration targets and every assumption of the synthetic
demo panel (:mod:`yanzhi.core.demo`): R&D totals, intensity, seasonality, the enterprise
mix and 高企 counts. The aggregate statistics are in :mod:`yanzhi.core.demo_stats`.

Everything here is data or pure arithmetic; ``docs/demo-data.md`` explains each number.
Sources in brackets (``[j]``) are those of ``shared/reference/ningbo_facts.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

SYNTHETIC_SOURCE = "synthetic (yanzhi demo)"
CITY = "330200"

# --- 规上工业企业研发费用 (亿元): published figures and the targets derived from them -----------
RD_PUBLISHED: dict[tuple[int, int], tuple[float, str]] = {
    (2021, 12): (503.0, "规上工业企业研发费用 2021: 503.0亿 (+28.1%) [j] daily.cnnb.com.cn"),
    (2022, 12): (599.3, "规上工业企业研发费用 2022: 599.3亿 (+16.7%) [n] tibet.cn"),
    (2024, 6): (316.2, "规上工业企业研发费用 2024年1-6月: 316.2亿 (+10.5%) [o] jdyo.net"),
    (2024, 11): (611.4, "规上工业企业研发费用 2024年1-11月: 611.4亿 (+8.9%) [o] jdyo.net"),
}
# Published growth rates (上年同期 = 1), on the comparable basis of the statistics office (the
# same enterprises in both periods): the generator fits its matched panel to them (core.demo_fit).
COMPARABLE_GROWTH: dict[tuple[int, int], tuple[float, str]] = {
    (2021, 12): (1.281, "规上工业企业研发费用 2021: +28.1% [j] daily.cnnb.com.cn"),
    (2022, 12): (1.167, "规上工业企业研发费用 2022: +16.7% [n] tibet.cn"),
    (2024, 6): (1.105, "规上工业企业研发费用 2024年1-6月: +10.5% [o] jdyo.net"),
    (2024, 11): (1.089, "规上工业企业研发费用 2024年1-11月: +8.9% [o] jdyo.net"),
}
RD_GROWTH_2021 = COMPARABLE_GROWTH[(2021, 12)][0]  # published growth of 2021 [j]
RD_GROWTH_2020 = 1.15  # assumption: 2020 growth (the year of the pandemic)
RD_GROWTH_2024_H1 = COMPARABLE_GROWTH[(2024, 6)][0]  # published YoY growth Jan–Jun 2024 [o]
RD_GROWTH_2024_NOV = COMPARABLE_GROWTH[(2024, 11)][0]  # published YoY growth Jan–Nov 2024 [o]
DEC_SHARE = 0.175  # assumption: December's share of annual R&D (2023, 2024 and later)
RD_GROWTH_LATER = 1.08  # assumption: annual growth from 2025 on
RD_GROWTH_BEFORE = 1.15  # assumption: annual growth before 2019 (used only if first_year < 2019)

# 规上工业 R&D intensity Σrd_expense / Σoperating_revenue (%, an assumption: the real value is
# unknown per ningbo_facts.md §1; the 2027 target is 3.4 %).
INTENSITY_PCT: dict[int, float] = {
    2019: 2.30,
    2020: 2.45,
    2021: 2.60,
    2022: 2.75,
    2023: 2.88,
    2024: 3.00,
    2025: 3.10,
    2026: 3.20,
}

# City-level seasonal profile of monthly increments (shares of the annual total).
RD_MONTH_WEIGHTS = np.array(
    [0.055, 0.050, 0.075, 0.075, 0.078, 0.085, 0.075, 0.075, 0.083, 0.080, 0.092, 0.177]
)
REVENUE_MONTH_WEIGHTS = np.array(
    [0.078, 0.060, 0.085, 0.082, 0.085, 0.087, 0.083, 0.083, 0.086, 0.084, 0.088, 0.099]
)

# --- enterprise mix (assumptions) ---------------------------------------------------------------
DIVISION_WEIGHTS: dict[str, float] = {
    "38": 14.0,  # 电气机械和器材
    "34": 10.0,  # 通用设备
    "35": 7.0,  # 专用设备
    "36": 8.0,  # 汽车
    "33": 8.0,  # 金属制品
    "29": 7.0,  # 橡胶和塑料制品
    "39": 7.0,  # 计算机、通信和其他电子设备
    "17": 5.5,  # 纺织
    "18": 5.0,  # 纺织服装、服饰
    "26": 5.5,  # 化学原料和化学制品
    "25": 1.0,  # 石油、煤炭及其他燃料加工
    "40": 3.0,  # 仪器仪表
    "30": 2.5,  # 非金属矿物制品
    "32": 2.0,  # 有色金属冶炼和压延加工
    "31": 1.0,  # 黑色金属冶炼和压延加工
    "27": 1.5,  # 医药
    "24": 2.0,  # 文教、工美、体育和娱乐用品
    "21": 1.5,  # 家具
    "19": 1.0,  # 皮革、毛皮、羽毛及其制品和制鞋
    "28": 1.0,  # 化学纤维
    "37": 1.0,  # 铁路、船舶、航空航天和其他运输设备
    "22": 1.0,  # 造纸和纸制品
    "23": 1.0,  # 印刷和记录媒介复制
    "13": 0.7,  # 农副食品加工
    "14": 0.7,  # 食品
    "15": 0.3,  # 酒、饮料和精制茶
    "20": 0.5,  # 木材加工
    "41": 0.7,  # 其他制造
    "42": 0.3,  # 废弃资源综合利用
    "43": 0.3,  # 金属制品、机械和设备修理
}
DEFAULT_DIVISION_WEIGHT = 0.1  # manufacturing divisions not listed above (12 烟草, 16 …)
CLASS_BOOSTS: dict[str, float] = {
    "3670": 8.0,  # 汽车零部件及配件制造
    "2929": 4.0,  # 塑料零件及其他塑料制品制造
    "3484": 4.0,  # 机械零部件加工
    "1819": 4.0,  # 其他机织服装制造
    "3854": 3.0,  # 家用厨房电器具制造
    "3311": 2.0,  # 金属结构制造
    "2511": 3.0,  # 原油加工及石油制品制造
}
# R&D intensity multiplier by division (assumption: electronics, instruments, pharma higher).
DIVISION_INTENSITY: dict[str, float] = {
    "39": 1.45, "40": 1.5, "27": 1.4, "35": 1.25, "34": 1.15, "38": 1.15, "36": 1.1,
    "26": 0.9, "25": 0.35, "31": 0.6, "32": 0.6, "17": 0.75, "18": 0.7, "19": 0.75,
    "13": 0.6, "14": 0.7, "15": 0.6, "20": 0.7, "22": 0.8, "30": 0.85,
}  # fmt: skip
HIGHTECH_DIVISIONS = frozenset({"39", "40", "27", "35", "38", "34", "36"})

SIZE_SHARES = {"large": 0.025, "medium": 0.135, "small": 0.82, "micro": 0.02}
# annual operating revenue 2022 (万元): lognormal median and sigma by size class
REVENUE_MEDIAN = {"large": 120_000.0, "medium": 25_000.0, "small": 5_500.0, "micro": 2_800.0}
REVENUE_SIGMA = {"large": 0.8, "medium": 0.55, "small": 0.6, "micro": 0.3}
RD_ACTIVE_PROB = {"large": 0.96, "medium": 0.86, "small": 0.56, "micro": 0.35}
RD_INSTITUTION_PROB = {"large": 0.9, "medium": 0.6, "small": 0.25, "micro": 0.05}

# Share of the 规上工业 enterprises by district (assumption; 慈溪 has the most, "2073家规上工业
# 企业" m.163.com 2025; 北仑 has fewer but larger ones, "857家规模以上工业企业" in the 2021
# 北仑区统计公报, tjgb.hongheiku.com mirror).
DISTRICT_WEIGHTS: dict[str, float] = {
    "330282": 0.19,  # 慈溪市
    "330281": 0.15,  # 余姚市
    "330212": 0.13,  # 鄞州区
    "330206": 0.10,  # 北仑区
    "330203": 0.10,  # 海曙区
    "330226": 0.08,  # 宁海县
    "330213": 0.07,  # 奉化区
    "330211": 0.07,  # 镇海区
    "330225": 0.06,  # 象山县
    "330205": 0.05,  # 江北区
}
# How an enterprise's place (its township's innovation factor f, core.demo_places) shifts it:
# latent R&D intensity × f ** 0.45; 高企 ranking score + 1.2 · ln f; the R&D-active threshold
# (a standard-normal quantile) + 0.45 · ln f. Assumptions.
PLACE_INTENSITY_EXP = 0.45
PLACE_HIGHTECH_BONUS = 1.2
PLACE_ACTIVE_SHIFT = 0.45

# 高新技术企业, city-wide valid count at year end. 2022 is published [n]; 2020 "将突破3000" [p]
# and 2024 "expected over 8800" [d] and 2025 target 10000 [f] guide the assumed path.
HIGHTECH_CITY: dict[int, int] = {
    2016: 1600, 2017: 1800, 2018: 2150, 2019: 2600, 2020: 3100, 2021: 4100,
    2022: 5337, 2023: 6900, 2024: 8800, 2025: 10000, 2026: 10800,
}  # fmt: skip
HIGHTECH_ABOVE_SIZE_SHARE = 0.45  # assumption: share of all 高企 that are 规上工业 enterprises
REFERENCE_ENTERPRISES = 10_000  # "万余家" 规上工业企业 [m]


def rd_target_for_year(year: int) -> float:
    """Full-year target (亿元) of 规上工业企业研发费用 for any year."""
    if year in (2021, 2022):
        return RD_PUBLISHED[(year, 12)][0]
    if year == 2020:
        return 503.0 / RD_GROWTH_2021
    if year < 2020:
        return rd_target_for_year(2020) / RD_GROWTH_2020 * RD_GROWTH_BEFORE ** (year - 2019)
    if year in (2023, 2024):
        nov = 611.4 if year == 2024 else 611.4 / RD_GROWTH_2024_NOV
        return nov / (1 - DEC_SHARE)
    return rd_target_for_year(2024) * RD_GROWTH_LATER ** (year - 2024)


def rd_anchors(year: int) -> list[tuple[int, float, str]]:
    """(month, YTD target 亿元, source) anchors of one year, ending with December."""
    annual = rd_target_for_year(year)
    if year in (2021, 2022):
        return [(12, annual, RD_PUBLISHED[(year, 12)][1])]
    if year == 2024:
        note = f"synthetic: 1-11月 611.4 ÷ (1 − assumed Dec share {DEC_SHARE})"
        return [
            (6, 316.2, RD_PUBLISHED[(2024, 6)][1]),
            (11, 611.4, RD_PUBLISHED[(2024, 11)][1]),
            (12, annual, note),
        ]
    if year == 2023:
        return [
            (6, 316.2 / RD_GROWTH_2024_H1, "derived: 2024年1-6月 316.2亿 ÷ 1.105 [o]"),
            (11, 611.4 / RD_GROWTH_2024_NOV, "derived: 2024年1-11月 611.4亿 ÷ 1.089 [o]"),
            (12, annual, f"synthetic: 1-11月 ÷ (1 − assumed Dec share {DEC_SHARE})"),
        ]
    if year == 2020:
        return [(12, annual, "derived: 2021 503.0亿 ÷ 1.281 (2021 growth +28.1%) [j]")]
    if year < 2020:
        return [(12, annual, f"synthetic: 2020 ÷ {RD_GROWTH_2020} (assumed growth)")]
    return [(12, annual, f"synthetic: 2024 × {RD_GROWTH_LATER}^{year - 2024} (assumed growth)")]


def intensity_pct(year: int) -> float:
    if year in INTENSITY_PCT:
        return INTENSITY_PCT[year]
    if year < min(INTENSITY_PCT):
        return INTENSITY_PCT[min(INTENSITY_PCT)] - 0.15 * (min(INTENSITY_PCT) - year)
    return INTENSITY_PCT[max(INTENSITY_PCT)] + 0.1 * (year - max(INTENSITY_PCT))


def hightech_city(year: int) -> int:
    if year in HIGHTECH_CITY:
        return HIGHTECH_CITY[year]
    if year < min(HIGHTECH_CITY):
        return int(HIGHTECH_CITY[min(HIGHTECH_CITY)] * 0.88 ** (min(HIGHTECH_CITY) - year))
    return int(HIGHTECH_CITY[max(HIGHTECH_CITY)] * 1.07 ** (year - max(HIGHTECH_CITY)))


def scale_segments(
    increments: np.ndarray, anchors: Sequence[tuple[int, float]], unit: float = 1e4
) -> np.ndarray:
    """Scale monthly increments (enterprises × 12, 万元) so that the city's YTD sum equals
    each anchor (month, 亿元): one positive factor per segment between anchors, so increments
    stay ≥ 0 and YTD values stay non-decreasing."""
    out = increments.copy()
    start, done = 0, 0.0
    for month, target in anchors:
        seg = out[:, start:month]
        total = float(seg.sum())
        if total > 0:
            out[:, start:month] = seg * ((target * unit - done) / total)
        done = target * unit
        start = month
    return out
