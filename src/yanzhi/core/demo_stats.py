"""The synthetic demo's aggregate statistics: published Ningbo GDP, population, R&D / GDP and
高企 figures with their sources, the assumed paths between them, and the statistics table
of the city, districts and townships (``build_stats``) plus the unit statistics of the
evaluation (``evaluation_stats``).

Everything here is data or pure arithmetic; ``docs/demo-data.md`` explains each number.
Sources in brackets (``[j]``) are those of ``shared/reference/ningbo_facts.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from yanzhi.core.demo_calibration import CITY, DISTRICT_WEIGHTS, SYNTHETIC_SOURCE, hightech_city
from yanzhi.core.demo_places import DISTRICT_INNOVATION, Places

GDP_REAL: dict[int, tuple[float, str, str]] = {
    2020: (12408.7, "2020年宁波市统计公报 [i] xiaomonv0755.com/tjgb/11zj/36633.html (mirror)", ""),
    2021: (14594.9, "2021年GDP [j] daily.cnnb.com.cn/nbwb/html/2022-02/24/content_1309186.htm", ""),
    2023: (17146.6, "2024年统计公报 [k] web.ncmc.nbtv.cn (mirror)", "第五次经济普查修订"),
    2024: (18147.7, "2024年统计公报 [k] web.ncmc.nbtv.cn (mirror)", ""),
}
POPULATION_REAL: dict[int, float] = {
    2020: 942.0,
    2021: 954.4,
    2022: 961.8,
    2023: 969.7,
    2024: 977.7,
}
POPULATION_SOURCE = "年末常住人口 [l] tjj.ningbo.gov.cn; news.cnnb.com.cn; bx2200.com (mirror)"
DISTRICT_POPULATION_2024: dict[str, float] = {
    "330203": 107.2, "330205": 51.8, "330206": 90.4, "330211": 53.2, "330212": 171.1,
    "330213": 59.2, "330225": 57.9, "330226": 71.3, "330281": 126.7, "330282": 188.9,
}  # fmt: skip
DISTRICT_POPULATION_SOURCE = (
    "2024年各区县市常住人口, bx2200.com/renkoupc/huadong/12134.html (mirror)"
)
RD_GDP_REAL: dict[int, tuple[float, str]] = {
    2020: (2.85, "derived: R&D/GDP 2.85% [a] aidisha.cn/107756.html × GDP 12408.7亿 [i]"),
    2023: (3.08, "derived: R&D/GDP 3.08% [d] kjj.ningbo.gov.cn × GDP 17146.6亿 (五经普修订) [k]"),
}
HIGHTECH_REAL = {2022: (5337, "高新技术企业 2022年末 5337家 [n] tibet.cn")}

# synthetic paths (assumptions, see docs/demo-data.md)
GDP_GROWTH_SYNTH = {2019: 1 / 1.033, 2022: None, 2025: 1.05}
RD_GDP_SYNTH = {2019: 2.75, 2021: 3.0, 2022: 2.95, 2024: 3.25, 2025: 3.42, 2026: 3.55}
HT_SHARE_PCT = {2018: 49.3, 2019: 51.5, 2020: 53.5, 2021: 55.6, 2022: 57.5, 2023: 59.3,
                2024: 61.0, 2025: 62.8, 2026: 64.0}  # fmt: skip
RD_STAFF_PER_10K = {2019: 150, 2020: 157, 2021: 164, 2022: 171, 2023: 177, 2024: 183, 2025: 189}
HVIP_PER_10K = {2019: 10.0, 2020: 11.2, 2021: 12.5, 2022: 13.8, 2023: 15.2, 2024: 16.6, 2025: 18.0}
# District GDP shares (assumption guided by published figures: 2021 北仑 2382.50亿 of 14594.9
# (16.3 %), 鄞州, 北仑 and 慈溪 above 2000亿 and 余姚, 海曙, 镇海 above 1000亿; 2025 鄞州 3202,
# 北仑 3151, 慈溪 3014亿 and every district above 1000亿 — sources in docs/demo-data.md).
DISTRICT_GDP_SHARES: dict[str, float] = {
    "330212": 0.168, "330206": 0.165, "330282": 0.158, "330281": 0.095, "330203": 0.090,
    "330211": 0.080, "330226": 0.062, "330205": 0.062, "330225": 0.062, "330213": 0.058,
}  # fmt: skip
# R&D outside the 规上工业 panel (universities, institutes, services, large groups' R&D centres),
# relative per unit of GDP (assumption): 镇海 (中科院宁波材料所, 甬江实验室), 江北 (宁波大学),
# 鄞州 (宁波高新区) and 北仑 (port and group R&D centres) lead; the southern counties trail.
NON_INDUSTRIAL_RD: dict[str, float] = {
    "330211": 1.6, "330205": 1.5, "330206": 1.4, "330212": 1.4, "330203": 0.9,
    "330281": 0.9, "330282": 0.8, "330213": 0.6, "330226": 0.6, "330225": 0.45,
}  # fmt: skip
PANEL_RD_WEIGHT = 0.5  # share of a district's R&D (全社会) that follows its enterprise panel
# Relative 高新技术产业 share by district on top of the panel's high-tech revenue (assumption;
# 鄞州 区本级 72.8 % in 2022 against the assumed city 57.5 %, nbyz.gov.cn 2023年科技进步报告).
HT_DISTRICT: dict[str, float] = {
    "330212": 1.15, "330211": 1.05, "330206": 1.0, "330205": 1.05, "330281": 1.05,
    "330282": 0.95, "330203": 0.95, "330213": 0.9, "330226": 0.9, "330225": 0.85,
}  # fmt: skip


def _extrapolate(path: Mapping[int, float], year: int, step: float) -> float:
    if year in path:
        return path[year]
    lo, hi = min(path), max(path)
    return path[lo] - step * (lo - year) if year < lo else path[hi] + step * (year - hi)


def city_gdp(year: int) -> float:
    if year in GDP_REAL:
        return GDP_REAL[year][0]
    if year == 2022:  # unknown: geometric midpoint of 2021 and the revised 2023
        return round(float(np.sqrt(14594.9 * 17146.6)), 1)
    if year < 2020:
        return round(12408.7 * 1.033 ** (year - 2020), 1)
    return round(18147.7 * 1.05 ** (year - 2024), 1)


def city_population(year: int) -> float:
    if year in POPULATION_REAL:
        return POPULATION_REAL[year]
    if year < 2020:
        return round(942.0 - 7.0 * (2020 - year), 1)
    return round(977.7 + 7.5 * (year - 2024), 1)


def split_total(total: float, weights: np.ndarray, decimals: int) -> np.ndarray:
    """Split ``total`` by ``weights`` into values rounded to ``decimals`` that add up exactly
    (largest-remainder rounding)."""
    scale = 10**decimals
    units = round(total * scale)
    raw = units * weights / weights.sum()
    base = np.floor(raw).astype(np.int64)
    rest = units - int(base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:rest]] += 1
    return base / scale


@dataclass(frozen=True)
class PanelByDistrict:
    """What the enterprise panel holds per district and complete year (rows: years; columns:
    district codes): R&D expense, revenue, high-tech revenue, 高企 and 科技型中小企业 counts."""

    rd: pd.DataFrame
    revenue: pd.DataFrame
    hightech_revenue: pd.DataFrame
    hightech: pd.DataFrame
    tech_sme: pd.DataFrame


def _share(
    frame: pd.DataFrame, year: int, codes: Sequence[str], fallback: np.ndarray
) -> np.ndarray:
    """A district's share of a panel column in ``year``, or ``fallback`` without panel data."""
    if year not in frame.index:
        return fallback / fallback.sum()
    row = frame.loc[year].reindex(list(codes)).fillna(0.0).to_numpy(dtype=float)
    return row / row.sum() if row.sum() > 0 else fallback / fallback.sum()


