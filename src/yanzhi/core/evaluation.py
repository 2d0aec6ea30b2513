"""District and township evaluation (the Ningbo evaluation): the framework model, turning
a framework and unit data into COINr-shaped iData / iMeta for the composite engine, bonus
and deduction points, ranking pools, grades, rank intervals and scorecards.

Pure core code: the framework document is read and checked by ``yanzhi.ingest.framework``,
the unit data come from the database through ``yanzhi.services.evaluation.evaluate``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from yanzhi.core.composite.results import grade_bands
from yanzhi.core.composite.robustness import Uncertain
from yanzhi.core.composite.stats import FloatArray, rank_min, rank_min_rows

ITEM_TYPES = ("Indicator", "Bonus", "Deduction")
SOURCE_KINDS = ("indicator", "statistic", "enterprise_count", "register")
REGISTER_PREFIX = "register:"  # register counts arrive with the statistics as this element
FLAG_FILTERS = ("above_size_industrial", "hightech", "tech_sme", "specialised", "champion")
VALUE_FILTERS = ("hightech_cert_year", "rd_intensity_min")
GROUP_COLUMN = "kind"
OVERALL = "overall"


@dataclass(frozen=True)
class Item:
    """An indicator, bonus item or deduction item of a framework."""

    code: str
    name: str
    name_en: str
    type: str
    source_kind: str  # indicator | statistic | enterprise_count
    source: Any  # plan indicator code, data element code or filter mapping
    unit: str = ""
    parent: str | None = None
    weight: float | None = None
    direction: int = 1
    denominator: str | None = None
    target: float | None = None
    fill_missing: float | None = None
    points: float = 0.0
    max: float = 0.0
    provenance: str = ""


@dataclass(frozen=True)
class Aggregate:
    code: str
    name: str
    name_en: str
    weight: float
    parent: str


@dataclass(frozen=True)
class Grades:
    """``by`` "score": a unit's final score >= thresholds[k] gets labels[k]; "percentile": the
    thresholds are percentiles of the final scores within the unit's ranking pool."""

    by: str = "percentile"
    thresholds: tuple[float, ...] = (80.0, 30.0)
    labels: tuple[str, ...] = ("A", "B", "C")


@dataclass(frozen=True)
class Framework:
    code: str
    name: str
    name_en: str
    level: str
    index_code: str
    index_name: str
    index_name_en: str
    kinds: tuple[str, ...]
    separate: tuple[str, ...]
    group: str
    grades: Grades
    bonus_cap: float
    deduction_cap: float
    spec: dict[str, Any]
    uncertain: Uncertain
    aggregates: tuple[Aggregate, ...]
    items: tuple[Item, ...]
    source_file: str = ""
    document: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def indicators(self) -> list[Item]:
        return [i for i in self.items if i.type == "Indicator"]

    @property
    def bonus_items(self) -> list[Item]:
        return [i for i in self.items if i.type != "Indicator"]

    @property
    def denominators(self) -> list[str]:
        return sorted({i.denominator for i in self.indicators if i.denominator})

    def refs(self, kind: str) -> list[str]:
        """Plan indicator codes (``indicator``) or data elements (``statistic``) used."""
        out = {str(i.source) for i in self.items if i.source_kind == kind}
        if kind == "statistic":
            out |= set(self.denominators)
        return sorted(out)

    def names(self) -> dict[str, str]:
        out = {i.code: i.name for i in self.items}
        out.update({a.code: a.name for a in self.aggregates})
        out[self.index_code] = self.index_name
        return out


