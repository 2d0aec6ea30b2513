"""The synthetic Ningbo demo panel: ~10⁴ 规上工业 enterprises, their year-to-date R&D reports
month by month, their register history, and the city / district / township statistics.

Pure computation (NumPy / pandas; no files, no database). Everything is deterministic for a
seed. Every generated value is labelled ``synthetic``; the published figures it is calibrated
to, and every assumption, are in :mod:`yanzhi.core.demo_calibration` (the enterprise panel),
:mod:`yanzhi.core.demo_places` (how districts and townships differ),
:mod:`yanzhi.core.demo_fit` (the fit to published levels and comparable-basis growth),
:mod:`yanzhi.core.demo_stats` (the aggregate statistics) and ``docs/demo-data.md``.
Enterprise codes and names are fictional: the organisation-code part of
each 统一社会信用代码 starts with :data:`USCC_MARKER` and every name contains 演示.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from yanzhi.core import demo_calibration as cal
from yanzhi.core import demo_fit as fit
from yanzhi.core import demo_places, demo_stats
from yanzhi.core import uscc as uscc_codes
from yanzhi.core.dataformats import ENTERPRISES, RD_REPORTS, SIZE_CLASSES
from yanzhi.core.periods import Period

USCC_MARKER = "YX"
NAME_MARKER = "演示"
_BRAND_1 = "甬明鄞姚慈仑象宁奉江"
_BRAND_2 = "兴达恒盛瑞信泰和丰源"
_TRADE = {
    "38": "电气", "34": "机械", "35": "装备", "36": "汽配", "26": "化工", "17": "纺织",
    "18": "服饰", "29": "塑胶", "33": "五金", "39": "电子", "25": "石化", "40": "仪器",
    "30": "建材", "31": "钢铁", "32": "新材料", "27": "医药", "13": "食品", "14": "食品",
    "15": "饮品", "19": "鞋业", "20": "木业", "21": "家具", "22": "纸业", "23": "印务",
    "24": "文体", "28": "化纤", "37": "船舶", "41": "制品", "42": "再生资源", "43": "设备维修",
}  # fmt: skip
_NEVER = 9999


@dataclass(frozen=True)
class DemoData:
    """The generated panel; each frame's columns are the field codes of core.dataformats."""

    enterprises: pd.DataFrame
    enterprise_history: pd.DataFrame
    rd: pd.DataFrame
    stats: pd.DataFrame
    calibration: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)
    cases: list[Any] = field(default_factory=list)  # core.demo_cases.DemoCase, 演示 cases


@dataclass
class _Firms:
    industry: np.ndarray  # str, 4-digit class
    township: np.ndarray  # int index into townships
    size: np.ndarray  # int index into SIZE_CLASSES
    founded: np.ndarray
    entry: np.ndarray  # first year of reporting
    exit: np.ndarray  # first year no longer reporting (_NEVER if none)
    rd_stop: np.ndarray  # first year without R&D (_NEVER if none)
    cert0: np.ndarray  # first 高企 certificate year (_NEVER if none)
    intensity: np.ndarray  # latent R&D intensity (fraction)
    move_year: np.ndarray
    move_to: np.ndarray  # township index after the move (-1 if none)
    innovation: np.ndarray  # innovation factor of the enterprise's place (core.demo_places)
    tech_sme: np.ndarray
    specialised: np.ndarray
    champion: np.ndarray


