"""Fitting the synthetic panel (:mod:`yanzhi.core.demo`) to Ningbo's published R&D figures:
the levels (亿元) and the growth rates, which statistics offices publish on a **comparable
basis** (the same enterprises in both periods), and the calibration table that shows every
target against what the generator produced.

Why both: the two published levels 503.0 (2021) and 599.3 (2022) differ by +19.1 %, while the
published growth of 2022 is +16.7 %; the difference is the enterprises that entered the
规上 panel in 2022 (or left it after 2021). The generator makes the level growth and the
matched-panel growth both come out as published (docs/demo-data.md, "The 2022 growth gap").
Pure arithmetic on arrays (enterprise × year × month increments).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from yanzhi.core import demo_calibration as cal
from yanzhi.core.periods import Period

Anchors = dict[int, list[tuple[int, float, str]]]


def calibrate(
    inc_rd: np.ndarray,
    inc_rev: np.ndarray,
    years: np.ndarray,
    last_month: tuple[int, int],
    present: np.ndarray,
) -> Anchors:
    """Scale the monthly increments in place: R&D to the level anchors of each year, the
    split between continuing enterprises and entrants so that the matched-panel growth of a
    year whose two levels are published equals the published growth, the years whose level
    is unknown so that the matched-panel growth into the next year is the published one,
    and revenue to the assumed intensity. Returns each year's anchors (month, 亿元, source)."""
    ys = [int(y) for y in years]
    anchors: Anchors = {}
    for i, y in enumerate(ys):
        anchors[y] = _level_anchors(y, last_month)
        inc_rd[:, i, :] = cal.scale_segments(inc_rd[:, i, :], [(m, t) for m, t, _ in anchors[y]])
        if y - 1 in ys and (y, 12) in cal.COMPARABLE_GROWTH and (y - 1, 12) in cal.RD_PUBLISHED:
            _entrants_carry(inc_rd, present, i, cal.COMPARABLE_GROWTH[(y, 12)][0])
    for y in sorted(ys, reverse=True):  # unknown levels: from the next year's matched growth
        months = sorted(m for (gy, m) in cal.COMPARABLE_GROWTH if gy == y + 1)
        if y + 1 in ys and months and (y, 12) not in cal.RD_PUBLISHED:
            anchors[y] = _from_growth(inc_rd, present, ys.index(y), y, months)
    first_derived = min((y for y in ys if (y + 1, 12) in cal.COMPARABLE_GROWTH), default=None)
    for y in sorted((y for y in ys if first_derived and y < first_derived), reverse=True):
        i = ys.index(y)  # before the derived years: the next year ÷ an assumed growth
        target = float(inc_rd[:, i + 1, :].sum()) / 1e4 / cal.RD_GROWTH_2020
        note = f"synthetic: {y + 1} ÷ {cal.RD_GROWTH_2020} (assumed growth)"
        anchors[y] = [(12, target, note)]
        inc_rd[:, i, :] = cal.scale_segments(inc_rd[:, i, :], [(12, target)])
    for i, y in enumerate(ys):
        annual = float(inc_rd[:, i, :].sum()) / 1e4
        if y == last_month[0] and last_month[1] < 12:
            annual = cal.rd_target_for_year(y)
        rev_target = annual / (cal.intensity_pct(y) / 100)
        inc_rev[:, i, :] = cal.scale_segments(inc_rev[:, i, :], [(12, rev_target)])
    return anchors


def _level_anchors(y: int, last_month: tuple[int, int]) -> list[tuple[int, float, str]]:
    """The published or assumed level anchors of a year, plus the last month's seasonal
    share of the annual target in the last (incomplete) year."""
    last_year, last_m = last_month
    a = cal.rd_anchors(y)
    if y == last_year and last_m not in [m for m, _, _ in a]:
        share = float(np.cumsum(cal.RD_MONTH_WEIGHTS)[last_m - 1])
        note = f"synthetic: annual target × assumed seasonal share {share:.3f}"
        a.append((last_m, cal.rd_target_for_year(y) * share, note))
        a.sort()
    return a


def _entrants_carry(inc: np.ndarray, present: np.ndarray, i: int, growth: float) -> None:
    """Year ``i``'s level stays; the enterprises present in both years grow by ``growth``
    and the entrants of year ``i`` carry the rest (their factor also applies to their later
    years, which are scaled to their own anchors afterwards)."""
    matched = present[:, i - 1] & present[:, i]
    entrants = present[:, i] & ~present[:, i - 1]
    level = float(inc[:, i, :].sum())
    want = growth * float(inc[matched, i - 1, :].sum())
    m0, e0 = float(inc[matched, i, :].sum()), float(inc[entrants, i, :].sum())
    if m0 <= 0 or e0 <= 0 or want >= level:
        return  # a panel too small to split (no entrants with R&D): levels only
    inc[matched, i, :] *= want / m0
    inc[entrants, i:, :] *= (level - want) / e0


