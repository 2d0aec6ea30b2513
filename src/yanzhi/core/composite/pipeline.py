"""The build pipeline: data + spec -> every intermediate data set, results and a log."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .aggregate import aggregate, effective_weights
from .errors import spec_error
from .model import CompositeBuild, new_build
from .normalise import normalise
from .prepare import denominate, impute, screen
from .spec import resolve_spec, weight_map
from .stats import rank_min
from .treat import treat

DATASETS = ("Raw", "Denominated", "Imputed", "Screened", "Treated", "Normalised", "Aggregated")


@dataclass
class BuildResult:
    """Everything a build produces. ``data`` holds the named data sets (uCode index)."""

    build: CompositeBuild
    data: dict[str, pd.DataFrame]
    results: pd.DataFrame
    treated_points: pd.DataFrame
    treat_details: pd.DataFrame
    screen_summary: pd.DataFrame
    imputed_cells: pd.DataFrame
    effective_weights: pd.Series
    weights: dict[str, float]
    spec: dict[str, Any]
    log: list[dict[str, Any]] = field(default_factory=list)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.data[name]

    @property
    def index_code(self) -> str:
        """Code of the index."""
        return self.build.index_code


def _period(b: CompositeBuild, time: Any) -> tuple[pd.DataFrame, list[pd.DataFrame], Any]:
    d = b.idata
    if not b.is_panel:
        return d, [], (d["Time"].iloc[0] if "Time" in d.columns and len(d) else None)
    times = sorted(d["Time"].dropna().unique())
    t = times[-1] if time is None else time
    if t not in times:
        raise spec_error("time", "unknown_time", f"数据中没有 {t} 期", f"no data for Time {t}")
    hist = [d[d["Time"] == s] for s in times if s < t]
    return d[d["Time"] == t], hist, t


def _ind_frame(rows: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    out = rows.set_index("uCode")[cols].astype(float)
    out.index.name = "uCode"
    return out


def results_table(agg: pd.DataFrame, b: CompositeBuild) -> pd.DataFrame:
    """uCode, Rank, index, then aggregates from the top level down; highest score first."""
    cols = [c for lev in range(b.n_levels, 1, -1) for c in b.codes_at(lev)]
    res = agg[cols].copy()
    res.insert(0, "Rank", rank_min(res[b.index_code].to_numpy(float), descending=True))
    res = res.reset_index().sort_values(["Rank", "uCode"], na_position="last", kind="mergesort")
    return res.reset_index(drop=True)


def normalise_step(treated: pd.DataFrame, b: CompositeBuild, sp: Mapping[str, Any]) -> pd.DataFrame:
    """The normalisation step of a resolved spec."""
    return normalise(treated, sp["normalise"], b.direction, b.target)


def build(
    idata: pd.DataFrame | CompositeBuild,
    imeta: pd.DataFrame | None = None,
    spec: Mapping[str, Any] | None = None,
    stop_after: str | None = None,
) -> BuildResult:
    """Run the whole pipeline. ``idata`` may be an already validated :class:`CompositeBuild`.

    ``stop_after="normalise"`` skips aggregation (Aggregated and results are then empty)."""
    if isinstance(idata, CompositeBuild):
        b = idata
    else:
        if imeta is None:
            raise spec_error("imeta", "missing", "缺少 iMeta", "iMeta is required")
        b = new_build(idata, imeta)
    sp = resolve_spec(spec, b)
    log: list[dict[str, Any]] = [{"step": "new_build", "params": {}, "dataset": "Raw"}]
    rows, hist_rows, t = _period(b, sp["time"])
    sp["time"] = None if t is None else (t.item() if isinstance(t, np.generic) else t)
    inds = b.indicators
    data: dict[str, pd.DataFrame] = {"Raw": _ind_frame(rows, inds)}
    hist = [_ind_frame(h, inds) for h in hist_rows]

    den = sp["denominate"]
    denom_by = dict(b.denominator) if den is True else dict(den) if isinstance(den, dict) else {}
    if denom_by:
        dcols = sorted(set(denom_by.values()))
        data["Denominated"] = denominate(data["Raw"], _ind_frame(rows, dcols), denom_by)
        hist = [
            denominate(h, _ind_frame(hr, dcols), denom_by)
            for h, hr in zip(hist, hist_rows, strict=True)
        ]
    else:
        data["Denominated"] = data["Raw"].copy()
    log.append({"step": "denominate", "params": {"denom_by": denom_by}, "dataset": "Denominated"})

    imp = sp["impute"]
    groups = rows.set_index("uCode")[imp["group"]] if imp.get("group") else None
    data["Imputed"], imputed = impute(
        data["Denominated"], imp["method"], groups, hist, imp.get("max_lag")
    )
    log.append({"step": "impute", "params": copy.deepcopy(imp), "dataset": "Imputed"})

    scr = sp["screen"]
    data["Screened"], summary = screen(
        data["Imputed"], scr["unit_screen"], scr["dat_thresh"], scr["nonzero_thresh"], scr["force"]
    )
    log.append({"step": "screen", "params": copy.deepcopy(scr), "dataset": "Screened"})

    tr = sp["treat"]
    if tr == "none":
        data["Treated"] = data["Screened"].copy()
        points = pd.DataFrame("", index=data["Treated"].index, columns=inds, dtype=object)
        details = pd.DataFrame(index=pd.Index(inds, name="iCode"))
    else:
        data["Treated"], points, details = treat(
            data["Screened"],
            tr["winmax"],
            tr["skew_thresh"],
            tr["kurt_thresh"],
            tr["f2"],
            tr.get("indiv"),
        )
    log.append({"step": "treat", "params": copy.deepcopy(tr), "dataset": "Treated"})

    data["Normalised"] = normalise_step(data["Treated"], b, sp)
    log.append(
        {"step": "normalise", "params": copy.deepcopy(sp["normalise"]), "dataset": "Normalised"}
    )

    ag = sp["aggregate"]
    w = weight_map(sp["weights"], b)
    if stop_after == "normalise":
        return BuildResult(
            build=b,
            data=data,
            results=pd.DataFrame(),
            treated_points=points,
            treat_details=details,
            screen_summary=summary,
            imputed_cells=imputed,
            effective_weights=pd.Series(dtype=float),
            weights=w,
            spec=sp,
            log=log,
        )
    data["Aggregated"] = aggregate(
        data["Normalised"], b, ag["method"], w, ag["p"], ag["dat_thresh"]
    )
    log.append(
        {
            "step": "aggregate",
            "params": {**copy.deepcopy(ag), "weights": sp["weights"]},
            "dataset": "Aggregated",
        }
    )

    return BuildResult(
        build=b,
        data=data,
        results=results_table(data["Aggregated"], b),
        treated_points=points,
        treat_details=details,
        screen_summary=summary,
        imputed_cells=imputed,
        effective_weights=effective_weights(b, w),
        weights=w,
        spec=sp,
        log=log,
    )


def regenerate(result: BuildResult, **changes: Any) -> BuildResult:
    """Re-run a build from its validated data and the spec actually used, optionally with
    top-level spec entries replaced (COINr ``Regen`` / ``change_ind``-style what-ifs)."""
    sp = copy.deepcopy(result.spec)
    sp.update(changes)
    return build(result.build, spec=sp)