def _district_weights(
    year: int, codes: Sequence[str], panel: PanelByDistrict, persistent: np.ndarray
) -> dict[str, np.ndarray]:
    """The weights that split each city statistic to the districts in ``year``: GDP, R&D and
    industry by the assumed shares and the enterprise panel, people by population."""
    gdp_w = np.array([DISTRICT_GDP_SHARES.get(d, 0.02) for d in codes])
    inno = np.array([DISTRICT_INNOVATION.get(d, 1.0) for d in codes])
    ind_fb = np.array([DISTRICT_WEIGHTS.get(d, 0.02) for d in codes])
    nonbiz = gdp_w * np.array([NON_INDUSTRIAL_RD.get(d, 1.0) for d in codes])
    rd_w = (
        PANEL_RD_WEIGHT * _share(panel.rd, year, codes, ind_fb)
        + (1 - PANEL_RD_WEIGHT) * nonbiz / nonbiz.sum()
    )
    industry = _share(panel.revenue, year, codes, ind_fb)
    ht = 0.5 * industry + 0.5 * _share(panel.hightech_revenue, year, codes, ind_fb)
    pop_w = np.array([DISTRICT_POPULATION_2024.get(d, 20.0) for d in codes])
    return {
        "gdp": gdp_w,
        "employed_persons": pop_w,
        "rd_internal_expenditure": rd_w,
        "rd_personnel_fte_total": (0.5 * rd_w + 0.5 * pop_w / pop_w.sum()) * persistent,
        "high_value_invention_patents": pop_w * inno**2,
        "above_size_industrial_value_added": industry,
        "hightech_industry_value_added": ht * np.array([HT_DISTRICT.get(d, 1.0) for d in codes]),
        "fiscal_st_spending": gdp_w * inno,
        "tech_smes": 0.6 * _share(panel.tech_sme, year, codes, ind_fb) + 0.4 * gdp_w,
        "hightech_enterprises": _share(panel.hightech, year, codes, ind_fb),
    }