def framework_from_document(doc: Mapping[str, Any], source_file: str = "") -> Framework:
    """A :class:`Framework` from a checked document (``yanzhi.ingest.framework``)."""
    index = doc["index"]
    units = doc["units"]
    g = doc.get("grades") or {}
    grades = Grades(
        str(g.get("by", "percentile")),
        tuple(float(t) for t in g.get("thresholds", (80, 30))),
        tuple(str(x) for x in g.get("labels", ("A", "B", "C"))),
    )
    aggs = tuple(
        Aggregate(a["code"], a["name"], a.get("name_en", ""), float(a["weight"]),
                  a.get("parent") or index["code"])
        for a in doc["aggregates"]
    )  # fmt: skip
    items = tuple(_item(d) for d in doc["indicators"])
    return Framework(
        code=doc["code"], name=doc["name"], name_en=doc.get("name_en", ""), level=doc["level"],
        index_code=index["code"], index_name=index.get("name", index["code"]),
        index_name_en=index.get("name_en", ""), kinds=tuple(units["kinds"]),
        separate=tuple(units.get("separate") or ()), group=doc.get("group", GROUP_COLUMN),
        grades=grades, bonus_cap=float(doc.get("bonus_cap", 5)),
        deduction_cap=float(doc.get("deduction_cap", 5)), spec=dict(doc.get("spec") or {}),
        uncertain=uncertain_from(doc.get("uncertainty") or []), aggregates=aggs, items=items,
        source_file=source_file, document=dict(doc),
    )  # fmt: skip


def _item(d: Mapping[str, Any]) -> Item:
    (kind, ref), = d["source"].items()  # fmt: skip
    typ = d.get("type", "Indicator")
    return Item(
        code=d["code"], name=d["name"], name_en=d.get("name_en", ""), type=typ,
        source_kind=kind, source=ref, unit=str(d.get("unit", "")), parent=d.get("parent"),
        weight=None if d.get("weight") is None else float(d["weight"]),
        direction=int(d.get("direction", 1)), denominator=d.get("denominator"),
        target=None if d.get("target") is None else float(d["target"]),
        fill_missing=None if d.get("fill_missing") is None else float(d["fill_missing"]),
        points=float(d.get("points", 0)), max=float(d.get("max", 0)),
        provenance=str(d.get("provenance", "")),
    )  # fmt: skip


def uncertain_from(items: Sequence[Mapping[str, Any]]) -> Uncertain:
    """The ``uncertainty`` list (the format of ``yanzhi composite uncertainty``)."""
    unc = Uncertain()
    for it in items:
        if "path" in it:
            unc.alternatives[str(it["path"])] = list(it["alternatives"])
        else:
            levels = it.get("levels", [1])
            for lev in [levels] if isinstance(levels, int) else levels:
                unc.weight_noise[int(lev)] = float(it["weights_noise"])
    return unc


# --- unit data ---------------------------------------------------------------------------------
def enterprise_count(ents: pd.DataFrame, flt: Mapping[str, Any], year: int) -> pd.Series:
    """Enterprises per ``unit_code`` passing every condition of ``flt`` (flags equal; the
    certificate year equal, "year" = the evaluation year; R&D intensity (%) >= the minimum)."""
    keep = pd.Series(True, index=ents.index)
    for key, want in flt.items():
        if key in FLAG_FILTERS:
            keep &= ents[key].fillna(False).astype(bool) == bool(want)
        elif key == "hightech_cert_year":
            target = year if want == "year" else int(want)
            keep &= pd.to_numeric(ents[key], errors="coerce") == target
        elif key == "rd_intensity_min":
            keep &= pd.to_numeric(ents["rd_intensity"], errors="coerce") >= float(want)
    return ents.loc[keep].groupby("unit_code").size().astype(float)


def raw_table(
    fw: Framework,
    units: pd.DataFrame,
    year: int,
    values: pd.DataFrame,
    stats: pd.DataFrame,
    ents: pd.DataFrame,
    *,
    fill: bool = True,
) -> tuple[pd.DataFrame, bool]:
    """Units × (items and denominators) of ``year`` (with ``fill`` an item's declared
    ``fill_missing`` applied; without, see :func:`fill_declared`): ``values`` = indicator,
    unit_code, value, synthetic (plan indicators of the year); ``stats`` = org_unit_code,
    element, value, synthetic; ``ents`` = enterprises at year end with unit_code, flags,
    hightech_cert_year, rd_intensity, synthetic. Also says whether any input used is synthetic."""
    idx = pd.Index(units["uCode"], name="uCode")
    out = pd.DataFrame(index=idx)
    synthetic = False
    ind = values.pivot_table(index="unit_code", columns="indicator", values="value",
                             aggfunc="last") if len(values) else pd.DataFrame()  # fmt: skip
    st = stats.pivot_table(index="org_unit_code", columns="element", values="value",
                           aggfunc="last") if len(stats) else pd.DataFrame()  # fmt: skip
    for it in fw.items:
        if it.source_kind == "enterprise_count":
            col = enterprise_count(ents, it.source, year).reindex(idx).fillna(0.0)
            synthetic |= bool(ents["synthetic"].any()) if len(ents) else False
        else:
            table, key, src = ((ind, "indicator", values) if it.source_kind == "indicator"
                               else (st, "element", stats))  # fmt: skip
            ref = str(it.source)
            if it.source_kind == "register":
                ref = REGISTER_PREFIX + ref
            col = table[ref].reindex(idx) if ref in table.columns else pd.Series(np.nan, idx)
            col_key = key if key in src.columns else "element"
            used = src[(src[col_key] == ref)] if len(src) else src
            synthetic |= bool(used["synthetic"].any()) if len(used) else False
        if fill and it.fill_missing is not None:
            col = col.fillna(it.fill_missing)
        out[it.code] = col.astype(float)
    for d in fw.denominators:
        out[d] = st[d].reindex(idx).astype(float) if d in st.columns else np.nan
    return out, synthetic


