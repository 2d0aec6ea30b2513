"""Enterprise R&D diagnosis ("诊断+提升"): intensity over time, position among peers, the
money it would take to reach the plan's thresholds, and trend warnings. Pure: inputs are
the enterprise's reports and its peers' annual figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from yanzhi.core import thresholds
from yanzhi.core.periods import label_zh, parse_period

PLAN_TARGET = float(thresholds.PLAN_TARGET)  # 规上工业 R&D / revenue, the 2027 target
PRIORITY_THRESHOLD = float(thresholds.PRIORITY)


def intensity(rd: float | None, revenue: float | None) -> float | None:
    if rd is None or revenue is None or not revenue or np.isnan(rd) or np.isnan(revenue):
        return None
    return float(rd) / float(revenue)


def series(reports: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Annual (December YTD) and the latest year's YTD intensities of one enterprise."""
    annual: list[dict[str, Any]] = []
    ytd: list[dict[str, Any]] = []
    for r in reports.itertuples():
        p = parse_period(r.period)
        row = {
            "period": r.period,
            "rd_expense": float(r.rd_expense),
            "operating_revenue": float(r.operating_revenue),
            "intensity": intensity(r.rd_expense, r.operating_revenue),
        }
        (annual if p.last_month == 12 else ytd).append(row)
    latest_year = max((parse_period(r["period"]).year for r in ytd), default=None)
    ytd = [r for r in ytd if parse_period(r["period"]).year == latest_year]
    key = lambda r: parse_period(r["period"]).sort_key()  # noqa: E731
    return {"annual": sorted(annual, key=key), "ytd": sorted(ytd, key=key)}


def percentile(value: float, peers: pd.Series) -> float | None:
    """Share of peers whose intensity is at or below ``value`` (0–100)."""
    peers = peers.dropna()
    if peers.empty:
        return None
    return float((peers <= value).mean() * 100)


def gaps(rd: float, revenue: float) -> dict[str, Any]:
    """Extra R&D expense (万元) needed at this revenue to reach 3.4 % and 5 %."""
    return {
        f"to_{int(t * 1000) / 10:g}pct": {
            "threshold": t,
            "extra_rd_expense": max(0.0, round(t * revenue - rd, 4)),
            "reached": thresholds.meets(rd, revenue, exact),
        }
        for t, exact in (
            (PLAN_TARGET, thresholds.PLAN_TARGET),
            (PRIORITY_THRESHOLD, thresholds.PRIORITY),
        )
    }


@dataclass(frozen=True)
class Warning:
    rule: str
    message_zh: str
    message_en: str


def warnings(
    annual: list[dict[str, Any]],
    ytd: list[dict[str, Any]],
    previous_ytd: float | None,
    has_institution: bool | None,
) -> list[Warning]:
    out = []
    if len(annual) >= 2 and annual[-2]["rd_expense"] > 0 and annual[-1]["rd_expense"] == 0:
        out.append(
            Warning(
                "rd_stopped",
                f"{annual[-1]['period'][:4]}年研发费用为零(上年有研发)",
                "R&D stopped: none in the last full year, some the year before",
            )
        )
    elif len(annual) >= 2 and annual[-1]["rd_expense"] < annual[-2]["rd_expense"]:
        out.append(Warning("rd_fell", "研发费用同比下降", "R&D expense fell year on year"))
    if ytd and previous_ytd is not None and ytd[-1]["rd_expense"] < previous_ytd:
        out.append(
            Warning(
                "ytd_fell",
                f"{label_zh(ytd[-1]['period'])}研发费用低于上年同期",
                f"YTD R&D expense {ytd[-1]['period']} is below the same months last year",
            )
        )
    if has_institution is False:
        out.append(Warning("no_institution", "无研发机构", "no R&D institution"))
    return out