Row = tuple[str, str, str, float, str, str, str, bool]


def build_stats(
    rng: np.random.Generator,
    years: Sequence[int],
    districts: Sequence[str],
    townships: Sequence[tuple[str, str, str]],
    places: tuple[np.ndarray, Places],
    panel: PanelByDistrict,
) -> pd.DataFrame:
    """The aggregate statistics in long form (columns of core.dataformats.STATISTICS).
    ``places``: the enterprise weight of every township and the township profiles."""
    rows: list[Row] = []
    d_codes = list(districts)
    t_district = np.array([t[2] for t in townships])
    township_weight, profile = places
    t_pop_w = profile.population * rng.lognormal(0.0, 0.3, len(townships))
    persistent = rng.lognormal(0.0, 0.1, len(d_codes))
    for year in years:
        drift = rng.lognormal(0.0, 0.015, len(d_codes))
        weights = _district_weights(year, d_codes, panel, persistent)
        city, d_vals = _city_and_districts(rng, year, d_codes, weights, drift)
        rows += city
        for d, element, value, unit, src, synthetic in d_vals:
            rows.append((d, element, str(year), float(value), unit, src, "", synthetic))
        d_gdp = {d: v for d, e, v, *_ in d_vals if e == "gdp"}
        d_pop = {d: v for d, e, v, *_ in d_vals if e == "resident_population"}
        for d in d_codes:
            idx = np.flatnonzero(t_district == d)
            if not idx.size:
                continue
            tw = township_weight[idx]
            t_gdp = split_total(d_gdp[d], tw / tw.sum() + 0.05, 2)
            t_pop = split_total(d_pop[d], t_pop_w[idx], 2)
            for j, k in enumerate(idx):
                code = townships[int(k)][0]
                rows.append((code, "gdp", str(year), float(t_gdp[j]), "亿元", SYNTHETIC_SOURCE,
                             "", True))  # fmt: skip
                rows.append((code, "resident_population", str(year), float(t_pop[j]), "万人",
                             SYNTHETIC_SOURCE, "", True))  # fmt: skip
    rows += evaluation_stats(rng, years, d_codes, townships, places)
    columns = ["unit_code", "element", "period", "value", "unit", "source", "vintage", "synthetic"]
    return pd.DataFrame(rows, columns=columns)


