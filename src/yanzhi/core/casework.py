"""诊断+提升 casework, the pure part: the catalogue of actions an officer agrees with an
enterprise, the rule that ranks the diagnosed enterprises for a visit (with a reason per
enterprise), an enterprise's outcome (intensity before and after) and the effect of the
casework (difference in differences against comparable enterprises without a case).

The ranking rule (:data:`WEIGHTS`), points out of 100:

- gain (40): the extra R&D expense (万元) it takes to reach 3.4 % of revenue, or 5 % for an
  enterprise already at 3.4 %: the money the visit can move toward the plan's thresholds.
  Scored as the enterprise's share of the largest gain in the list (log scale, so that a
  few giants do not crowd out the rest).
- size (15): revenue, the same way (log share of the largest): a large enterprise's
  intensity weighs more in the city's ratio.
- trend (20): R&D expense fell against the year before (20), or stopped (20); flat or up 0.
- institution (15): no R&D institution (15); unknown 0.
- deduction (10): never claimed the R&D super-deduction (10). The platform holds no record
  of claims: the points count only where the caller says (``claimed_deduction`` False);
  unknown scores 0 and the reason says so.

Ties are broken by the gain, then the USCC. An enterprise already at 5 % has no gain and
is not ranked."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from yanzhi.core import thresholds

PLAN_TARGET = float(thresholds.PLAN_TARGET)
PRIORITY = float(thresholds.PRIORITY)

WEIGHTS: dict[str, float] = {
    "gain": 40.0,
    "size": 15.0,
    "trend": 20.0,
    "institution": 15.0,
    "deduction": 10.0,
}
"""Points of each part of the ranking rule (total 100)."""


@dataclass(frozen=True)
class Action:
    code: str
    zh: str
    days: int  # the usual time allowed, from the visit to the due date


ACTIONS: tuple[Action, ...] = (
    Action("bookkeeping", "规范建账", 60),
    Action("institution", "设立研发机构", 180),
    Action("certification", "申报高企/科技型中小企业", 120),
    Action("deduction", "申请加计扣除", 90),
    Action("reserve_fund", "研发准备金", 90),
)
"""The catalogue of agreed actions."""

ACTION_ZH = {a.code: a.zh for a in ACTIONS}

OPEN, CLOSED = "open", "closed"
CASE_STATUS_ZH = {OPEN: "跟进中", CLOSED: "已结案"}
PENDING, DONE = "pending", "done"
ACTION_STATUS_ZH = {PENDING: "未完成", DONE: "已完成"}


def _log_share(values: pd.Series) -> pd.Series:
    v = np.log1p(values.clip(lower=0).astype(float))
    top = float(v.max()) if len(v) else 0.0
    return v / top if top > 0 else v * 0.0


def rank(frame: pd.DataFrame) -> pd.DataFrame:
    """The ranked list. ``frame`` has one row per enterprise: uscc, rd_expense,
    operating_revenue (万元, the diagnosis year), rd_expense_previous (NaN: unknown),
    has_rd_institution (True/False/None) and optionally claimed_deduction (True/False/None).
    Returns the enterprises below 5 % with revenue, with gain_to_34, gain_to_5, gain (the
    gain scored), the points of each part, score and reason (Chinese), best first, with
    ``rank`` from 1."""
    f = frame.copy()
    if "claimed_deduction" not in f:
        f["claimed_deduction"] = None
    f = f[(f["operating_revenue"] > 0)].copy()
    f["intensity"] = f["rd_expense"] / f["operating_revenue"]
    f = f[f["intensity"] < PRIORITY].copy()
    f["gain_to_34"] = (PLAN_TARGET * f["operating_revenue"] - f["rd_expense"]).clip(lower=0)
    f["gain_to_5"] = (PRIORITY * f["operating_revenue"] - f["rd_expense"]).clip(lower=0)
    f["gain"] = f["gain_to_34"].where(f["gain_to_34"] > 0, f["gain_to_5"])
    prev = pd.to_numeric(f["rd_expense_previous"], errors="coerce")
    f["trend"] = np.where(
        (prev > 0) & (f["rd_expense"] == 0), "stopped", np.where(f["rd_expense"] < prev, "fell", "")
    )
    f["p_gain"] = WEIGHTS["gain"] * _log_share(f["gain"])
    f["p_size"] = WEIGHTS["size"] * _log_share(f["operating_revenue"])
    f["p_trend"] = np.where(f["trend"] != "", WEIGHTS["trend"], 0.0)
    f["p_institution"] = np.where(
        f["has_rd_institution"].map(lambda v: v is False or v == 0), WEIGHTS["institution"], 0.0
    )
    f["p_deduction"] = np.where(
        f["claimed_deduction"].map(lambda v: v is False), WEIGHTS["deduction"], 0.0
    )
    parts = ["p_gain", "p_size", "p_trend", "p_institution", "p_deduction"]
    f["score"] = f[parts].sum(axis=1).round(2)
    for p in parts:
        f[p] = f[p].round(2)
    f["reason"] = [_reason(r) for r in f.to_dict("records")]
    f = f.sort_values(["score", "gain", "uscc"], ascending=[False, False, True])
    f["rank"] = np.arange(1, len(f) + 1)
    return f.reset_index(drop=True)


def _wan(v: float) -> str:
    return f"{v / 10000:,.2f}亿元" if v >= 10000 else f"{v:,.1f}万元"


def _reason(r: dict[str, object]) -> str:
    gain_34, gain_5 = float(r["gain_to_34"]), float(r["gain_to_5"])  # type: ignore[arg-type]
    intensity = float(r["intensity"])  # type: ignore[arg-type]
    bits = [f"研发强度{intensity * 100:.2f}%"]
    if gain_34 > 0:
        bits.append(f"距3.4%需增加研发投入{_wan(gain_34)}")
    else:
        bits.append(f"已达3.4%，距5%需增加研发投入{_wan(gain_5)}")
    bits.append(f"营业收入{_wan(float(r['operating_revenue']))}")  # type: ignore[arg-type]
    if r["trend"] == "stopped":
        bits.append("研发投入中断")
    elif r["trend"] == "fell":
        bits.append("研发费用同比下降")
    v = r["has_rd_institution"]
    if v is False or v == 0:
        bits.append("无研发机构")
    c = r.get("claimed_deduction")
    bits.append("未享受加计扣除" if c is False else ("" if c else "加计扣除情况未知"))
    return "；".join(b for b in bits if b)


def due_days(code: str) -> int:
    """The usual days allowed for action ``code`` (ValueError for one not in the catalogue)."""
    for a in ACTIONS:
        if a.code == code:
            return a.days
    raise ValueError(f"unknown action {code!r}")


def intensity_band(v: float) -> str:
    """The starting-intensity band used to match comparable enterprises."""
    if v <= 0:
        return "0"
    if v < 0.01:
        return "<1%"
    if v < PLAN_TARGET:
        return "1-3.4%"
    return "3.4-5%"


def effect(panel: pd.DataFrame) -> pd.DataFrame:
    """Difference in differences by district. ``panel``: one row per enterprise with
    district, size_class, before and after (intensity, fractions) and treated (has a case).
    A treated enterprise is compared with the untreated ones of its cell (district × size
    class × starting-intensity band); cells without both are left out (counted in
    ``unmatched``). Per district: treated and matched counts, mean change of the treated,
    the cell-weighted mean change of their comparisons, and effect = the difference (in
    percentage points). A last row ``district`` None is all districts together."""
    p = panel.dropna(subset=["before", "after"]).copy()
    p["band"] = p["before"].map(intensity_band)
    p["change"] = p["after"] - p["before"]
    cell = ["district", "size_class", "band"]
    control = (
        p[~p["treated"]]
        .groupby(cell, dropna=False)["change"]
        .agg(["mean", "size"])
        .rename(columns={"mean": "control_change", "size": "controls"})
    )
    t = p[p["treated"]].join(control, on=cell)
    rows = []
    groups = [(d, g) for d, g in t.groupby("district", sort=True)] + [(None, t)]
    for district, g in groups:
        m = g.dropna(subset=["control_change"])
        treated_change = float(m["change"].mean()) if len(m) else None
        control_change = float(m["control_change"].mean()) if len(m) else None
        rows.append(
            {
                "district": district,
                "treated": len(g),
                "matched": len(m),
                "unmatched": int(len(g) - len(m)),
                "controls": int(
                    control.loc[
                        control.index.isin(list(map(tuple, m[cell].drop_duplicates().values)))
                    ]["controls"].sum()
                )
                if len(m)
                else 0,
                "treated_change_pp": None if treated_change is None else treated_change * 100,
                "control_change_pp": None if control_change is None else control_change * 100,
                "effect_pp": None
                if treated_change is None or control_change is None
                else (treated_change - control_change) * 100,
            }
        )
    return pd.DataFrame(rows)
