"""Gap attribution: why an aggregate R&D intensity changed, and where.

The aggregate intensity of a set of enterprises is I = ΣR / ΣY (R = R&D expense,
Y = operating revenue; a ratio of sums, never a mean of ratios). Over groups g (districts,
townships, industries), I = Σ_g s_g·i_g with revenue shares s_g = Y_g/ΣY and group
intensities i_g = R_g/Y_g. :func:`decompose` splits ΔI = I₁ − I₀ shift-share style into a
*within* effect (the groups' intensities changed) and a *structural* effect (revenue shifted
between groups); :func:`top_contributors` lists the enterprises that moved ΔI most.
``docs/methods.md`` ("Gap attribution") states every formula and the entry/exit rule.

Pure computation: NumPy and pandas only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

Method = Literal["symmetric", "three_part"]
METHODS: tuple[str, ...] = ("symmetric", "three_part")
NUMERATOR = "rd_expense"
DENOMINATOR = "operating_revenue"
KEY = "uscc"
# Group status: revenue in both periods, only in period 1, only in period 0, in neither.
CONTINUING, ENTRY, EXIT, INACTIVE = "continuing", "entry", "exit", "inactive"


class AttributionInputError(ValueError):
    """Refused input to gap attribution; bilingual, names the frame and column."""

    def __init__(
        self, rule: str, zh: str, en: str, *, frame: str | None = None, column: str | None = None
    ) -> None:
        self.rule, self.message_zh, self.message_en = rule, zh, en
        self.frame, self.column = frame, column
        where = ", ".join(p for p in (frame, f"column {column}" if column else None) if p)
        super().__init__(f"{where + ': ' if where else ''}{zh} / {en} [{rule}]")


#: Refusal messages per rule: (Chinese, English); ``{x}`` is filled in.
MESSAGES: dict[str, tuple[str, str]] = {
    "not_a_frame": ("输入必须是数据表", "input must be a pandas DataFrame"),
    "missing_column": ("缺少列 {x}", "missing column {x}"),
    "missing_key": ("分组/企业代码为空", "empty group or enterprise key"),
    "not_finite": ("存在缺失或非数值", "missing or non-numeric value"),
    "negative_value": ("数值不能为负", "value must not be negative"),
    "zero_total": ("营业收入合计为 0，强度无定义", "total revenue is 0: intensity undefined"),
    "ambiguous_group": ("企业 {x} 在同一期属于多个分组", "enterprise {x} is in several groups"),
    "unknown_method": ("未知分解方法 {x}", "unknown method {x}; use symmetric or three_part"),
    "bad_factor": ("倍数须为正数", "factor must be a positive number"),
    "bad_n": ("n 不能为负", "n must not be negative"),
}


def _error(
    rule: str, frame: str | None = None, column: str | None = None, x: Any = None
) -> AttributionInputError:
    zh, en = MESSAGES[rule]
    return AttributionInputError(rule, zh.format(x=x), en.format(x=x), frame=frame, column=column)


def _check_factor(factor: float) -> None:
    if not (math.isfinite(factor) and factor > 0):
        raise _error("bad_factor")


def _clean(frame: Any, name: str, key: str, num: str, den: str) -> pd.DataFrame:
    """Check one input frame; return its [key, num, den] columns with float values."""
    if not isinstance(frame, pd.DataFrame):
        raise _error("not_a_frame", name)
    for col in (key, num, den):
        if col not in frame.columns:
            raise _error("missing_column", name, col, col)
    if frame[key].isna().any():
        raise _error("missing_key", name, key)
    out = frame[[key]].copy()
    for col in (num, den):
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
        if not np.isfinite(values).all():
            raise _error("not_finite", name, col)
        if (values < 0).any():
            raise _error("negative_value", name, col)
        out[col] = values
    return out


def _sum_by(frame: pd.DataFrame, key: str, num: str, den: str) -> pd.DataFrame:
    """Σ per key, exactly rounded (math.fsum), so the result never depends on row order."""
    codes, uniques = pd.factorize(frame[key], sort=False)
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(len(uniques)))
    sizes = np.bincount(codes, minlength=len(uniques))
    sums = {}
    for out, col in (("r", num), ("y", den)):
        values = frame[col].to_numpy(dtype=float)[order]
        sums[out] = values[starts]  # a one-row group is its own sum
        for g in np.flatnonzero(sizes > 1):
            sums[out][g] = math.fsum(values[starts[g] : starts[g] + sizes[g]])
    return pd.DataFrame(sums, index=pd.Index(uniques))


def _align(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Outer join on the keys (absent = 0), keys sorted (by str if their types are mixed)."""
    keys: list[Any] = list(dict.fromkeys([*a.index, *b.index]))
    try:
        keys.sort()
    except TypeError:
        keys.sort(key=lambda k: (type(k).__name__, str(k)))
    a, b = a.reindex(keys, fill_value=0.0), b.reindex(keys, fill_value=0.0)
    return pd.concat([a.add_suffix("0"), b.add_suffix("1")], axis=1)