def _city_and_districts(
    rng: np.random.Generator,
    year: int,
    d_codes: list[str],
    weights: dict[str, np.ndarray],
    drift: np.ndarray,
) -> tuple[list[Row], list[tuple[str, str, float, str, str, bool]]]:
    """One year's city rows (published where known) and the district values, split from the
    city totals so that they add up exactly."""
    city: list[Row] = []

    def add(element: str, value: float, unit: str, src: str, vintage: str, syn: bool) -> None:
        city.append((CITY, element, str(year), float(value), unit, src, vintage, syn))

    gdp = city_gdp(year)
    real = year in GDP_REAL
    vintage = GDP_REAL[year][2] if real else ""
    add("gdp", gdp, "亿元", GDP_REAL[year][1] if real else SYNTHETIC_SOURCE, vintage, not real)
    pop = city_population(year)
    preal = year in POPULATION_REAL
    add("resident_population", pop, "万人", POPULATION_SOURCE if preal else SYNTHETIC_SOURCE,
        "", not preal)  # fmt: skip
    if year in RD_GDP_REAL:
        ratio, rsrc = RD_GDP_REAL[year]
        rd_int = round(ratio / 100 * gdp, 2)
        add("rd_internal_expenditure", rd_int, "亿元", rsrc, vintage, False)
    else:
        rd_int = round(_extrapolate(RD_GDP_SYNTH, year, 0.1) / 100 * gdp, 2)
        add("rd_internal_expenditure", rd_int, "亿元", SYNTHETIC_SOURCE, "", True)
    ht_n, ht_src = HIGHTECH_REAL.get(year, (hightech_city(year), SYNTHETIC_SOURCE))
    add("hightech_enterprises", ht_n, "家", ht_src, "", year not in HIGHTECH_REAL)
    employed = round(pop * (0.64 - 0.002 * (year - 2019)), 1)
    ind_va = round(gdp * 0.335, 1)
    fte = round(_extrapolate(RD_STAFF_PER_10K, year, 6) * employed)
    hvip = round(_extrapolate(HVIP_PER_10K, year, 1.4) * pop)
    synth = [
        ("employed_persons", employed, "万人", 1),
        ("rd_personnel_fte_total", fte, "人年", 0),
        ("high_value_invention_patents", hvip, "件", 0),
        ("above_size_industrial_value_added", ind_va, "亿元", 1),
        ("hightech_industry_value_added",
         round(ind_va * _extrapolate(HT_SHARE_PCT, year, 1.5) / 100, 1), "亿元", 1),
        ("fiscal_st_spending", round(95.0 * 1.17 ** (year - 2019), 1), "亿元", 1),
        ("tech_smes", round(7500 * 1.12 ** (year - 2019)), "家", 0),
    ]  # fmt: skip
    for element, value, unit, _ in synth:
        add(element, value, unit, SYNTHETIC_SOURCE, "", True)
    if year >= 2022:  # the city's S&T innovation funds (千亿科技创新基金), city level only
        add("st_innovation_fund_size", round(420.0 * 1.18 ** (year - 2022)), "亿元",
            SYNTHETIC_SOURCE, "", True)  # fmt: skip
    out: list[tuple[str, str, float, str, str, bool]] = []
    for element, value, unit, dec in [
        ("gdp", gdp, "亿元", 1),
        ("rd_internal_expenditure", rd_int, "亿元", 2),
        ("hightech_enterprises", ht_n, "家", 0),
        *synth,
    ]:
        for d, v in zip(d_codes, split_total(value, weights[element] * drift, dec), strict=True):
            out.append((d, element, float(v), unit, SYNTHETIC_SOURCE, True))
    d_real = year == 2024 and set(d_codes) <= set(DISTRICT_POPULATION_2024)
    if d_real:
        d_pop = np.array([DISTRICT_POPULATION_2024[d] for d in d_codes])
    else:
        pop_w = np.array([DISTRICT_POPULATION_2024.get(d, 20.0) for d in d_codes])
        d_pop = split_total(pop, pop_w * rng.lognormal(0.0, 0.005, len(d_codes)), 1)
    src = DISTRICT_POPULATION_SOURCE if d_real else SYNTHETIC_SOURCE
    out += [(d, "resident_population", float(v), "万人", src, not d_real)
            for d, v in zip(d_codes, d_pop, strict=True)]  # fmt: skip
    return city, out