def generate(
    *,
    seed: int = 2027,
    n_enterprises: int = 10_000,
    townships: list[tuple[str, str, str]],
    industries: dict[str, str],
    last_month: tuple[int, int],
    first_year: int = 2019,
) -> DemoData:
    """Generate the demo panel; ``townships`` are (code, name, district code), ``industries``
    maps 4-digit GB/T 4754-2017 classes to names, reports run from ``first_year``-01 to
    ``last_month`` (year, month)."""
    last_year, last_m = last_month
    if not (1 <= last_m <= 12 and first_year <= last_year):
        raise ValueError(f"bad range {first_year}-01 … {last_year}-{last_m:02d}")
    if n_enterprises < 1 or not townships:
        raise ValueError("need at least one enterprise and one township")
    rng = np.random.default_rng(seed)
    places = demo_places.profile(rng, townships)
    t_weight = _township_weights(rng, places)
    firms = _draw_firms(rng, n_enterprises, townships, places, t_weight, industries,
                        (first_year, last_month))  # fmt: skip
    district_of = np.array([t[2] for t in townships])
    seq_width = max(4, len(str(n_enterprises)))
    seq = np.arange(1, n_enterprises + 1)
    codes = [
        uscc_codes.make(f"91{district_of[t]}{USCC_MARKER}{s:07d}")
        for t, s in zip(firms.township, seq, strict=True)
    ]
    brands = rng.integers(0, 10, (n_enterprises, 2))
    names = [
        f"{NAME_MARKER}{_BRAND_1[b[0]]}{_BRAND_2[b[1]]}{_TRADE.get(ind[:2], '实业')}"
        f"{s:0{seq_width}d}号有限公司"
        for b, ind, s in zip(brands, firms.industry, seq, strict=True)
    ]
    rd, calibration = _panel(rng, firms, np.array(codes, dtype=object), first_year, last_month)
    history = _history(firms, codes, names, townships, last_month)
    enterprises = (
        history.sort_values(["uscc", "as_of"], kind="stable")
        .drop_duplicates("uscc", keep="last")
        .sort_values("uscc", kind="stable")
        .reset_index(drop=True)
    )
    stat_last = last_year if last_m == 12 else last_year - 1
    districts = sorted({t[2] for t in townships})
    by_district = _by_district(rd, firms, np.array(codes, dtype=object))
    stats = demo_stats.build_stats(
        rng, range(first_year, stat_last + 1), districts, townships, (t_weight, places), by_district
    )
    meta = {
        "seed": seed,
        "n_enterprises": n_enterprises,
        "first_period": f"{first_year}-01",
        "last_period": f"{last_year}-{last_m:02d}",
        "uscc_marker": USCC_MARKER,
        "name_marker": NAME_MARKER,
        "rows": {
            "enterprises": len(enterprises),
            "enterprise_history": len(history),
            "rd": len(rd),
            "stats": len(stats),
        },
        "docs": "docs/demo-data.md",
    }
    return DemoData(enterprises, history, rd, stats, calibration, meta)


def _township_weights(rng: np.random.Generator, places: demo_places.Places) -> np.ndarray:
    """Probability of each township for an enterprise: district weight × (kind and role
    placement × log-normal noise σ 0.4, normalised within the district)."""
    tw = places.placement * rng.lognormal(0.0, 0.4, len(places.placement))
    out = np.zeros(len(tw))
    for d in sorted(set(places.district.tolist())):
        m = places.district == d
        out[m] = cal.DISTRICT_WEIGHTS.get(d, 0.03) * tw[m] / tw[m].sum()
    return out / out.sum()


def _size_weights(t_weight: np.ndarray, places: demo_places.Places, size: int) -> np.ndarray:
    """The township probabilities for an enterprise of ``size`` (index into SIZE_CLASSES):
    large and medium ones lean to hubs and zones, away from remote townships; each
    district keeps its share."""
    w = t_weight * places.affinity ** demo_places.SIZE_AFFINITY_EXPONENT[size]
    out = np.zeros(len(w))
    for d in sorted(set(places.district.tolist())):
        m = places.district == d
        out[m] = t_weight[m].sum() * w[m] / w[m].sum()
    return out / out.sum()


