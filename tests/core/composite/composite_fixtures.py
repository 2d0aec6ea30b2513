"""Shared data for the composite-index engine tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ASEM = Path(__file__).resolve().parents[2] / "data" / "oracles" / "asem"
ASEM_SPEC = {
    "denominate": True,
    "impute": {"method": "mean_group", "group": "EurAsia_group"},
    "screen": {"dat_thresh": 0.9, "unit_screen": "byNA"},
    "treat": {"winmax": 5, "skew_thresh": 2, "kurt_thresh": 3.5, "f2": "log_CT"},
    "normalise": {"method": "minmax", "l_u": [0, 100]},
    "aggregate": {"method": "amean"},
    "weights": "original",
}


def small_meta() -> pd.DataFrame:
    """Index <- A (w 1) <- i1, i2 ; Index <- B (w 3) <- i3 (direction -1)."""
    rows = [
        (1, "i1", 1, 1, "A", "Indicator", None, 10.0),
        (1, "i2", 1, 1, "A", "Indicator", None, None),
        (1, "i3", -1, 2, "B", "Indicator", "pop", None),
        (2, "A", 1, 1, "Index", "Aggregate", None, None),
        (2, "B", 1, 3, "Index", "Aggregate", None, None),
        (3, "Index", 1, 1, None, "Aggregate", None, None),
        (None, "grp", None, None, None, "Group", None, None),
        (None, "pop", None, None, None, "Denominator", None, None),
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "Level",
            "iCode",
            "Direction",
            "Weight",
            "Parent",
            "Type",
            "Denominator",
            "Target",
        ],
    )


def small_data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "uCode": ["U1", "U2", "U3", "U4", "U5"],
            "uName": ["one", "two", "three", "four", "five"],
            "grp": ["a", "a", "b", "b", "b"],
            "pop": [1.0, 2.0, 1.0, 4.0, 2.0],
            "i1": [1.0, 2.0, 3.0, 4.0, 5.0],
            "i2": [5.0, np.nan, 1.0, 2.0, 2.0],
            "i3": [2.0, 2.0, 6.0, 4.0, 10.0],
        }
    )


def synthetic(
    n_units: int = 162, n_pillars: int = 6, per: int = 5, seed: int = 7
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A random framework: n_pillars x per indicators, 2 sub-indices, one index."""
    rng = np.random.default_rng(seed)
    rows = []
    data = {"uCode": [f"U{i:03d}" for i in range(n_units)]}
    for p in range(n_pillars):
        for j in range(per):
            code = f"P{p}I{j}"
            rows.append((1, code, 1 if j % 4 else -1, 1.0, f"P{p}", "Indicator"))
            x = rng.lognormal(0, 0.6 + 0.3 * j, n_units)
            x[rng.random(n_units) < 0.03] = np.nan
            data[code] = x
    for p in range(n_pillars):
        rows.append((2, f"P{p}", 1, 1.0, "S0" if p < n_pillars // 2 else "S1", "Aggregate"))
    rows += [
        (3, "S0", 1, 1.0, "Index", "Aggregate"),
        (3, "S1", 1, 1.0, "Index", "Aggregate"),
        (4, "Index", 1, 1.0, None, "Aggregate"),
    ]
    meta = pd.DataFrame(rows, columns=["Level", "iCode", "Direction", "Weight", "Parent", "Type"])
    return pd.DataFrame(data), meta