# Unit statistics of the district and township evaluation (all synthetic): element ->
# (unit, 2019 city total, annual growth, decimals). Drawn after every other statistic (from
# the same generator), so the rows above stay identical for a seed.
EVALUATION_ELEMENTS: dict[str, tuple[str, float, float, int]] = {
    "invention_patents_granted": ("件", 6500, 1.10, 0),
    "tech_contract_turnover": ("万元", 1_500_000, 1.20, 1),
    "incubators": ("家", 240, 1.06, 0),
    "talent_introduced": ("人", 4000, 1.08, 0),
    "iu_projects": ("项", 1200, 1.07, 0),
    "major_awards": ("项", 40, 1.03, 0),
    "new_key_platforms": ("个", 60, 1.05, 0),
    "research_misconduct_cases": ("件", 12, 1.0, 0),
}


def evaluation_stats(
    rng: np.random.Generator,
    years: Sequence[int],
    districts: Sequence[str],
    townships: Sequence[tuple[str, str, str]],
    places: tuple[np.ndarray, Places],
) -> list[Row]:
    """City totals on an assumed path, split to districts and on to townships (counts by
    multinomial draws, money by noisy shares): townships add up to their district, districts
    to the city. Each unit keeps a persistent propensity per element, which follows its GDP
    and innovation factor (core.demo_places) — research misconduct does not."""
    rows: list[Row] = []
    township_weight, profile = places
    t_district = np.array([t[2] for t in townships])
    n_t, n_d = len(townships), len(districts)
    gdp_w = np.array([DISTRICT_GDP_SHARES.get(d, 0.02) for d in districts])
    pop_w = np.array([DISTRICT_POPULATION_2024.get(d, 20.0) for d in districts])
    size_w = np.sqrt(gdp_w * pop_w / pop_w.sum())
    inno = np.array([DISTRICT_INNOVATION.get(d, 1.0) for d in districts])
    for element, (unit, base, growth, dec) in EVALUATION_ELEMENTS.items():
        follows = element != "research_misconduct_cases"
        d_prop = size_w * (inno**1.5 if follows else 1.0) * rng.lognormal(0.0, 0.2, n_d)
        t_prop = (
            (township_weight + 0.2 / max(n_t, 1))
            * (profile.innovation**1.5 if follows else 1.0)
            * rng.lognormal(0.0, 0.35, n_t)
        )
        for year in years:
            total = round(base * growth ** (year - 2019), dec)
            d_vals = _split(rng, total, d_prop * rng.lognormal(0.0, 0.1, n_d), dec)
            rows.append((CITY, element, str(year), float(total), unit, SYNTHETIC_SOURCE, "", True))
            for i, d in enumerate(districts):
                rows.append((d, element, str(year), float(d_vals[i]), unit, SYNTHETIC_SOURCE, "",
                             True))  # fmt: skip
                idx = np.flatnonzero(t_district == d)
                if not idx.size:
                    continue
                t_vals = _split(rng, d_vals[i], t_prop[idx] * rng.lognormal(0.0, 0.15, idx.size),
                                dec)  # fmt: skip
                for j, k in enumerate(idx):
                    rows.append((townships[int(k)][0], element, str(year), float(t_vals[j]), unit,
                                 SYNTHETIC_SOURCE, "", True))  # fmt: skip
    return rows


def _split(rng: np.random.Generator, total: float, weights: np.ndarray, dec: int) -> np.ndarray:
    if dec == 0:
        return rng.multinomial(round(total), weights / weights.sum()).astype(float)
    return split_total(total, weights, dec)