def _two_periods(
    frames: tuple[Any, Any], names: tuple[str, str], key: str, num: str, den: str
) -> tuple[pd.Index, list[np.ndarray], tuple[float, float, float, float]]:
    """Per-key sums of both periods, aligned: keys, [r0, y0, r1, y1], (ΣR0, ΣY0, ΣR1, ΣY1)."""
    a, b = (_clean(f, n, key, num, den) for f, n in zip(frames, names, strict=True))
    t = _align(_sum_by(a, key, num, den), _sum_by(b, key, num, den))
    cols = [t[c].to_numpy(dtype=float) for c in ("r0", "y0", "r1", "y1")]
    # totals from the rows themselves (exactly rounded), so I does not depend on the grouping
    totals = tuple(math.fsum(f[c]) for f in (a, b) for c in (num, den))
    for name, y_sum in zip(names, totals[1::2], strict=True):
        if y_sum <= 0:
            raise _error("zero_total", name, den)
    return t.index, cols, (totals[0], totals[1], totals[2], totals[3])


def _ratio(r: np.ndarray, y: np.ndarray) -> np.ndarray:
    """r / y where y > 0, NaN elsewhere (no warnings)."""
    return np.divide(r, y, out=np.full_like(r, np.nan), where=y > 0)


def _status(y0: np.ndarray, y1: np.ndarray) -> np.ndarray:
    return np.select([(y0 > 0) & (y1 > 0), y1 > 0, y0 > 0], [CONTINUING, ENTRY, EXIT], INACTIVE)