def fill_declared(fw: Framework, raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply each item's declared ``fill_missing`` to ``raw`` (from ``raw_table(...,
    fill=False)``); returns the filled table and the mask of the cells filled, so that an
    evaluation can say where it filled."""
    out = raw.copy()
    mask = pd.DataFrame(False, index=raw.index, columns=raw.columns)
    for it in fw.items:
        if it.fill_missing is not None and it.code in out.columns:
            mask[it.code] = out[it.code].isna()
            out[it.code] = out[it.code].fillna(it.fill_missing)
    return out, mask


def coin_tables(fw: Framework, units: pd.DataFrame, raw: pd.DataFrame) -> tuple[
        pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """COINr iData (uCode, uName, the group column, denominators, indicators) and iMeta."""
    inds = fw.indicators
    idata = pd.DataFrame({"uCode": units["uCode"].to_numpy(), "uName": units["uName"].to_numpy(),
                          fw.group: units[fw.group].to_numpy()})  # fmt: skip
    cols = fw.denominators + [i.code for i in inds]
    idata = pd.concat([idata, raw[cols].reset_index(drop=True)], axis=1)
    level = aggregate_levels(fw)
    rows: list[dict[str, Any]] = [
        {"Level": 1, "iCode": i.code, "iName": i.name, "Direction": i.direction,
         "Weight": i.weight, "Unit": i.unit, "Target": i.target, "Denominator": i.denominator,
         "Parent": i.parent,
         "Type": "Indicator"} for i in inds
    ]  # fmt: skip
    rows += [{"Level": level[a.code], "iCode": a.code, "iName": a.name, "Weight": a.weight,
              "Parent": a.parent, "Type": "Aggregate"} for a in fw.aggregates]  # fmt: skip
    rows.append({"Level": level[fw.index_code], "iCode": fw.index_code, "iName": fw.index_name,
                 "Weight": 1.0, "Type": "Aggregate"})  # fmt: skip
    rows.append({"iCode": fw.group, "iName": "单元类型", "Type": "Group"})
    rows += [{"iCode": d, "iName": d, "Type": "Denominator"} for d in fw.denominators]
    meta = pd.DataFrame(rows, columns=["Level", "iCode", "iName", "Direction", "Weight", "Unit",
                                       "Target", "Denominator", "Parent", "Type"])  # fmt: skip
    return idata, meta


def aggregate_levels(fw: Framework) -> dict[str, int]:
    """Level of each aggregate and the index: 1 + the level of its children."""
    kids: dict[str, list[str]] = {}
    for a in fw.aggregates:
        kids.setdefault(a.parent, []).append(a.code)

    def height(code: str) -> int:
        sub = kids.get(code, [])
        return 2 if not sub else 1 + max(height(c) for c in sub)

    return {c: height(c) for c in [a.code for a in fw.aggregates] + [fw.index_code]}


# --- results -----------------------------------------------------------------------------------
def bonus_points(fw: Framework, raw: pd.DataFrame) -> pd.DataFrame:
    """Per item: min(points × value, max) (missing value = 0); then the totals capped:
    Bonus = min(Σ bonus, bonus_cap), Deduction = min(Σ deduction, deduction_cap),
    Net = Bonus − Deduction."""
    out = pd.DataFrame(index=raw.index)
    for it in fw.bonus_items:
        v = raw[it.code].fillna(0.0).clip(lower=0.0)
        out[it.code] = np.minimum(it.points * v, it.max)
    bon = [i.code for i in fw.bonus_items if i.type == "Bonus"]
    ded = [i.code for i in fw.bonus_items if i.type == "Deduction"]
    out["Bonus"] = np.minimum(out[bon].sum(axis=1), fw.bonus_cap) if bon else 0.0
    out["Deduction"] = np.minimum(out[ded].sum(axis=1), fw.deduction_cap) if ded else 0.0
    out["Net"] = out["Bonus"] - out["Deduction"]
    return out


def pools(fw: Framework, kinds: pd.Series) -> pd.Series:
    """Ranking pool of each unit: its kind for kinds ranked separately, else "overall"."""
    return kinds.where(kinds.isin(fw.separate), OVERALL).astype(str)


def ranks_within(scores: pd.Series, by: pd.Series) -> pd.Series:
    """Descending "min" ranks of ``scores`` within each value of ``by`` (1 = highest)."""
    out = pd.Series(np.nan, index=scores.index)
    for _, ix in scores.groupby(by).groups.items():
        out[ix] = rank_min(scores[ix].to_numpy(float), descending=True)
    return out


def grades(g: Grades, scores: pd.Series, pool: pd.Series) -> pd.Series:
    """Grade bands by score thresholds or by percentiles of the pool's scores."""
    if g.by == "score":
        return grade_bands(scores, g.thresholds, g.labels)
    out = pd.Series(None, index=scores.index, dtype=object)
    for _, ix in scores.groupby(pool).groups.items():
        s = scores[ix]
        band = pd.Series(g.labels[-1], index=ix, dtype=object)
        for t, label in reversed(list(zip(g.thresholds, g.labels[:-1], strict=True))):
            band[s >= float(np.nanpercentile(s, t))] = label
        out[ix] = band.where(s.notna(), None)
    return out


