"""Data-preparation steps: denominate, impute, screen (COINr Denominate / Impute / Screen).

Every function takes and returns a data set: a DataFrame indexed by uCode with one float column
per indicator, and never modifies its input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import spec_error

IMPUTE_METHODS = ("mean", "median", "mean_group", "median_group", "latest", "none")
SCREEN_METHODS = ("byNA", "byZeros", "byNAandZeros", "none")


def denominate(
    data: pd.DataFrame, denoms: pd.DataFrame, denom_by: Mapping[str, str]
) -> pd.DataFrame:
    """Divide each indicator named in ``denom_by`` by its denominator column (x / d)."""
    out = data.copy()
    for code, den in denom_by.items():
        if code in out.columns:
            out[code] = out[code] / denoms[den].reindex(out.index)
    return out


def impute(
    data: pd.DataFrame,
    method: str,
    groups: pd.Series | None = None,
    history: Sequence[pd.DataFrame] = (),
    max_lag: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Impute missing values column by column; returns (imputed, mask of imputed cells).

    * ``mean`` / ``median``: the indicator's mean / median over all units;
    * ``mean_group`` / ``median_group``: the mean / median within the unit's group (``groups``,
      indexed by uCode); a group with no data stays missing (COINr ``i_mean_grp``);
    * ``latest``: the unit's most recent earlier value (``history`` = earlier periods, oldest
      first, each indexed by uCode), at most ``max_lag`` periods back;
    * ``none``: nothing imputed.
    """
    if method not in IMPUTE_METHODS:
        raise spec_error(
            "impute.method",
            "invalid_option",
            f"未知的插补方法 {method}",
            f"unknown imputation method {method}",
        )
    out = data.copy()
    missing = out.isna()
    if method == "none":
        return out, missing & False
    if method in ("mean", "median"):
        fill = out.mean() if method == "mean" else out.median()
        out = out.fillna(fill)
    elif method in ("mean_group", "median_group"):
        if groups is None:
            raise spec_error(
                "impute.group",
                "missing_group",
                "分组插补需要指定分组列",
                "group imputation needs a group column",
            )
        g = groups.reindex(out.index)
        agg = "mean" if method == "mean_group" else "median"
        out = out.fillna(out.groupby(g.to_numpy()).transform(agg))
    else:
        past = list(history)
        if max_lag is not None:
            past = past[-max_lag:] if max_lag > 0 else []
        for prev in reversed(past):
            out = out.fillna(prev.reindex(index=out.index, columns=out.columns))
    return out, missing & out.notna()


def screen(
    data: pd.DataFrame,
    unit_screen: str = "byNA",
    dat_thresh: float = 0.66,
    nonzero_thresh: float = 0.05,
    force: Mapping[str, bool] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Screen units by data availability and / or share of non-zero values.

    A unit is removed when (``byNA``) its share of non-missing indicators is below
    ``dat_thresh``, (``byZeros``) its share of non-zero values among the non-missing ones is below
    ``nonzero_thresh``, or (``byNAandZeros``) either. ``force`` maps uCode -> True (always keep)
    or False (always remove). Returns (screened data, per-unit summary).
    """
    if unit_screen not in SCREEN_METHODS:
        raise spec_error(
            "screen.unit_screen",
            "invalid_option",
            f"未知的筛选方式 {unit_screen}",
            f"unknown unit_screen {unit_screen}",
        )
    n = data.shape[1]
    n_na = data.isna().sum(axis=1)
    n_zero = (data == 0).sum(axis=1)
    avail = 1 - n_na / n
    with np.errstate(divide="ignore", invalid="ignore"):
        nonzero = 1 - n_zero / (n - n_na)
    low_data = avail < dat_thresh
    low_nz = nonzero < nonzero_thresh
    if unit_screen == "byNA":
        drop = low_data
    elif unit_screen == "byZeros":
        drop = low_nz
    elif unit_screen == "byNAandZeros":
        drop = low_data | low_nz
    else:
        drop = low_data & False
    included = ~drop
    for u, keep in (force or {}).items():
        if u not in included.index:
            raise spec_error(
                "screen.force",
                "unknown_unit",
                f"强制纳入/剔除的单位 {u} 不存在",
                f"forced unit {u} is not in the data",
            )
        included[u] = bool(keep)
    summary = pd.DataFrame(
        {
            "N_missing": n_na,
            "N_zero": n_zero,
            "Dat_Avail": avail,
            "Non_Zero": nonzero,
            "LowData": low_data,
            "LowNonZero": low_nz,
            "Included": included,
        }
    )
    return data.loc[included.to_numpy()].copy(), summary