def _py(value: Any) -> Any:
    """A JSON-safe Python scalar (NaN/inf → None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {str(c): _py(v) for c, v in zip(frame.columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


@dataclass(frozen=True, eq=False)
class Attribution:
    """The decomposition of ΔI by group. Intensities and effects are × ``factor``.

    ``groups`` has one row per group: r0, y0, r1, y1 (sums), s0, s1 (revenue shares),
    i0, i1 (intensities, NaN where the group has no revenue), within, structure,
    [interaction, three_part only], total, share_of_change (total / ΔI, NaN if ΔI = 0)
    and status (continuing / entry / exit / inactive).
    """

    by: str
    method: str
    factor: float
    intensity0: float
    intensity1: float
    change: float  # I₁ − I₀, computed directly from the sums
    within: float
    structure: float
    interaction: float | None  # None for the symmetric method (no interaction term)
    groups: pd.DataFrame

    @property
    def parts_sum(self) -> float:
        """Σ of the parts; equals ``change`` to floating-point rounding."""
        return math.fsum([self.within, self.structure, self.interaction or 0.0])

    def to_frame(self) -> pd.DataFrame:
        return self.groups.copy()

    def to_dict(self) -> dict[str, Any]:
        head = {k: _py(getattr(self, k)) for k in ("by", "method", "factor", "intensity0")}
        head |= {k: _py(getattr(self, k)) for k in ("intensity1", "change", "within")}
        head |= {"structure": _py(self.structure), "interaction": _py(self.interaction)}
        return head | {"groups": _records(self.groups)}


def decompose(
    frame0: pd.DataFrame,
    frame1: pd.DataFrame,
    *,
    by: str,
    numerator: str = NUMERATOR,
    denominator: str = DENOMINATOR,
    method: Method = "symmetric",
    factor: float = 1.0,
) -> Attribution:
    """Decompose I₁ − I₀ by the groups in column ``by`` (rows are summed per group).

    symmetric: within = s̄·Δi, structure = ī·Δs (s̄, ī = means of the two periods).
    three_part: within = s₀·Δi, structure = i₀·Δs, interaction = Δs·Δi.
    A group without revenue in one period (entry / exit) has within = interaction = 0 and
    structure = R₁/ΣY₁ − R₀/ΣY₀, its whole contribution. Σ parts = ΔI exactly.
    """
    if method not in METHODS:
        raise _error("unknown_method", x=repr(method))
    _check_factor(factor)
    keys, (r0, y0, r1, y1), (rt0, yt0, rt1, yt1) = _two_periods(
        (frame0, frame1), ("frame0", "frame1"), by, numerator, denominator
    )
    s0, s1, i0, i1 = y0 / yt0, y1 / yt1, _ratio(r0, y0), _ratio(r1, y1)
    cont = (y0 > 0) & (y1 > 0)
    # contribution of each group to I in each period: s·i, or R/ΣY when Y = 0
    c0, c1 = np.where(y0 > 0, s0 * i0, r0 / yt0), np.where(y1 > 0, s1 * i1, r1 / yt1)
    ds, di = s1 - s0, i1 - i0
    if method == "symmetric":
        within = np.where(cont, (s0 + s1) / 2 * di, 0.0)
        structure = np.where(cont, (i0 + i1) / 2 * ds, c1 - c0)
        parts = [within, structure]
    else:
        within = np.where(cont, s0 * di, 0.0)
        structure = np.where(cont, i0 * ds, c1 - c0)
        parts = [within, structure, np.where(cont, ds * di, 0.0)]
    total = np.sum(parts, axis=0)
    change = rt1 / yt1 - rt0 / yt0
    table = pd.DataFrame({by: keys.to_numpy(), "r0": r0, "y0": y0, "r1": r1, "y1": y1})
    table = table.assign(s0=s0, s1=s1, i0=i0 * factor, i1=i1 * factor)
    table["within"], table["structure"] = parts[0] * factor, parts[1] * factor
    if method == "three_part":
        table["interaction"] = parts[2] * factor
    table["total"] = total * factor
    table["share_of_change"] = total / change if change != 0 else np.nan
    table["status"] = _status(y0, y1)
    return Attribution(
        by=by,
        method=method,
        factor=factor,
        intensity0=rt0 / yt0 * factor,
        intensity1=rt1 / yt1 * factor,
        change=change * factor,
        within=math.fsum(parts[0]) * factor,
        structure=math.fsum(parts[1]) * factor,
        interaction=math.fsum(parts[2]) * factor if method == "three_part" else None,
        groups=table,
    )


@dataclass(frozen=True, eq=False)
class Contributors:
    """Every enterprise's contribution to ΔI (× ``factor``), largest first.

    ``table`` columns: key, [group], r0, y0, r1, y1, i0, i1, contribution,
    share_of_change, status. Σ contribution over all enterprises = ``change``.
    """

    key: str
    group: str | None
    n: int
    factor: float
    intensity0: float
    intensity1: float
    change: float
    table: pd.DataFrame

    @property
    def positive(self) -> pd.DataFrame:
        """The ``n`` largest positive contributions, largest first."""
        return self.table[self.table["contribution"] > 0].head(self.n).reset_index(drop=True)

    @property
    def negative(self) -> pd.DataFrame:
        """The ``n`` largest negative contributions, most negative first."""
        neg = self.table[self.table["contribution"] < 0]
        neg = neg.sort_values("contribution", kind="mergesort")
        return neg.head(self.n).reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        head = {k: _py(getattr(self, k)) for k in ("key", "group", "n", "factor", "intensity0")}
        head |= {"intensity1": _py(self.intensity1), "change": _py(self.change)}
        head["n_enterprises"] = len(self.table)
        return head | {"positive": _records(self.positive), "negative": _records(self.negative)}


def _groups_of(frame: pd.DataFrame, name: str, key: str, group: str) -> pd.Series:
    if group not in frame.columns:
        raise _error("missing_column", name, group, group)
    sub = frame[[key, group]].drop_duplicates()
    if sub[key].duplicated().any():
        bad = sub[key][sub[key].duplicated()].iloc[0]
        raise _error("ambiguous_group", name, group, bad)
    return sub.set_index(key)[group]


def top_contributors(
    ent0: pd.DataFrame,
    ent1: pd.DataFrame,
    *,
    n: int = 10,
    key: str = KEY,
    group: str | None = None,
    numerator: str = NUMERATOR,
    denominator: str = DENOMINATOR,
    factor: float = 1.0,
) -> Contributors:
    """Contribution of enterprise e to ΔI: R₁ₑ/ΣY₁ − R₀ₑ/ΣY₀ (absent = 0).

    ΣY are the totals over all enterprises of each period, so the contributions add up to
    ΔI exactly. ``group`` (optional column) is reported per enterprise, from period 1 if
    the enterprise is there, else from period 0.
    """
    if n < 0:
        raise _error("bad_n")
    _check_factor(factor)
    keys, (r0, y0, r1, y1), (rt0, yt0, rt1, yt1) = _two_periods(
        (ent0, ent1), ("ent0", "ent1"), key, numerator, denominator
    )
    contribution = r1 / yt1 - r0 / yt0
    change = rt1 / yt1 - rt0 / yt0
    table = pd.DataFrame({key: keys.to_numpy()})
    if group is not None:
        g0, g1 = _groups_of(ent0, "ent0", key, group), _groups_of(ent1, "ent1", key, group)
        table[group] = np.where(keys.isin(g1.index), g1.reindex(keys), g0.reindex(keys))
    table = table.assign(r0=r0, y0=y0, r1=r1, y1=y1)
    table = table.assign(i0=_ratio(r0, y0) * factor, i1=_ratio(r1, y1) * factor)
    table["contribution"] = contribution * factor
    table["share_of_change"] = contribution / change if change != 0 else np.nan
    table["status"] = _status(y0, y1)
    # largest first; ties keep the sorted key order (stable sort)
    table = table.sort_values("contribution", ascending=False, kind="mergesort")
    return Contributors(
        key=key,
        group=group,
        n=n,
        factor=factor,
        intensity0=rt0 / yt0 * factor,
        intensity1=rt1 / yt1 * factor,
        change=change * factor,
        table=table.reset_index(drop=True),
    )
