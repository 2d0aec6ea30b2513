"""Innovation points (创新积分): a scheme as data (classes → indicators with full scores →
weights by growth stage, bonus and negative items) and its scoring, vectorised."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

BINARY = {"has_rd_institution", "hightech", "tech_sme"}


def stage(age: pd.Series, scheme: Mapping[str, Any]) -> pd.Series:
    out = pd.Series("mature", index=age.index, dtype=object)
    limits = [(k, v.get("max_age")) for k, v in scheme["stages"].items() if v.get("max_age")]
    for key, max_age in sorted(limits, key=lambda kv: -kv[1]):
        out[age < max_age] = key
    return out


def score(frame: pd.DataFrame, scheme: Mapping[str, Any]) -> pd.DataFrame:
    """``frame`` has one row per enterprise with the indicator columns the scheme names
    (an indicator without a column, or a row without a value, is not computed — never
    scored zero), ``age`` and the bonus / negative flags. A class scores 0–100 over the
    indicators it could compute (Σ full_score × part ÷ Σ full_score of those computed;
    no indicator computed: no class score); the total is the stage-weighted mean of the
    classes computed plus bonus and negative points. ``missing`` lists, per row, the
    names of the indicators not computed."""
    out = pd.DataFrame(index=frame.index)
    out["stage"] = stage(frame["age"], scheme)
    weighted = pd.Series(0.0, index=frame.index)
    weights_used = pd.Series(0.0, index=frame.index)
    missing: list[list[str]] = [[] for _ in range(len(frame))]
    for cls in scheme["classes"]:
        got = pd.Series(0.0, index=frame.index)
        full = pd.Series(0.0, index=frame.index)
        for ind in cls["indicators"]:
            part = _part(frame, ind["code"])
            known = part.notna()
            got += (ind["full_score"] * part).where(known, 0.0)
            full += np.where(known, float(ind["full_score"]), 0.0)
            for pos in np.flatnonzero(~known.to_numpy()):
                missing[pos].append(str(ind.get("name", ind["code"])))
        class_score = (100 * got / full.where(full > 0)).round(4)
        out[cls["code"]] = class_score
        w = out["stage"].map(cls["weights"]).astype(float).where(class_score.notna(), 0.0)
        weighted += (w * class_score).fillna(0.0)
        weights_used += w
    total = weighted / weights_used.where(weights_used > 0)
    for item in [*scheme.get("bonus", []), *scheme.get("negative", [])]:
        flag = frame.get(item["code"], pd.Series(False, index=frame.index)).fillna(False)
        total += np.where(flag.astype(bool), item["points"], 0.0)
    out["points"] = total.round(4)
    out["rank"] = out["points"].rank(ascending=False, method="min", na_option="bottom")
    out["rank"] = out["rank"].astype(int)
    out["missing"] = missing
    return out


def _part(frame: pd.DataFrame, code: str) -> pd.Series:
    """An indicator's share of its full score per row (yes/no: 1 or 0; a number: its
    percentile rank among the rows that have it); NaN where not computed."""
    if code not in frame or frame[code].isna().all():
        return pd.Series(np.nan, index=frame.index)
    col = pd.to_numeric(frame[code], errors="coerce").astype(float)
    if code in BINARY:
        return col.clip(0, 1)
    return col.rank(pct=True, method="average")
