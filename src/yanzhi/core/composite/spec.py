"""The build specification: defaults, validation and resolution against a framework.

A spec is a plain dict mirroring the YAML::

    denominate: true
    impute: {method: mean_group, group: EurAsia_group}
    screen: {dat_thresh: 0.9, unit_screen: byNA}
    treat: {winmax: 5, skew_thresh: 2, kurt_thresh: 3.5, f2: log_CT}   # or "none"
    normalise: {method: minmax, l_u: [0, 100]}
    aggregate: {method: amean}
    weights: original      # or "equal", or a dict {code: weight}
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .aggregate import METHODS as AGG_METHODS
from .errors import spec_error
from .model import CompositeBuild
from .normalise import METHODS as NORM_METHODS
from .prepare import IMPUTE_METHODS, SCREEN_METHODS
from .treat import F2_METHODS

DEFAULT_SPEC: dict[str, Any] = {
    "denominate": True,
    "impute": {"method": "mean_group", "group": None, "max_lag": None},
    "screen": {"dat_thresh": 0.9, "unit_screen": "byNA", "nonzero_thresh": 0.05, "force": {}},
    "treat": {"winmax": 5, "skew_thresh": 2.0, "kurt_thresh": 3.5, "f2": "log_CT", "indiv": {}},
    "normalise": {"method": "minmax", "l_u": [0.0, 100.0]},
    "aggregate": {"method": "amean", "p": 2.0, "dat_thresh": None},
    "weights": "original",
    "time": None,
}

NORM_DEFAULTS: dict[str, dict[str, Any]] = {
    "minmax": {"l_u": [0.0, 100.0]},
    "zscore": {"m_sd": [0.0, 1.0]},
    "fracmax": {"scale": 1.0},
    "dist2max": {"scale": 1.0},
    "dist2targ": {"cap_max": False, "scale": 1.0},
    "goalposts": {"trunc": True},
}


def _merge(path: str, default: dict[str, Any], given: Any) -> dict[str, Any]:
    if given is None:
        return copy.deepcopy(default)
    if not isinstance(given, Mapping):
        raise spec_error(path, "invalid_type", f"{path} 应为映射", f"{path} must be a mapping")
    extra = set(given) - set(default)
    if extra:
        raise spec_error(
            f"{path}.{sorted(extra)[0]}",
            "unknown_key",
            f"{path} 中有未知键 {sorted(extra)}",
            f"unknown key(s) {sorted(extra)}",
        )
    out = copy.deepcopy(default)
    out.update(copy.deepcopy(dict(given)))
    return out


def _choice(path: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise spec_error(
            path,
            "invalid_option",
            f"{path} 的取值 {value!r} 无效，可选 {allowed}",
            f"{path} = {value!r} is not one of {allowed}",
        )


def resolve_spec(spec: Mapping[str, Any] | None, b: CompositeBuild) -> dict[str, Any]:
    """Fill defaults, validate options and resolve data-dependent defaults for ``b``."""
    spec = dict(spec or {})
    unknown = set(spec) - set(DEFAULT_SPEC)
    if unknown:
        k = sorted(unknown)[0]
        raise spec_error(k, "unknown_key", f"未知的配置项 {k}", f"unknown spec key {k}")
    out: dict[str, Any] = {}
    den = spec.get("denominate", True)
    if not isinstance(den, bool | Mapping):
        raise spec_error(
            "denominate",
            "invalid_type",
            "denominate 应为布尔值或 {指标: 分母}",
            "denominate must be a bool or a {code: denominator} mapping",
        )
    out["denominate"] = dict(den) if isinstance(den, Mapping) else den
    if isinstance(den, Mapping):
        for code, d in den.items():
            if d not in b.idata.columns:
                raise spec_error(
                    f"denominate.{code}",
                    "unknown_denominator",
                    f"分母 {d} 不是 iData 中的列",
                    f"denominator {d} is not in iData",
                )
    imp = _merge("impute", DEFAULT_SPEC["impute"], spec.get("impute"))
    _choice("impute.method", imp["method"], IMPUTE_METHODS)
    if imp["method"] in ("mean_group", "median_group"):
        if imp["group"] is None:
            if b.groups:
                imp["group"] = b.groups[0]
            else:
                imp["method"] = "mean" if imp["method"] == "mean_group" else "median"
        elif imp["group"] not in b.idata.columns:
            raise spec_error(
                "impute.group",
                "unknown_group",
                f"分组列 {imp['group']} 不存在",
                f"group column {imp['group']} is not in iData",
            )
    if imp["method"] == "latest" and not b.is_panel:
        raise spec_error(
            "impute.method",
            "needs_panel",
            "latest 插补需要多期面板数据 (Time 列)",
            "latest imputation needs panel data (several Time values)",
        )
    out["impute"] = imp
    scr = _merge("screen", DEFAULT_SPEC["screen"], spec.get("screen"))
    _choice("screen.unit_screen", scr["unit_screen"], SCREEN_METHODS)
    out["screen"] = scr
    tr = spec.get("treat", DEFAULT_SPEC["treat"])
    if tr == "none" or tr is False:
        out["treat"] = "none"
    else:
        tr = _merge("treat", DEFAULT_SPEC["treat"], tr)
        _choice("treat.f2", tr["f2"], F2_METHODS)
        out["treat"] = tr
    norm = spec.get("normalise") or {}
    if not isinstance(norm, Mapping):
        raise spec_error(
            "normalise", "invalid_type", "normalise 应为映射", "normalise must be a mapping"
        )
    method = norm.get("method", "minmax")
    _choice("normalise.method", method, NORM_METHODS)
    nd = {"method": method, **copy.deepcopy(NORM_DEFAULTS.get(method, {}))}
    nd.update(copy.deepcopy(dict(norm)))
    for code, s in (nd.get("indiv") or {}).items():
        if code not in b.indicators:
            raise spec_error(
                f"normalise.indiv.{code}",
                "unknown_code",
                f"{code} 不是指标",
                f"{code} is not an indicator",
            )
        _choice(f"normalise.indiv.{code}.method", s.get("method", "minmax"), NORM_METHODS)
    out["normalise"] = nd
    agg = _merge("aggregate", DEFAULT_SPEC["aggregate"], spec.get("aggregate"))
    ms = agg["method"]
    for m in ms.values() if isinstance(ms, Mapping) else ms if isinstance(ms, list) else [ms]:
        _choice("aggregate.method", m, AGG_METHODS)
    out["aggregate"] = agg
    w = spec.get("weights", "original")
    if isinstance(w, Mapping):
        bad = [c for c in w if c not in b.weight]
        if bad:
            raise spec_error(
                f"weights.{bad[0]}",
                "unknown_code",
                f"{bad[0]} 不在框架中",
                f"{bad[0]} is not in the framework",
            )
        out["weights"] = {str(k): float(v) for k, v in w.items()}
    elif w in ("original", "equal"):
        out["weights"] = w
    else:
        raise spec_error(
            "weights",
            "invalid_option",
            "weights 应为 original、equal 或 {代码: 权重}",
            "weights must be 'original', 'equal' or a {code: weight} mapping",
        )
    out["time"] = spec.get("time")
    return out


def weight_map(spec_weights: Any, b: CompositeBuild) -> dict[str, float]:
    """The weights in force for ``spec_weights`` ("original", "equal" or overrides)."""
    if spec_weights == "equal":
        return dict.fromkeys(b.weight, 1.0)
    w = dict(b.weight)
    if isinstance(spec_weights, Mapping):
        w.update({k: float(v) for k, v in spec_weights.items()})
    return w
