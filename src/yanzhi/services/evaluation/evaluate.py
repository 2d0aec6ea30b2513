"""The district and township evaluation (综合评价) from the database: the shipped framework
of the level, its inputs for the year (plan indicator values, unit statistics, enterprise
counts), the composite engine, bonus / deduction points, ranks within pools and kinds,
grades, change since the previous year, scorecards and the rank uncertainty."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from yanzhi.core import evaluation as ev
from yanzhi.core.composite import BuildResult, build
from yanzhi.core.composite.results import strengths_weaknesses
from yanzhi.core.composite.robustness import uncertainty as run_uncertainty
from yanzhi.core.errors import InvalidInput, NotFound
from yanzhi.core.orgtree import KIND_LABELS, Kind, OrgTree
from yanzhi.ingest.framework import LEVELS, builtin_framework_path, read_framework
from yanzhi.services.database import require_schema
from yanzhi.services.evaluation.composite import records
from yanzhi.services.evaluation.imputation import Imputation, imputations
from yanzhi.services.evaluation.imputation import note as imputation_note
from yanzhi.storage.db import transaction
from yanzhi.storage.evaluation import enterprises_at, rd_intensity_of_year
from yanzhi.storage.facts import indicator_values
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.storage.plans import get_plan
from yanzhi.storage.stats import current_statistics


@dataclass
class YearInputs:
    values: pd.DataFrame
    stats: pd.DataFrame
    enterprises: pd.DataFrame
    sums: dict[str, dict[str, bool]] = field(default_factory=dict)  # sum indicator → filter


@dataclass
class EvaluationResult:
    framework: ev.Framework
    year: int
    units: pd.DataFrame  # uCode, uName, kind, pool, kind_zh
    build: BuildResult
    raw: pd.DataFrame
    bonus: pd.DataFrame
    results: pd.DataFrame  # one row per unit, by pool then rank
    scorecards: dict[str, dict[str, Any]]
    synthetic: bool
    previous_year: int | None = None
    draws: int = 0
    seed: int | None = None
    rank_stats: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    imputations: list[Imputation] = field(default_factory=list)
    issuer: str = ""  # the plan's issuer (who publishes the evaluation)

    def to_dict(self) -> dict[str, Any]:
        fw = self.framework
        return {
            "ok": True,
            "framework": fw.code,
            "name": fw.name,
            "level": fw.level,
            "year": self.year,
            "previous_year": self.previous_year,
            "synthetic": self.synthetic,
            "n_units": len(self.results),
            "n_indicators": len(fw.indicators),
            "index": fw.index_code,
            "aggregates": [a.code for a in fw.aggregates],
            "uncertainty": {"draws": self.draws, "seed": self.seed} if self.draws else None,
            "notes": self.notes,
            "imputations": [x.to_dict() for x in self.imputations],
            "results": [_whole_ranks(r) for r in records(self.results)],
        }


def _whole_ranks(row: dict[str, Any]) -> dict[str, Any]:
    """Rank columns as integers in JSON (missing ranks stay null)."""
    for k in ("Rank", "GroupRank", "RankPrev", "RankChange"):
        if isinstance(row.get(k), float):
            row[k] = int(row[k])
    return row


def evaluate(
    engine: Engine,
    *,
    level: str,
    year: int,
    uncertainty: int = 0,
    seed: int | None = 1,
    framework_file: str | Path | None = None,
) -> EvaluationResult:
    """Run the evaluation of ``level`` (township | district) for ``year``."""
    if level not in LEVELS:
        raise InvalidInput(
            f"--level must be township or district: {level!r}",
            f"--level 应为 township 或 district: {level!r}",
        )
    if uncertainty < 0:
        raise InvalidInput("the number of draws must be >= 0", "抽样次数不能为负")
    require_schema(engine)
    with transaction(engine) as session:
        plan = get_plan(session)
        plan_issuer = plan.meta.issuer
        elements = {e.code for e in plan.data_elements if e.source == "statistic"}
        sums = {  # sums over enterprises: 0, not missing, where no enterprise qualifies
            i.code: dict(i.formula.filter or {})
            for i in plan.indicators
            if i.source == "enterprise" and not i.formula.denominator
        }
        fw = read_framework(
            framework_file or builtin_framework_path(level),
            indicators={i.code for i in plan.indicators},
            elements=elements,
        )
    counted = register_counts(engine, fw.refs("register"), (year, year - 1))
    with transaction(engine) as session:
        tree = load_org_tree(session)
        values = indicator_values(session, indicators=fw.refs("indicator"), kinds=["year"])
        stats = pd.concat([current_statistics(session), counted], ignore_index=True)
        inputs = {y: YearInputs(_values_of(values, fw.level, y), _stats_of(stats, y),
                                _enterprises(session, tree, fw.level, y))
                  for y in (year, year - 1)}  # fmt: skip
    units = unit_table(fw, tree)
    for y in inputs:
        inputs[y].sums = sums
    cur = _year_build(fw, units, year, inputs[year])
    if cur is None:
        what = {"township": "乡镇(街道)", "district": "区(县、市)"}.get(level, "")
        raise NotFound(f"no {level} data for {year}", f"{year}年没有{what}评价所需的数据")
    bld, raw, synthetic, imputed = cur
    prev = _year_build(fw, units, year - 1, inputs[year - 1])
    result = _assemble(fw, year, units, bld, raw, synthetic, prev, imputed)
    result.notes += unlock_notes(engine, tree, (year, year - 1))
    result.issuer = plan_issuer
    if uncertainty > 0:
        _add_uncertainty(result, uncertainty, seed)
    return result


def unlock_notes(engine: Engine, tree: OrgTree, years: Iterable[int]) -> list[str]:
    """A note for each period of ``years`` unlocked for review and not approved again: the
    evaluation reads approved data only, so it may change once the period is approved."""
    from yanzhi.services.monitoring.coverage import coverage_index

    wanted = {int(y) for y in years}
    index = coverage_index(engine, [])
    out = []
    for root in tree.roots():
        for n in index.pending_unlocks(root.code):
            if int(n.period[:4]) not in wanted:
                continue
            parents = {tree.get(t).parent_code or t for t in n.townships}
            names = "、".join(sorted(tree.get(p).name for p in parents))
            day, why = (n.unlocked_at or "")[:10], n.reason or "—"
            out.append(
                f"{names} {n.period[:4]}年数据已于{day}解锁重审(原因：{why})，涉及 "
                f"{len(n.townships)} 个乡镇(街道)，本评价可能变动 / {n.period} data of "
                f"{len(n.townships)} townships unlocked for review on {day}; this evaluation "
                "may change"
            )
    return out


def register_counts(engine: Engine, kinds: Iterable[str], years: Iterable[int]) -> pd.DataFrame:
    """Register counts per unit as statistic rows (element ``register:KIND``), counted with
    the register's own rule (entries in force, new in the year or cumulative); once the register
    holds any entry, a unit without entries counts 0 (a count, not a missing value)."""
    from yanzhi.services.tasks.registers import counts, register_kind
    from yanzhi.storage.registers import entries_frame

    rows = []
    for kind in sorted(set(kinds)):
        spec = register_kind(kind)
        with transaction(engine) as session:
            entries = entries_frame(session, kind)
            every = [u.code for u in load_org_tree(session)]
        synthetic = bool(entries["synthetic"].any()) if len(entries) else False
        for y in years:
            by_unit = counts(engine, kind, spec.counts[0] if spec.counts else None, year=y)
            if len(entries):  # a kept register: a unit without entries counts 0, not missing
                by_unit = {u: by_unit.get(u, 0) for u in every}
            rows += [
                {
                    "org_unit_code": u,
                    "element": ev.REGISTER_PREFIX + kind,
                    "period": str(y),
                    "value": float(n),
                    "synthetic": synthetic,
                }
                for u, n in by_unit.items()
            ]
    return pd.DataFrame(rows, columns=["org_unit_code", "element", "period", "value", "synthetic"])


def unit_table(fw: ev.Framework, tree: OrgTree) -> pd.DataFrame:
    """The units of the framework's level and kinds, with their ranking pool and the name of
    the unit above them (a township's district; "" at the top)."""

    def above(code: str | None) -> str:
        return tree.get(code).name if code and code in tree else ""

    rows = [(u.code, u.name, u.kind.value, KIND_LABELS[Kind(u.kind)][0], above(u.parent_code))
            for u in tree.by_level(fw.level) if u.kind.value in fw.kinds]  # fmt: skip
    if not rows:
        raise NotFound(f"no {fw.level} units in the database", f"没有 {fw.level} 级单位")
    columns = ["uCode", "uName", ev.GROUP_COLUMN, "kind_zh", "parent_name"]
    units = pd.DataFrame(rows, columns=columns)
    units["pool"] = ev.pools(fw, units[ev.GROUP_COLUMN]).to_numpy()
    return units.sort_values("uCode", kind="mergesort").reset_index(drop=True)


def _values_of(values: pd.DataFrame, level: str, year: int) -> pd.DataFrame:
    if values.empty:
        return values
    sel = (values["period"] == str(year)) & (values["level"] == level)
    sel &= values["industry_division"].fillna("") == ""
    return values.loc[sel, ["indicator", "unit_code", "value", "synthetic"]]


def _stats_of(stats: pd.DataFrame, year: int) -> pd.DataFrame:
    if stats.empty:
        return stats
    return stats.loc[stats["period"] == str(year), ["org_unit_code", "element", "value",
                                                     "synthetic"]]  # fmt: skip


def _enterprises(session: Any, tree: OrgTree, level: str, year: int) -> pd.DataFrame:
    ents = enterprises_at(session, year)
    if ents.empty:
        return ents.assign(unit_code=pd.Series(dtype=str), rd_intensity=pd.Series(dtype=float))
    ents = ents.merge(rd_intensity_of_year(session, year), on="enterprise_id", how="left")
    if level == "township":
        ents["unit_code"] = ents["township_code"]
    else:
        parent = {u.code: u.parent_code for u in tree}
        ents["unit_code"] = ents["township_code"].map(parent)
    return ents


YearBuild = tuple[BuildResult, pd.DataFrame, bool, list[Imputation]]


def _year_build(
    fw: ev.Framework, units: pd.DataFrame, year: int, inputs: YearInputs
) -> YearBuild | None:
    """The engine's build of one year, or None when the year has no indicator data."""
    elements = set(fw.refs("statistic")) - set(fw.denominators)
    stats = inputs.stats
    if inputs.values.empty and (stats.empty or not stats["element"].isin(elements).any()):
        return None
    unfilled, synthetic = ev.raw_table(
        fw, units, year, inputs.values, stats, inputs.enterprises, fill=False
    )
    zeros = _no_enterprise_zeros(fw, unfilled, inputs)
    unfilled = unfilled.mask(zeros, 0.0)
    raw, declared = ev.fill_declared(fw, unfilled)
    idata, imeta = ev.coin_tables(fw, units, raw)
    spec = dict(fw.spec)
    spec.setdefault("impute", {"method": "mean_group"})
    spec["impute"] = {**spec["impute"], "group": ev.GROUP_COLUMN}
    bld = build(idata, imeta, spec)
    return bld, raw, synthetic, imputations(fw, units, bld, declared, raw, zeros)


def _no_enterprise_zeros(fw: ev.Framework, raw: pd.DataFrame, inputs: YearInputs) -> pd.DataFrame:
    """Cells of a sum over enterprises (R&D expense of above-size industrial enterprises …)
    missing because the unit has no qualifying enterprise at the year's end: a true 0 (the
    sum over none), not a missing value. Units with enterprises but no approved data stay
    missing (imputed and listed)."""
    zeros = pd.DataFrame(False, index=raw.index, columns=raw.columns)
    ents = inputs.enterprises
    for it in fw.items:
        wanted = inputs.sums.get(str(it.source)) if it.source_kind == "indicator" else None
        if wanted is None or it.code not in raw.columns:
            continue
        hit = pd.Series(True, index=ents.index)
        for flag, value in wanted.items():
            col = ents[flag] if flag in ents.columns else pd.Series(None, index=ents.index)
            hit &= col.fillna(False).astype(bool) == bool(value)
        n = ents.loc[hit].groupby("unit_code").size() if len(ents) else pd.Series(dtype=int)
        zeros[it.code] = raw[it.code].isna() & (n.reindex(raw.index).fillna(0) == 0)
    return zeros


def _final(fw: ev.Framework, bld: BuildResult, raw: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    bonus = ev.bonus_points(fw, raw)
    index = bld.data["Aggregated"][fw.index_code]
    return index + bonus["Net"].reindex(index.index), bonus


def _assemble(
    fw: ev.Framework,
    year: int,
    units: pd.DataFrame,
    bld: BuildResult,
    raw: pd.DataFrame,
    synthetic: bool,
    prev: YearBuild | None,
    imputed: list[Imputation],
) -> EvaluationResult:
    u = units.set_index("uCode")
    score, bonus = _final(fw, bld, raw)
    agg = bld.data["Aggregated"]
    pool, kind = u["pool"].reindex(score.index), u[ev.GROUP_COLUMN].reindex(score.index)
    res = pd.DataFrame({"uName": u["uName"], "kind": kind, "kind_zh": u["kind_zh"],
                        "pool": pool}).reindex(score.index)  # fmt: skip
    res["Rank"] = ev.ranks_within(score, pool)
    res["GroupRank"] = ev.ranks_within(score, kind)
    res["Grade"] = ev.grades(fw.grades, score, pool)
    res["Score"] = score
    res["Index"] = agg[fw.index_code]
    for a in fw.aggregates:
        res[a.code] = agg[a.code]
    res[["Bonus", "Deduction"]] = bonus[["Bonus", "Deduction"]]
    notes = [imputation_note(imputed, str(bld.spec["impute"]["method"]))]
    if prev is not None:
        p_score, _ = _final(fw, prev[0], prev[1])
        res["ScorePrev"] = p_score.reindex(score.index)
        res["RankPrev"] = ev.ranks_within(p_score, u["pool"].reindex(p_score.index)).reindex(
            score.index
        )
        res["ScoreChange"] = res["Score"] - res["ScorePrev"]
        res["RankChange"] = res["RankPrev"] - res["Rank"]
        synthetic |= prev[2]
    else:
        notes.append(f"{year - 1} 年无数据, 不计变化 / no data for {year - 1}: no change shown")
        for c in ("ScorePrev", "RankPrev", "ScoreChange", "RankChange"):
            res[c] = float("nan")
    sw = strengths_weaknesses(bld, 3).set_index("uCode")
    res["Strengths"] = sw["Strengths"].reindex(score.index)
    res["Weaknesses"] = sw["Weaknesses"].reindex(score.index)
    ew = bld.effective_weights.reindex([i.code for i in fw.indicators])
    norm = bld.data["Normalised"]
    cards = {str(c): ev.scorecard(norm.loc[c], ew) for c in norm.index}
    res["Lifts"] = [[k for k, _ in cards[str(c)]["lifts"]] for c in res.index]
    res["Drags"] = [[k for k, _ in cards[str(c)]["drags"]] for c in res.index]
    res.index.name = "uCode"
    res = res.reset_index()
    res["_p"] = (res["pool"] != ev.OVERALL).astype(int)
    res = res.sort_values(["_p", "pool", "Rank", "uCode"], kind="mergesort").drop(columns="_p")
    return EvaluationResult(
        fw,
        year,
        units,
        bld,
        raw,
        bonus,
        res.reset_index(drop=True),
        cards,
        synthetic,
        year - 1 if prev is not None else None,
        notes=notes,
        imputations=imputed,
    )


def _add_uncertainty(result: EvaluationResult, n: int, seed: int | None) -> None:
    """Monte Carlo over the framework's uncertain choices; rank intervals within pools."""
    fw, bld = result.framework, result.build
    out = run_uncertainty(bld, fw.uncertain, n=n, seed=seed)
    units = bld.data["Normalised"].index
    net = result.bonus["Net"].reindex(units).fillna(0.0).to_numpy(float)
    pool = result.units.set_index("uCode")["pool"].reindex(units).to_numpy()
    stats = ev.rank_intervals(out["scores"], net, list(pool))
    stats.insert(0, "uCode", list(units))
    stats.insert(
        1, "RankNominal", result.results.set_index("uCode")["Rank"].reindex(units).to_numpy()
    )
    result.rank_stats = stats
    merged = result.results.merge(stats.drop(columns="RankNominal"), on="uCode", how="left")
    result.results = merged
    result.draws, result.seed = n, seed
