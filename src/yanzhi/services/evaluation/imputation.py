"""Where and how an evaluation imputed (插补说明): every indicator cell that had no value,
the method that filled it (COINr's names: ``i_mean``, ``i_median``, ``i_mean_grp``,
``i_median_grp``, a panel's latest value, or a value the framework declares with
``fill_missing``) and the value used. A cell left missing (method ``none``, or a group with
no data) is listed too, with no value — missing is never shown as zero (issue #15)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from yanzhi.core import evaluation as ev
from yanzhi.core.composite import BuildResult

#: method → (中文, English, the COINr function or option it follows)
METHODS: dict[str, tuple[str, str, str]] = {
    "mean": ("全体单位均值", "mean of all units", "i_mean"),
    "median": ("全体单位中位数", "median of all units", "i_median"),
    "mean_group": ("同类单位均值", "mean of units of the same kind", "i_mean_grp"),
    "median_group": ("同类单位中位数", "median of units of the same kind", "i_median_grp"),
    "latest": ("本单位上期值", "the unit's latest earlier value", "impute_panel"),
    "none": ("不插补(保留缺失)", "not imputed (left missing)", "none"),
    "fill": ("框架指定填充值", "value declared by the framework", "fill_missing"),
    "no_enterprise": ("无符合条件企业, 计 0", "no qualifying enterprise: 0", "—"),
}


@dataclass(frozen=True)
class Imputation:
    """One missing indicator cell: the unit, the indicator, how it was filled (``method``
    a key of :data:`METHODS`) and the value used (``None``: left missing)."""

    unit: str
    unit_name: str
    kind: str | None
    indicator: str
    indicator_name: str
    method: str
    method_zh: str
    method_en: str
    coinr: str
    value: float | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (CLI ``--json``, API, Excel)."""
        return dict(self.__dict__)


def imputations(
    fw: ev.Framework,
    units: pd.DataFrame,
    bld: BuildResult,
    declared: pd.DataFrame,
    raw: pd.DataFrame,
    zeros: pd.DataFrame | None = None,
) -> list[Imputation]:
    """Every missing indicator cell of a build: sums over enterprises set to 0 because the
    unit has no qualifying enterprise (``zeros``), those filled by the framework's
    ``fill_missing`` (``declared``, a mask of raw cells), those the engine imputed
    (``bld.imputed_cells``) and those left missing, in unit then indicator order."""
    method = str(bld.spec["impute"]["method"])
    names = units.set_index("uCode")
    imputed = bld.data["Imputed"]
    mask = bld.imputed_cells
    out = []
    for i in fw.indicators:
        for code in imputed.index:
            if zeros is not None and i.code in zeros.columns and bool(zeros.at[code, i.code]):
                how, value = "no_enterprise", 0.0
            elif bool(declared.at[code, i.code]) if i.code in declared.columns else False:
                how, value = "fill", raw.at[code, i.code]
            elif i.code in mask.columns and bool(mask.at[code, i.code]):
                how, value = method, imputed.at[code, i.code]
            elif pd.isna(imputed.at[code, i.code]):
                how, value = "none", None
            else:
                continue
            zh, en, coinr = METHODS[how]
            out.append(
                Imputation(
                    unit=str(code),
                    unit_name=str(names.at[code, "uName"]),
                    kind=str(names.at[code, "kind_zh"]) if "kind_zh" in names else None,
                    indicator=i.code,
                    indicator_name=i.name,
                    method=how,
                    method_zh=zh,
                    method_en=en,
                    coinr=coinr,
                    value=None if value is None or pd.isna(value) else float(value),
                )
            )
    return sorted(out, key=lambda x: (x.unit, x.indicator))


def note(found: list[Imputation], method: str) -> str:
    """The evaluation's note on imputation, Chinese then English."""
    zh, en, coinr = METHODS.get(method, (method, method, method))
    if not found:
        return (
            f"无缺失值, 未插补(插补方法: {zh}) / no missing values, nothing "
            f"imputed (method: {en}, COINr {coinr})"
        )
    zero = [x for x in found if x.method == "no_enterprise"]
    found = [x for x in found if x.method != "no_enterprise"]
    if not found:
        return (
            f"无缺失值, 未插补; {len(zero)} 处因无符合条件企业计 0, 见插补说明 / no missing "
            f"values; {len(zero)} cells are 0 because no enterprise qualifies"
        )
    filled = [x for x in found if x.value is not None]
    left = len(found) - len(filled)
    cells = "、".join(f"{x.unit_name} {x.indicator}" for x in found[:5])
    more = f" 等 {len(found)} 处" if len(found) > 5 else ""
    zh_zero = f", 另 {len(zero)} 处因无符合条件企业计 0" if zero else ""
    en_zero = f"; {len(zero)} cells are 0 (no qualifying enterprise)" if zero else ""
    return (
        f"缺失值 {len(found)} 处({cells}{more}): 插补 {len(filled)} 处, 方法 {zh}, "
        f"保留缺失 {left} 处{zh_zero}, 详见插补说明 / {len(found)} missing values: "
        f"{len(filled)} imputed by {en} ({coinr}), {left} left missing{en_zero}; see the "
        "imputation table"
    )