def _by_district(rd: pd.DataFrame, f: _Firms, codes: np.ndarray) -> demo_stats.PanelByDistrict:
    """The panel's December (full-year) totals per district and year: what the district
    statistics are split by."""
    dec = rd.loc[rd["period"].str.endswith("-01..12"), ["uscc", "period", "rd_expense",
                                                         "operating_revenue"]].copy()  # fmt: skip
    index = pd.Index(codes)
    pos = index.get_indexer(dec["uscc"])
    dec["year"] = dec["period"].str[:4].astype(int)
    dec["district"] = dec["uscc"].str[2:8]
    certified = f.cert0[pos] <= dec["year"].to_numpy()
    ht_div = np.array([c[:2] in cal.HIGHTECH_DIVISIONS for c in f.industry])[pos]
    dec["ht_revenue"] = dec["operating_revenue"] * np.where(
        certified, 1.0, np.where(ht_div, 0.5, 0)
    )
    dec["hightech"] = certified.astype(float)
    dec["tech_sme"] = f.tech_sme[pos].astype(float)

    def table(column: str) -> pd.DataFrame:
        return dec.pivot_table(index="year", columns="district", values=column, aggfunc="sum")

    return demo_stats.PanelByDistrict(
        rd=table("rd_expense"),
        revenue=table("operating_revenue"),
        hightech_revenue=table("ht_revenue"),
        hightech=table("hightech"),
        tech_sme=table("tech_sme"),
    )


