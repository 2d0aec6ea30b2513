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
    """``frame`` has one row per enterprise with the indicator columns the scheme names,
    ``age`` and the bonus / negative flags; returns class scores, total and rank."""
    out = pd.DataFrame(index=frame.index)
    out["stage"] = stage(frame["age"], scheme)
    total = pd.Series(0.0, index=frame.index)
    for cls in scheme["classes"]:
        class_score = pd.Series(0.0, index=frame.index)
        for ind in cls["indicators"]:
            col = frame[ind["code"]].astype(float)
            if ind["code"] in BINARY:
                part = col.fillna(0).clip(0, 1)
            else:
                part = col.rank(pct=True, method="average").fillna(0)
            class_score += ind["full_score"] * part
        out[cls["code"]] = class_score.round(4)
        weights = out["stage"].map(cls["weights"]).astype(float)
        total += weights * class_score
    for item in [*scheme.get("bonus", []), *scheme.get("negative", [])]:
        flag = frame.get(item["code"], pd.Series(False, index=frame.index)).fillna(False)
        total += np.where(flag.astype(bool), item["points"], 0.0)
    out["points"] = total.round(4)
    out["rank"] = out["points"].rank(ascending=False, method="min").astype(int)
    return out