def _from_growth(
    inc: np.ndarray, present: np.ndarray, i: int, year: int, months: list[int]
) -> list[tuple[int, float, str]]:
    """Rescale year ``i`` (all enterprises, one factor per segment) so that the matched
    panel's YTD growth into year ``i + 1`` at each month is the published one; December
    follows from the last such month by the assumed December share."""
    matched = present[:, i] & present[:, i + 1]
    anchors: list[tuple[int, float, str]] = []
    start, done = 0, 0.0
    for m in months:
        growth, source = cal.COMPARABLE_GROWTH[(year + 1, m)]
        want = float(inc[matched, i + 1, :m].sum()) / growth
        seg = float(inc[matched, i, start:m].sum())
        if seg <= 0 or want <= done:  # a panel too small to fit: back to the level anchors
            level_anchors = _level_anchors(year, (year, 12))
            inc[:, i, :] = cal.scale_segments(inc[:, i, :], [(a, t) for a, t, _ in level_anchors])
            return level_anchors
        inc[:, i, start:m] *= (want - done) / seg
        done, start = want, m
        level = float(inc[:, i, :m].sum()) / 1e4
        anchors.append((m, level, f"derived: matched-panel growth into {year + 1} = {source}"))
    if start < 12:
        level = anchors[-1][1] / (1 - cal.DEC_SHARE)
        tail = [(start, anchors[-1][1]), (12, level)]
        inc[:, i, :] = cal.scale_segments(inc[:, i, :], tail)
        anchors.append((12, level, f"synthetic: 1-{start}月 ÷ (1 − assumed Dec share)"))
    return anchors


def matched_growth(rd: pd.DataFrame, period: str, previous: str) -> float:
    """YTD R&D growth (%) of the enterprises that report in both periods (the matched panel)."""
    now = rd.loc[rd["period"] == period, ["uscc", "rd_expense"]].set_index("uscc")["rd_expense"]
    before = rd.loc[rd["period"] == previous, ["uscc", "rd_expense"]]
    before = before.set_index("uscc")["rd_expense"]
    both = now.index.intersection(before.index)
    base = float(before[both].sum())
    return (float(now[both].sum()) / base - 1) * 100 if base > 0 else float("nan")


def calibration_table(
    rd: pd.DataFrame, anchors: Anchors, last_month: tuple[int, int]
) -> pd.DataFrame:
    """Target against generated for every anchor (亿元), every published growth rate on the
    comparable basis and the level growth between the two published levels (%), and every
    complete year's intensity (%)."""
    last_year, last_m = last_month
    by_rd = rd.groupby("period", sort=False)["rd_expense"].sum()
    by_rev = rd.groupby("period", sort=False)["operating_revenue"].sum()
    rows: list[tuple[str, str, float, float, str, str]] = []
    for y, a in anchors.items():
        for m, target, source in a:
            if y == last_year and m > last_m:
                continue
            p = str(Period.of_ytd(y, m))
            gen = float(by_rd.get(p, 0.0)) / 1e4
            rows.append((p, "rd_expense", round(target, 2), round(gen, 2), "亿元", source))
        if y < last_year or last_m == 12:
            p = str(Period.of_ytd(y, 12))
            ratio = float(by_rd[p] / by_rev[p] * 100)
            rows.append((p, "rd_intensity", cal.intensity_pct(y), round(ratio, 3), "%",
                         "assumption: real value unknown (ningbo_facts.md §1)"))  # fmt: skip
    for (y, m), (growth, source) in sorted(cal.COMPARABLE_GROWTH.items()):
        p, prev = str(Period.of_ytd(y, m)), str(Period.of_ytd(y - 1, m))
        if p not in by_rd.index or prev not in by_rd.index:
            continue
        gen = matched_growth(rd, p, prev)
        rows.append((p, "rd_growth_comparable", round((growth - 1) * 100, 2), round(gen, 2),
                     "%", source))  # fmt: skip
        if m == 12 and (y, 12) in cal.RD_PUBLISHED and (y - 1, 12) in cal.RD_PUBLISHED:
            level = cal.RD_PUBLISHED[(y, 12)][0] / cal.RD_PUBLISHED[(y - 1, 12)][0]
            base = float(by_rd[prev])
            gen_level = (float(by_rd[p]) / base - 1) * 100 if base > 0 else float("nan")
            rows.append((p, "rd_growth_level", round((level - 1) * 100, 2), round(gen_level, 2),
                         "%", f"derived: published levels {cal.RD_PUBLISHED[(y, 12)][0]} ÷ "
                         f"{cal.RD_PUBLISHED[(y - 1, 12)][0]} [j][n]"))  # fmt: skip
    return pd.DataFrame(
        rows, columns=["period", "element", "target", "generated", "unit", "source"]
    )