def rank_intervals(draws: FloatArray, net: FloatArray, pool: Sequence[str]) -> pd.DataFrame:
    """Mean, median, 5 % and 95 % of each unit's rank within its pool over the draws
    (``draws`` = index scores (n, U); the unit's net bonus points are added to every draw)."""
    sc = np.asarray(draws, float) + np.asarray(net, float)[None, :]
    pool_arr = np.asarray(pool)
    rk = np.full_like(sc, np.nan)
    for p in np.unique(pool_arr):
        cols = np.flatnonzero(pool_arr == p)
        rk[:, cols] = rank_min_rows(sc[:, cols])
    with np.errstate(all="ignore"):
        return pd.DataFrame({
            "RankMean": np.nanmean(rk, axis=0), "RankMedian": np.nanmedian(rk, axis=0),
            "RankQ5": np.nanquantile(rk, 0.05, axis=0), "RankQ95": np.nanquantile(rk, 0.95, axis=0),
        })  # fmt: skip


def scorecard(norm: pd.Series, eff_weight: pd.Series, n: int = 3) -> dict[str, Any]:
    """One unit: each indicator's normalised score and its contribution relative to the unit's
    own weighted average, w_i·(x_i − x̄) with x̄ = Σ w_i x_i / Σ w_i; the ``n`` largest positive
    contributions lift the unit, the ``n`` most negative drag it."""
    x = norm.astype(float)
    w = eff_weight.reindex(x.index).fillna(0.0)
    ok = x.notna()
    avg = float((x[ok] * w[ok]).sum() / w[ok].sum()) if w[ok].sum() > 0 else float("nan")
    contrib = (w * (x - avg)).where(ok)
    # largest first, ties in framework order — the order the unit page's chart shows; the
    # drags are that order from its end
    order = contrib.dropna().sort_values(ascending=False, kind="mergesort")
    lifts = [(c, float(v)) for c, v in order.items() if v > 0][:n]
    drags = [(c, float(v)) for c, v in order[::-1].items() if v < 0][:n]
    return {"average": avg, "scores": x.to_dict(), "contributions": contrib.to_dict(),
            "lifts": lifts, "drags": drags}  # fmt: skip
