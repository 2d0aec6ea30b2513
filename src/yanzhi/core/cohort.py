"""双倍增 as a cohort, computed: from the enterprise register's attribute versions, each
enterprise's state at a year's end, and a unit's stock, entries and departures year by year
against the doubling path 2^((t − base)/(end − base)) × the base year's stock. For 高企 a
departure is **lapsed** (到期未重新认定: the certificate it held the year before was issued
three or more years earlier — a certificate is valid for three years) or **revoked** (撤销/
取消: it left with a certificate in force); a new certificate while flagged is **renewed**.
科技型中小企业 are evaluated every year: a departure has no reason on record (None).

Pure: pandas only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

CERTIFICATE_YEARS = 3  # 高企 certificates are valid for three years


@dataclass(frozen=True)
class CohortYear:
    """One year of a unit's cohort: the stock at the year's end and the moves during it."""

    year: int
    stock: int | None  # None: the year has not ended yet
    path: float
    entered: int | None
    left: int | None
    lapsed: int | None  # 高企 only; None for 科技型中小企业 (no reason on record)
    revoked: int | None
    renewed: int | None
    net: int | None


@dataclass(frozen=True)
class CohortUnit:
    """A unit's (the city's or a district's) cohort of one concept."""

    unit_code: str
    unit_name: str
    base: int
    target: int  # twice the base, by the end year
    now: int  # the register's current count
    years: list[CohortYear]
    entered: int  # since the base year
    left: int
    lapsed: int | None
    revoked: int | None
    net: int
    latest_year: int | None  # the latest year end with a count
    on_path: bool | None  # the latest year end at or above the path


def year_end_state(versions: pd.DataFrame, at: pd.Timestamp | None) -> pd.DataFrame:
    """Each enterprise's latest attribute version on ``at`` (None: the latest of all), as the
    indicator pages' register count reads it."""
    mine = versions if at is None else versions[versions["valid_from"] <= at]
    return mine.groupby("enterprise_id").last()


def flagged(state: pd.DataFrame, flag: str) -> pd.Series:
    """Whether each enterprise of ``state`` carries ``flag`` (missing: no)."""
    return state[flag].fillna(False).astype(bool)


def unit_cohort(
    code: str,
    name: str,
    flag: str,
    states: dict[int, pd.DataFrame],
    now: pd.DataFrame,
    place: dict[int, str | None],
    only: str | None,
    years: range,
    day: dt.date,
) -> CohortUnit:
    """The cohort of ``flag`` in one unit (``only``: the district whose enterprises count,
    by ``place`` — enterprise id → district; None: all) over ``years`` (the first is the
    base), from the year-end ``states`` and the current state ``now``, as of ``day``."""

    def mine(state: pd.DataFrame) -> pd.DataFrame:
        if only is None:
            return state
        return state[[place.get(int(i)) == only for i in state.index]]

    start, end = years[0], years[-1]
    held: dict[int, pd.Series] = {}
    for y, state in states.items():
        s = mine(state)
        held[y] = s.index[flagged(s, flag)].to_series()
    base = len(held.get(start, []))
    out: list[CohortYear] = []
    for y in years:
        path = round(base * 2 ** ((y - start) / (end - start)), 1)
        ended = dt.date(y, 12, 31) <= day
        if y == start or not ended or y not in held:
            stock = len(held[y]) if ended and y in held else None
            out.append(CohortYear(y, stock, path, None, None, None, None, None, None))
            continue
        out.append(_moves(y, path, held, states, flag))
    counted = [y for y in out if y.stock is not None]
    latest = counted[-1] if counted else None
    moves = [y for y in out if y.entered is not None]
    hightech = flag == "hightech"
    return CohortUnit(
        unit_code=code,
        unit_name=name,
        base=base,
        target=2 * base,
        now=int(flagged(mine(now), flag).sum()),
        years=out,
        entered=sum(y.entered or 0 for y in moves),
        left=sum(y.left or 0 for y in moves),
        lapsed=sum(y.lapsed or 0 for y in moves) if hightech else None,
        revoked=sum(y.revoked or 0 for y in moves) if hightech else None,
        net=sum(y.net or 0 for y in moves),
        latest_year=latest.year if latest else None,
        on_path=None if latest is None or latest.stock is None else latest.stock >= latest.path,
    )


def _moves(
    y: int, path: float, held: dict[int, pd.Series], states: dict[int, pd.DataFrame], flag: str
) -> CohortYear:
    before, after = set(held[y - 1].index), set(held[y].index)
    entered, left = after - before, before - after
    if flag != "hightech":
        return CohortYear(y, len(after), path, len(entered), len(left), None, None, None,
                          len(after) - len(before))  # fmt: skip
    cert_before = states[y - 1]["hightech_cert_year"]
    cert_after = states[y]["hightech_cert_year"]
    lapsed = sum(
        1 for e in left
        if pd.notna(cert_before.get(e)) and int(cert_before[e]) + CERTIFICATE_YEARS <= y
    )  # fmt: skip
    renewed = sum(
        1 for e in after & before
        if pd.notna(cert_after.get(e)) and pd.notna(cert_before.get(e))
        and int(cert_after[e]) > int(cert_before[e])
    )  # fmt: skip
    return CohortYear(y, len(after), path, len(entered), len(left), lapsed, len(left) - lapsed,
                      renewed, len(after) - len(before))  # fmt: skip
