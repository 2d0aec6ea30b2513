"""The synthetic demo's aggregate statistics: published Ningbo GDP, population, R&D / GDP and
高企 figures with their sources, the assumed paths between them, and the statistics table
of the city, districts and townships (``build_stats``) plus the unit statistics of the
evaluation (``evaluation_stats``).

Everything here is data or pure arithmetic; ``docs/demo-data.md`` explains each number.
Sources in brackets (``[j]``) are those of ``shared/reference/ningbo_facts.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from yanzhi.core.demo_calibration import CITY, DISTRICT_WEIGHTS, SYNTHETIC_SOURCE, hightech_city

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
DISTRICT_GDP_SHARES: dict[str, float] = {
    "330212": 0.170, "330282": 0.150, "330206": 0.135, "330203": 0.110, "330281": 0.105,
    "330211": 0.085, "330205": 0.060, "330226": 0.055, "330213": 0.050, "330225": 0.050,
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


def build_stats(
    rng: np.random.Generator,
    years: Sequence[int],
    districts: Sequence[str],
    townships: Sequence[tuple[str, str, str]],
    township_weight: np.ndarray,
) -> pd.DataFrame:
    """The aggregate statistics in long form (columns of core.dataformats.STATISTICS)."""
    rows: list[tuple[str, str, str, float, str, str, str, bool]] = []

    def add(unit: str, element: str, year: int, value: float, u: str, src: str, vintage: str,
            synthetic: bool) -> None:  # fmt: skip
        rows.append((unit, element, str(year), float(value), u, src, vintage, synthetic))

    d_codes = list(districts)
    gdp_w = np.array([DISTRICT_GDP_SHARES.get(d, 0.02) for d in d_codes])
    pop_w = np.array([DISTRICT_POPULATION_2024.get(d, 20.0) for d in d_codes])
    ind_w = np.array([DISTRICT_WEIGHTS.get(d, 0.02) for d in d_codes])
    t_district = np.array([t[2] for t in townships])
    t_pop_w = rng.lognormal(0.0, 0.45, len(townships))
    for year in years:
        drift = rng.lognormal(0.0, 0.015, len(d_codes))
        gdp = city_gdp(year)
        real = year in GDP_REAL
        src, vintage = (GDP_REAL[year][1], GDP_REAL[year][2]) if real else (SYNTHETIC_SOURCE, "")
        add(CITY, "gdp", year, gdp, "亿元", src, vintage, not real)
        d_gdp = split_total(gdp, gdp_w * drift, 1)
        pop = city_population(year)
        preal = year in POPULATION_REAL
        add(CITY, "resident_population", year, pop, "万人",
            POPULATION_SOURCE if preal else SYNTHETIC_SOURCE, "", not preal)  # fmt: skip
        d_real = year == 2024 and set(d_codes) <= set(DISTRICT_POPULATION_2024)
        if d_real:
            d_pop = np.array([DISTRICT_POPULATION_2024[d] for d in d_codes])
        else:
            d_pop = split_total(pop, pop_w * rng.lognormal(0.0, 0.005, len(d_codes)), 1)
        if year in RD_GDP_REAL:
            ratio, rsrc = RD_GDP_REAL[year]
            add(CITY, "rd_internal_expenditure", year, round(ratio / 100 * gdp, 2), "亿元", rsrc,
                GDP_REAL[year][2], False)  # fmt: skip
            rd_int = round(ratio / 100 * gdp, 2)
        else:
            rd_int = round(_extrapolate(RD_GDP_SYNTH, year, 0.1) / 100 * gdp, 2)
            add(CITY, "rd_internal_expenditure", year, rd_int, "亿元", SYNTHETIC_SOURCE, "", True)
        employed = round(pop * (0.64 - 0.002 * (year - 2019)), 1)
        fte = round(_extrapolate(RD_STAFF_PER_10K, year, 6) * employed)
        hvip = round(_extrapolate(HVIP_PER_10K, year, 1.4) * pop)
        ind_va = round(gdp * 0.335, 1)
        ht_va = round(ind_va * _extrapolate(HT_SHARE_PCT, year, 1.5) / 100, 1)
        fiscal = round(95.0 * 1.17 ** (year - 2019), 1)
        tech_smes = round(7500 * 1.12 ** (year - 2019))
        if year in HIGHTECH_REAL:
            ht_n, ht_src, ht_syn = HIGHTECH_REAL[year][0], HIGHTECH_REAL[year][1], False
        else:
            ht_n, ht_src, ht_syn = hightech_city(year), SYNTHETIC_SOURCE, True
        add(CITY, "hightech_enterprises", year, ht_n, "家", ht_src, "", ht_syn)
        synth_city = [
            ("employed_persons", employed, "万人", 1, pop_w),
            ("rd_personnel_fte_total", fte, "人年", 0, ind_w),
            ("high_value_invention_patents", hvip, "件", 0, gdp_w),
            ("above_size_industrial_value_added", ind_va, "亿元", 1, ind_w),
            ("hightech_industry_value_added", ht_va, "亿元", 1, ind_w),
            ("fiscal_st_spending", fiscal, "亿元", 1, gdp_w),
            ("tech_smes", tech_smes, "家", 0, ind_w),
        ]
        for element, value, unit, dec, w in synth_city:
            add(CITY, element, year, value, unit, SYNTHETIC_SOURCE, "", True)
            for d, v in zip(d_codes, split_total(value, w * drift, dec), strict=True):
                add(d, element, year, v, unit, SYNTHETIC_SOURCE, "", True)
        for d, v in zip(d_codes, split_total(ht_n, ind_w * drift, 0), strict=True):
            add(d, "hightech_enterprises", year, v, "家", SYNTHETIC_SOURCE, "", True)
        for d, v in zip(d_codes, split_total(rd_int, gdp_w * drift, 2), strict=True):
            add(d, "rd_internal_expenditure", year, v, "亿元", SYNTHETIC_SOURCE, "", True)
        for i, d in enumerate(d_codes):
            add(d, "gdp", year, d_gdp[i], "亿元", SYNTHETIC_SOURCE, "", True)
            psrc = DISTRICT_POPULATION_SOURCE if d_real else SYNTHETIC_SOURCE
            add(d, "resident_population", year, d_pop[i], "万人", psrc, "", not d_real)
            mask = t_district == d
            if not mask.any():
                continue
            idx = np.flatnonzero(mask)
            tw = township_weight[idx]
            t_gdp = split_total(d_gdp[i], tw / tw.sum() + 0.05, 2)
            t_pop = split_total(d_pop[i], t_pop_w[idx], 2)
            for j, k in enumerate(idx):
                code = townships[int(k)][0]
                add(code, "gdp", year, t_gdp[j], "亿元", SYNTHETIC_SOURCE, "", True)
                add(code, "resident_population", year, t_pop[j], "万人", SYNTHETIC_SOURCE, "",
                    True)  # fmt: skip
    rows += evaluation_stats(rng, years, d_codes, ind_w, townships, township_weight)
    columns = ["unit_code", "element", "period", "value", "unit", "source", "vintage", "synthetic"]
    return pd.DataFrame(rows, columns=columns)


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
    district_weight: np.ndarray,
    townships: Sequence[tuple[str, str, str]],
    township_weight: np.ndarray,
) -> list[tuple[str, str, str, float, str, str, str, bool]]:
    """City totals on an assumed path, split to districts and on to townships (counts by
    multinomial draws, money by noisy shares): townships add up to their district, districts
    to the city. Each unit keeps a persistent propensity per element."""
    rows: list[tuple[str, str, str, float, str, str, str, bool]] = []
    t_district = np.array([t[2] for t in townships])
    n_t, n_d = len(townships), len(districts)
    for element, (unit, base, growth, dec) in EVALUATION_ELEMENTS.items():
        d_prop = district_weight * rng.lognormal(0.0, 0.35, n_d)
        t_prop = (township_weight + 0.2 / max(n_t, 1)) * rng.lognormal(0.0, 0.6, n_t)
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