def _between(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A uniform integer in [lo, hi] per element (lo ≤ hi assumed where used)."""
    return lo + np.floor(rng.random(lo.shape) * (hi - lo + 1)).astype(np.int64)


def _draw_firms(
    rng: np.random.Generator,
    n: int,
    townships: list[tuple[str, str, str]],
    places: demo_places.Places,
    t_weight: np.ndarray,
    industries: dict[str, str],
    span: tuple[int, tuple[int, int]],
) -> _Firms:
    first_year, (last_year, last_m) = span
    codes = sorted(c for c in industries if len(c) == 4 and c.isdigit() and 13 <= int(c[:2]) <= 43)
    if not codes:
        raise ValueError("no manufacturing class (divisions 13–43) among the industries")
    div = np.array([c[:2] for c in codes])
    noise = rng.lognormal(0.0, 0.6, len(codes)) * np.array(
        [cal.CLASS_BOOSTS.get(c, 1.0) for c in codes]
    )
    cls_w = np.zeros(len(codes))
    for d in sorted(set(div.tolist())):
        m = div == d
        cls_w[m] = (
            cal.DIVISION_WEIGHTS.get(d, cal.DEFAULT_DIVISION_WEIGHT) * noise[m] / noise[m].sum()
        )
    industry = np.array(codes)[rng.choice(len(codes), n, p=cls_w / cls_w.sum())]
    size = rng.choice(4, n, p=[cal.SIZE_SHARES[s] for s in SIZE_CLASSES])
    township = np.zeros(n, dtype=np.int64)
    for s in range(len(SIZE_CLASSES)):
        m = size == s
        township[m] = rng.choice(len(townships), int(m.sum()), p=_size_weights(t_weight, places, s))
    innovation = places.innovation[township]  # of the first township (moves stay in the district)
    # entry (新进规上) and exit, at year boundaries
    ones = np.ones(n, dtype=np.int64)
    entrant = (rng.random(n) < 0.12) & (last_year > first_year)
    entry = np.where(entrant, _between(rng, ones * (first_year + 1), ones * last_year), first_year)
    age = rng.gamma(2.0, 6.0, n).astype(np.int64)
    founded = np.where(entrant, entry - 1 - rng.poisson(2.5, n), first_year - 1 - age)
    founded = np.clip(founded, 1978, None)
    exits = (rng.random(n) < 0.07) & (entry + 1 <= last_year)
    exit_year = np.where(exits, _between(rng, entry + 1, ones * last_year), _NEVER)
    stops = (rng.random(n) < 0.02) & (entry + 1 <= last_year)
    rd_stop = np.where(stops, _between(rng, entry + 1, ones * last_year), _NEVER)
    # latent R&D intensity and 高企 ranking
    div_f = np.sqrt([cal.DIVISION_INTENSITY.get(c[:2], 1.0) for c in industry])
    intensity = (
        np.exp(rng.normal(math.log(0.025), 0.2, n)) * div_f * innovation**cal.PLACE_INTENSITY_EXP
    )
    size_bonus = np.array([1.5, 0.8, 0.0, -0.8])[size]
    ht_div = np.array([c[:2] in cal.HIGHTECH_DIVISIONS for c in industry])
    score = (size_bonus + 1.5 * np.log(intensity / 0.025) + 0.5 * ht_div
             + cal.PLACE_HIGHTECH_BONUS * np.log(innovation) + rng.normal(0, 1, n))  # fmt: skip
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(-score, kind="stable")] = np.arange(n)
    years = np.arange(min(cal.HIGHTECH_CITY), last_year + 1)
    share = cal.HIGHTECH_ABOVE_SIZE_SHARE * n / cal.REFERENCE_ENTERPRISES
    counts = np.maximum.accumulate([round(cal.hightech_city(int(y)) * share) for y in years])
    k = np.searchsorted(counts, rank, side="right")
    cert0 = np.where(k < len(years), years[np.minimum(k, len(years) - 1)], _NEVER)
    early = cert0 == years[0]
    cert0 = np.where(early, _between(rng, ones * 2008, ones * int(years[0])), cert0)
    cert0 = np.where(cert0 < _NEVER, np.maximum(cert0, founded + 1), _NEVER)
    # one township move for ~3 % (within the district), from July of the move year
    latest_move = last_year if last_m >= 7 else last_year - 1
    movers = (rng.random(n) < 0.03) & (entry + 1 <= latest_move)
    move_year = np.where(movers, _between(rng, entry + 1, ones * latest_move), _NEVER)
    move_to = -np.ones(n, dtype=np.int64)
    district = np.array([t[2] for t in townships])
    for e in np.flatnonzero(movers):
        same = np.flatnonzero(
            (district == district[township[e]]) & (np.arange(len(district)) != township[e])
        )
        if len(same):
            move_to[e] = same[rng.integers(0, len(same))]
    move_year = np.where(move_to >= 0, move_year, _NEVER)
    hightech_ever = cert0 < _NEVER
    return _Firms(
        industry=industry,
        township=township,
        size=size,
        founded=founded,
        entry=entry,
        exit=exit_year,
        rd_stop=rd_stop,
        cert0=cert0,
        intensity=intensity,
        move_year=move_year,
        move_to=move_to,
        innovation=innovation,
        tech_sme=(size != 0) & (rng.random(n) < np.minimum(0.9, 0.22 * innovation**0.8)),
        specialised=rng.random(n) < np.where(hightech_ever, 0.15, 0.04 * innovation**0.8),
        champion=(size <= 1) & (rng.random(n) < 0.02),
    )


def _norm_ppf(p: float) -> float:
    lo, hi = -8.0, 8.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if 0.5 * (1 + math.erf(mid / math.sqrt(2))) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _panel(
    rng: np.random.Generator,
    f: _Firms,
    codes: np.ndarray,
    first_year: int,
    last_month: tuple[int, int],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The YTD R&D reports of every enterprise and month, calibrated to the published
    totals, and the calibration table (target against generated)."""
    years = np.arange(first_year, last_month[0] + 1)
    present = (years[None, :] >= f.entry[:, None]) & (years[None, :] < f.exit[:, None])
    revenue, rd_annual = _annual_paths(rng, f, years, present)
    inc_rd, inc_rev = _monthly_increments(rng, revenue, rd_annual)
    anchors = fit.calibrate(inc_rd, inc_rev, years, last_month, present)
    rd_annual = inc_rd.sum(axis=2)
    ytd = (np.round(np.cumsum(inc_rd, axis=2), 2), np.round(np.cumsum(inc_rev, axis=2), 2))
    other = _other_fields(rng, f, years, rd_annual)
    rd = _report_rows(codes, years, present, last_month, ytd, other)
    return rd, fit.calibration_table(rd, anchors, last_month)


def _annual_paths(
    rng: np.random.Generator, f: _Firms, years: np.ndarray, present: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Annual revenue (万元) and R&D expense per enterprise × year, zero when absent."""
    n, ny = len(f.size), len(years)
    first_year = int(years[0])
    base = np.exp(
        np.log([cal.REVENUE_MEDIAN[SIZE_CLASSES[s]] for s in f.size])
        + rng.normal(0, 1, n) * np.array([cal.REVENUE_SIGMA[SIZE_CLASSES[s]] for s in f.size])
    )
    growth = rng.normal(0.06, 0.07, n)
    shocks = np.cumsum(rng.normal(0, 0.06, (n, ny)), axis=1)
    revenue = base[:, None] * np.exp(growth[:, None] * (years - first_year)[None, :] + shocks)
    is_ht = years[None, :] >= f.cert0[:, None]
    z_cut = np.array([_norm_ppf(cal.RD_ACTIVE_PROB[s]) for s in SIZE_CLASSES])[f.size]
    z_cut = z_cut + cal.PLACE_ACTIVE_SHIFT * np.log(f.innovation)
    z_cut = np.where(is_ht, _norm_ppf(0.96), z_cut[:, None])
    latent = 0.85 * rng.normal(0, 1, n)[:, None] + math.sqrt(1 - 0.85**2) * rng.normal(
        0, 1, (n, ny)
    )
    active = (latent < z_cut) & (years[None, :] < f.rd_stop[:, None])
    trend = np.array([cal.intensity_pct(int(y)) / cal.intensity_pct(2022) for y in years])
    intensity = (
        f.intensity[:, None]
        * np.where(is_ht, 1.15, 1.0)
        * np.exp(rng.normal(0, 0.1, (n, ny)))
        * trend[None, :]
    )
    rd_annual = revenue * intensity * active * present
    return revenue * present, rd_annual


def _monthly_increments(
    rng: np.random.Generator, revenue: np.ndarray, rd_annual: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The annual amounts spread over the months (enterprise × year × month) by the
    seasonal weights with enterprise noise: (R&D expense, revenue)."""
    n, ny = int(revenue.shape[0]), int(revenue.shape[1])
    w_rd = cal.RD_MONTH_WEIGHTS * rng.lognormal(0, 0.3, (n, ny, 12))
    w_rd /= w_rd.sum(axis=2, keepdims=True)
    w_rev = cal.REVENUE_MONTH_WEIGHTS * rng.lognormal(0, 0.08, (n, ny, 12))
    w_rev /= w_rev.sum(axis=2, keepdims=True)
    return rd_annual[:, :, None] * w_rd, revenue[:, :, None] * w_rev


@dataclass(frozen=True)
class _OtherFields:
    """The report fields other than revenue and R&D expense (enterprise × year, or per
    enterprise for the shares)."""

    personnel: np.ndarray
    fte: np.ndarray
    cap_share: np.ndarray
    npo_share: np.ndarray
    institution: np.ndarray


def _other_fields(
    rng: np.random.Generator, f: _Firms, years: np.ndarray, rd_annual: np.ndarray
) -> _OtherFields:
    """R&D personnel (from expense per head), FTE, the capitalised and new-product shares
    and whether the enterprise has an R&D institution."""
    n, ny = int(rd_annual.shape[0]), int(rd_annual.shape[1])
    cost = 20.0 * 1.05 ** (years - 2019)[None, :] * rng.lognormal(0, 0.25, n)[:, None]
    personnel = np.where(rd_annual > 0, np.maximum(1, np.round(rd_annual / cost)), 0)
    fte = np.round(personnel * rng.uniform(0.55, 0.9, n)[:, None], 1)
    cap_share = np.where(rng.random(n) < 0.15, rng.uniform(0.05, 0.3, n), 0.0)
    npo_share = np.where(
        rd_annual > 0,
        np.clip(rng.normal(0.3, 0.12, (n, ny)), 0.02, 0.9),
        np.where(rng.random((n, ny)) < 0.1, 0.05, 0.0),
    )
    institution_p = np.array([cal.RD_INSTITUTION_PROB[s] for s in SIZE_CLASSES])[f.size]
    institution = (rng.random(n) < institution_p)[:, None] & (rd_annual > 0)
    return _OtherFields(personnel, fte, cap_share, npo_share, institution)


def _report_rows(
    codes: np.ndarray,
    years: np.ndarray,
    present: np.ndarray,
    last_month: tuple[int, int],
    ytd: tuple[np.ndarray, np.ndarray],
    other: _OtherFields,
) -> pd.DataFrame:
    """The report rows: period-major, only enterprises present that year, months up to
    ``last_month``; columns in the order of the R&D import format."""
    last_year, last_m = last_month
    n, ny = len(codes), len(years)
    ytd_rd, ytd_rev = ytd
    valid = (years[:, None] * 12 + np.arange(12)[None, :]) <= last_year * 12 + last_m - 1
    keep = (present[:, :, None] & valid[None, :, :]).transpose(1, 2, 0).reshape(-1)

    def flat(a: np.ndarray) -> np.ndarray:
        if a.ndim == 2:
            a = np.broadcast_to(a[:, :, None], (n, ny, 12))
        return np.ascontiguousarray(a.transpose(1, 2, 0)).reshape(-1)[keep]

    periods = np.array([str(Period.of_ytd(int(y), m)) for y in years for m in range(1, 13)])
    rd_rows = flat(ytd_rd)
    cap = np.tile(other.cap_share, ny * 12)[keep]
    rd = pd.DataFrame(
        {
            "uscc": np.tile(codes, ny * 12)[keep],
            "period": np.repeat(periods, n)[keep],
            "operating_revenue": flat(ytd_rev),
            "rd_expense": rd_rows,
            "rd_expense_capitalised": np.round(rd_rows * cap, 2),
            "rd_personnel": flat(other.personnel).astype(np.int64),
            "rd_personnel_fte": flat(other.fte),
            "new_product_output": np.round(flat(ytd_rev * other.npo_share[:, :, None]), 2),
            "has_rd_institution": flat(other.institution),
            "correction": False,
            "synthetic": True,
        }
    )
    assert list(rd.columns) == [fl.code for fl in RD_REPORTS.fields]
    return rd


def _contact(e: int) -> tuple[str, str, None]:
    """The synthetic 联系人 and 联系电话 of enterprise ``e`` (no e-mail): a 演示 name and a
    number in a made-up 0574-5550xxxx block, so no real person is ever called."""
    return f"演示联系人{e + 1:05d}", f"0574-5550{e % 10000:04d}", None


def _history(
    f: _Firms,
    codes: list[str],
    names: list[str],
    townships: list[tuple[str, str, str]],
    last_month: tuple[int, int],
) -> pd.DataFrame:
    """Every version of every register entry: the state on entry, then one row per change
    (a 高企 certificate or renewal on 12-31 of its year, a township move on 07-01)."""
    last_year, last_m = last_month
    cert_ref = last_year if last_m == 12 else last_year - 1
    rows: list[tuple[Any, ...]] = []
    for e in range(len(codes)):
        c0, entry = int(f.cert0[e]), int(f.entry[e])
        certs = list(range(c0, cert_ref + 1, 3)) if c0 <= cert_ref else []
        before = [c for c in certs if c < entry]
        town, cert = int(f.township[e]), (before[-1] if before else None)
        static = (
            codes[e], names[e], str(f.industry[e]), SIZE_CLASSES[f.size[e]], int(f.founded[e])
        )  # fmt: skip
        flags = (bool(f.tech_sme[e]), bool(f.specialised[e]), bool(f.champion[e]))
        contact = _contact(e)
        changes: list[tuple[str, str, int]] = [
            (f"{c}-12-31", "cert", c) for c in certs if c >= entry
        ]
        if f.move_to[e] >= 0:
            changes.append((f"{int(f.move_year[e])}-07-01", "move", int(f.move_to[e])))
        changes.sort()
        states = [(f"{entry}-01-01", town, cert)]
        for as_of, what, value in changes:
            if what == "cert":
                cert = value
            else:
                town = value
            states.append((as_of, town, cert))
        for as_of, town, cert in states:
            rows.append(
                (*static[:3], townships[town][0], *static[3:], True, cert is not None, cert,
                 *flags, *contact, as_of, True)
            )  # fmt: skip
    history = pd.DataFrame(rows, columns=[fl.code for fl in ENTERPRISES.fields])
    history["hightech_cert_year"] = history["hightech_cert_year"].astype("Int64")
    return history.sort_values(["as_of", "uscc"], kind="stable").reset_index(drop=True)
