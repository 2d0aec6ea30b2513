"""The data model: a validated framework (iMeta) plus unit data (iData).

Mirrors COINr's ``new_coin()``: the checks below refuse malformed inputs with a
:class:`CompositeInputError` naming the row, field and rule of every problem found.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import CompositeInputError, Issue, issue

TYPES = ("Indicator", "Aggregate", "Group", "Denominator", "Other")
RESERVED = ("uCode", "uName", "Time")
META_COLUMNS = (
    "Level",
    "iCode",
    "iName",
    "Direction",
    "Weight",
    "Unit",
    "Target",
    "Denominator",
    "Parent",
    "Type",
)
MAX_ROW_ISSUES = 10  # per column, for non-numeric data


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() in ("", "nan")


def _num(v: object) -> float | None:
    if _blank(v):
        return None
    try:
        return float(str(v))
    except ValueError:
        return None


@dataclass
class CompositeBuild:
    """A validated composite-index framework and its unit data (COINr's "coin").

    ``idata`` has a ``uCode`` column (and optionally ``uName``, ``Time``, group, denominator and
    indicator columns, all numeric where they must be); ``imeta`` has COINr's columns with
    ``Type`` normalised. Structure helpers are precomputed at construction.
    """

    idata: pd.DataFrame
    imeta: pd.DataFrame
    indicators: list[str] = field(default_factory=list)
    aggregates: dict[int, list[str]] = field(default_factory=dict)
    parent: dict[str, str] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)
    level: dict[str, int] = field(default_factory=dict)
    weight: dict[str, float] = field(default_factory=dict)
    direction: dict[str, int] = field(default_factory=dict)
    target: dict[str, float] = field(default_factory=dict)
    denominator: dict[str, str] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)
    denominators: list[str] = field(default_factory=list)

    @property
    def n_levels(self) -> int:
        """Number of levels (indicators are level 1; the index is the top level)."""
        return max(self.level.values())

    @property
    def index_code(self) -> str:
        """The code of the top-level aggregate (the index)."""
        return self.aggregates[self.n_levels][0]

    @property
    def is_panel(self) -> bool:
        """True when iData has several time points per unit."""
        return "Time" in self.idata.columns and self.idata["Time"].nunique(dropna=True) > 1

    def codes_at(self, lev: int) -> list[str]:
        """Codes of level ``lev`` in iMeta order."""
        return self.indicators if lev == 1 else list(self.aggregates.get(lev, []))

    def lineage(self) -> pd.DataFrame:
        """One row per indicator: the code of its ancestor at each level (COINr's Lineage)."""
        rows = []
        for ind in self.indicators:
            row = {1: ind}
            c = ind
            while c in self.parent:
                c = self.parent[c]
                row[self.level[c]] = c
            rows.append(row)
        out = pd.DataFrame(rows)
        out.columns = [f"Level_{c}" for c in out.columns]
        return out

    def descendants(self, code: str) -> list[str]:
        """Indicators under ``code`` (itself if it is an indicator)."""
        if code not in self.children:
            return [code]
        out: list[str] = []
        for ch in self.children[code]:
            out.extend(self.descendants(ch))
        return out


def _meta(row: int | None, column: str, rule: str, zh: str, en: str) -> Issue:
    """An issue in the iMeta table."""
    return issue("iMeta", row, column, rule, zh, en)


def _check_meta(imeta: pd.DataFrame, data_cols: set[str]) -> tuple[pd.DataFrame, list[Issue]]:
    """iMeta with codes stripped and types normalised, and every problem found in it: the
    required columns, codes and types, levels, each framework row's link to its parent,
    the tree's shape and the data columns the codes need."""
    m = imeta.copy()
    issues = [
        _meta(
            None,
            col,
            "missing_column",
            f"iMeta 缺少必需列 {col}",
            f"iMeta lacks required column {col}",
        )
        for col in ("iCode", "Type")
        if col not in m.columns
    ]
    if issues:
        return m, issues
    for col in META_COLUMNS:
        if col not in m.columns:
            m[col] = np.nan
    m = m.reset_index(drop=True)
    issues += _codes_and_types(m)
    framework = m["Type"].isin(["Indicator", "Aggregate"])
    levels, found = _levels(m, framework)
    issues += found
    top = max(levels.values()) if levels else 1
    agg_rows = {m.at[i, "iCode"]: i for i in levels if m.at[i, "Type"] == "Aggregate"}
    roots = []
    for i, lv in levels.items():
        if m.at[i, "Type"] == "Indicator":
            issues += _indicator_fields(m, i, data_cols)
        if _blank(m.at[i, "Parent"]):
            roots.append(i)
            if lv != top:
                code = m.at[i, "iCode"]
                issues.append(
                    _meta(
                        i + 1,
                        "Parent",
                        "missing_parent",
                        f"{code} 不在最高层却没有上级",
                        f"{code} is below the top level but has no Parent",
                    )
                )
            continue
        issues += _parent_link(m, i, levels, agg_rows)
    issues += _shape(m, framework, roots, agg_rows)
    issues += _missing_in_data(m, data_cols)
    return m, issues


def _codes_and_types(m: pd.DataFrame) -> list[Issue]:
    """Blank and duplicate codes, unknown types; strips the codes and writes the types in
    their canonical spelling (``None`` when unknown) into ``m``."""
    issues: list[Issue] = []
    m["iCode"] = pd.Series(
        [None if _blank(v) else str(v).strip() for v in m["iCode"]], dtype=object
    )
    types = {t.lower(): t for t in TYPES}
    seen: dict[str, int] = {}
    norm_types: list[str | None] = []
    for i, (code, typ) in enumerate(zip(m["iCode"], m["Type"], strict=True)):
        r = i + 1
        if code is None:
            issues.append(_meta(r, "iCode", "blank_icode", "iCode 为空", "iCode is blank"))
        elif code in seen:
            issues.append(
                _meta(
                    r,
                    "iCode",
                    "duplicate_icode",
                    f"iCode {code} 重复（首次出现在第 {seen[code]} 行）",
                    f"iCode {code} duplicates row {seen[code]}",
                )
            )
        else:
            seen[code] = r
        t = None if _blank(typ) else types.get(str(typ).strip().lower())
        if t is None:
            issues.append(
                _meta(
                    r,
                    "Type",
                    "invalid_type",
                    f"类型 {typ!r} 无效，应为 {'/'.join(TYPES)}",
                    f"Type {typ!r} is not one of {'/'.join(TYPES)}",
                )
            )
        norm_types.append(t)
    m["Type"] = pd.Series(norm_types, dtype=object)
    return issues


def _levels(m: pd.DataFrame, framework: pd.Series) -> tuple[dict[int, int], list[Issue]]:
    """The level of each framework row (row index → level) whose level is valid:
    a positive integer, 1 for indicators and 2 or more for aggregates."""
    issues: list[Issue] = []
    levels: dict[int, int] = {}
    for i in (int(k) for k in np.flatnonzero(framework.to_numpy())):
        r, code, typ = i + 1, m.at[i, "iCode"], m.at[i, "Type"]
        lv = _num(m.at[i, "Level"])
        if lv is None or lv != int(lv) or lv < 1:
            issues.append(
                _meta(
                    r,
                    "Level",
                    "invalid_level",
                    f"{code} 的层级 {m.at[i, 'Level']!r} 应为正整数",
                    f"Level {m.at[i, 'Level']!r} of {code} must be a positive integer",
                )
            )
        elif (typ == "Indicator") != (int(lv) == 1):
            issues.append(
                _meta(
                    r,
                    "Level",
                    "invalid_level",
                    f"{code}：指标必须在第 1 层，汇总项必须在第 2 层及以上",
                    f"{code}: indicators must be level 1, aggregates level 2 or more",
                )
            )
        else:
            levels[i] = int(lv)
    return levels, issues


def _indicator_fields(m: pd.DataFrame, i: int, data_cols: set[str]) -> list[Issue]:
    """An indicator's direction (1 or -1) and denominator (a column of iData)."""
    issues: list[Issue] = []
    r, code = i + 1, m.at[i, "iCode"]
    if _num(m.at[i, "Direction"]) not in (1.0, -1.0):
        issues.append(
            _meta(
                r,
                "Direction",
                "invalid_direction",
                f"{code} 的方向应为 1 或 -1",
                f"Direction of {code} must be 1 or -1",
            )
        )
    den = m.at[i, "Denominator"]
    if not _blank(den) and str(den).strip() not in data_cols:
        issues.append(
            _meta(
                r,
                "Denominator",
                "unknown_denominator",
                f"{code} 的分母 {den} 不是 iData 中的列",
                f"denominator {den} of {code} is not a column of iData",
            )
        )
    return issues


def _parent_link(
    m: pd.DataFrame, i: int, levels: dict[int, int], agg_rows: dict[str, int]
) -> list[Issue]:
    """A child row's weight (numeric, not negative) and parent (a defined aggregate, no
    cycle, one level up)."""
    issues: list[Issue] = []
    r, code, lv = i + 1, m.at[i, "iCode"], levels[i]
    par = str(m.at[i, "Parent"]).strip()
    w = _num(m.at[i, "Weight"])
    if w is None:
        issues.append(
            _meta(
                r, "Weight", "missing_weight", f"{code} 缺少权重", f"{code} has no (numeric) Weight"
            )
        )
    elif w < 0:
        issues.append(
            _meta(
                r,
                "Weight",
                "negative_weight",
                f"{code} 的权重为负",
                f"Weight of {code} is negative",
            )
        )
    if par not in agg_rows:
        issues.append(
            _meta(
                r,
                "Parent",
                "unknown_parent",
                f"{code} 的上级 {par} 不是已定义的汇总项",
                f"Parent {par} of {code} is not a defined aggregate",
            )
        )
    elif par == code or _in_cycle(m, i, agg_rows):
        issues.append(
            _meta(
                r,
                "Parent",
                "cycle",
                f"{code} 的上级链形成循环",
                f"the Parent chain of {code} is a cycle",
            )
        )
    elif agg_rows[par] in levels and levels[agg_rows[par]] != lv + 1:
        issues.append(
            _meta(
                r,
                "Parent",
                "parent_level",
                f"{code}（第 {lv} 层）的上级 {par} 应在第 {lv + 1} 层",
                f"Parent {par} of {code} (level {lv}) must be at level {lv + 1}",
            )
        )
    return issues


def _shape(
    m: pd.DataFrame, framework: pd.Series, roots: list[int], agg_rows: dict[str, int]
) -> list[Issue]:
    """The tree's shape: a single root, and no aggregate without children."""
    issues = [
        _meta(
            i + 1,
            "Parent",
            "multiple_roots",
            "框架只能有一个顶层指数",
            "the framework must have a single root",
        )
        for i in roots[1:]
    ]
    parents = {str(p).strip() for p in m.loc[framework, "Parent"] if not _blank(p)}
    issues += [
        _meta(
            i + 1,
            "iCode",
            "empty_aggregate",
            f"汇总项 {code} 没有下级",
            f"aggregate {code} has no children",
        )
        for code, i in agg_rows.items()
        if code not in parents
    ]
    return issues


def _missing_in_data(m: pd.DataFrame, data_cols: set[str]) -> list[Issue]:
    """Indicator, group, denominator and other rows whose code is not a column of iData."""
    return [
        _meta(
            i + 1,
            "iCode",
            "missing_in_data",
            f"{code} 在 iData 中没有对应列",
            f"{code} has no column in iData",
        )
        for i, (code, typ) in enumerate(zip(m["iCode"], m["Type"], strict=True))
        if code is not None
        and typ in ("Indicator", "Group", "Denominator", "Other")
        and code not in data_cols
    ]


def _in_cycle(m: pd.DataFrame, i: int, agg_rows: dict[str, int]) -> bool:
    start = m.at[i, "iCode"]
    seen = {start}
    cur = i
    for _ in range(len(m) + 1):
        p = m.at[cur, "Parent"]
        if _blank(p):
            return False
        p = str(p).strip()
        if p == start:
            return True
        if p in seen or p not in agg_rows:
            return False
        seen.add(p)
        cur = agg_rows[p]
    return True


def _check_data(idata: pd.DataFrame, numeric_cols: list[str]) -> tuple[pd.DataFrame, list[Issue]]:
    issues: list[Issue] = []
    d = idata.copy().reset_index(drop=True)
    if "uCode" not in d.columns:
        return d, [
            issue(
                "iData",
                None,
                "uCode",
                "missing_column",
                "iData 缺少 uCode 列",
                "iData lacks the uCode column",
            )
        ]
    codes = [None if _blank(v) else str(v).strip() for v in d["uCode"]]
    d["uCode"] = pd.Series(codes, dtype=object)
    for col in [*numeric_cols, *(["Time"] if "Time" in d.columns else [])]:
        if col not in d.columns:
            continue
        raw = d[col]
        conv = pd.to_numeric(raw, errors="coerce")
        bad = np.flatnonzero(conv.isna().to_numpy() & ~raw.map(_blank).to_numpy())
        for j in bad[:MAX_ROW_ISSUES]:
            issues.append(
                issue(
                    "iData",
                    int(j) + 1,
                    col,
                    "non_numeric",
                    f"{col} 的值 {raw.iloc[j]!r} 不是数字",
                    f"value {raw.iloc[j]!r} of {col} is not numeric",
                )
            )
        d[col] = conv.astype(float)
    key = list(zip(codes, d["Time"], strict=True)) if "Time" in d.columns else codes
    first: dict[object, int] = {}
    for j, (c, k) in enumerate(zip(codes, key, strict=True)):
        if c is None:
            issues.append(
                issue("iData", j + 1, "uCode", "blank_ucode", "uCode 为空", "uCode is blank")
            )
        elif k in first:
            issues.append(
                issue(
                    "iData",
                    j + 1,
                    "uCode",
                    "duplicate_ucode",
                    f"uCode {c} 重复（首次出现在第 {first[k]} 行）",
                    f"uCode {c} duplicates row {first[k]}",
                )
            )
        else:
            first[k] = j + 1
    return d, issues


def new_build(idata: pd.DataFrame, imeta: pd.DataFrame) -> CompositeBuild:
    """Validate iData and iMeta and return a :class:`CompositeBuild` (COINr ``new_coin``)."""
    meta, issues = _check_meta(imeta, {str(c) for c in idata.columns})
    if issues and ("iCode" not in meta.columns or "Type" not in meta.columns):
        raise CompositeInputError(issues)
    typ = meta["Type"]
    numeric = [
        c for c in meta.loc[typ.isin(["Indicator", "Denominator"]), "iCode"] if c is not None
    ]
    data, d_issues = _check_data(idata, numeric)
    issues += d_issues
    if issues:
        raise CompositeInputError(issues)
    b = CompositeBuild(idata=data, imeta=meta)
    for _, row in meta.iterrows():
        code, t = row["iCode"], row["Type"]
        if t == "Group":
            b.groups.append(code)
        elif t == "Denominator":
            b.denominators.append(code)
        if t not in ("Indicator", "Aggregate"):
            continue
        lv = int(float(row["Level"]))
        b.level[code] = lv
        if t == "Indicator":
            b.indicators.append(code)
            b.direction[code] = int(float(row["Direction"]))
            if not _blank(row["Denominator"]):
                b.denominator[code] = str(row["Denominator"]).strip()
        else:
            b.aggregates.setdefault(lv, []).append(code)
        w = _num(row["Weight"])
        b.weight[code] = 1.0 if w is None else w
        tg = _num(row["Target"])
        if tg is not None:
            b.target[code] = tg
        if not _blank(row["Parent"]):
            par = str(row["Parent"]).strip()
            b.parent[code] = par
            b.children.setdefault(par, []).append(code)
    return b
