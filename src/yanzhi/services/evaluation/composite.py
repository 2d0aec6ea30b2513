"""Composite-index use cases: build, uncertainty, sensitivity, removing elements.

Each reads iData / iMeta (COINr CSVs), the optional spec YAML and, where needed, the
uncertain-inputs YAML (``yanzhi.ingest.compositespec``), runs the engine
(``yanzhi.core.composite``), writes the CSV files asked for into ``out`` and returns a small
summary (a :class:`CompositeRun`; ``to_dict()`` is the JSON). Input problems raise
``CompositeInputError`` with every issue found.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from yanzhi.core.composite import BuildResult, build
from yanzhi.core.composite.pipeline import DATASETS
from yanzhi.core.composite.robustness import Uncertain, remove_elements, uncertainty
from yanzhi.core.composite.sensitivity import sensitivity
from yanzhi.core.errors import InvalidInput
from yanzhi.export import sheets
from yanzhi.ingest.compositespec import read_inputs, read_spec, read_uncertain, spec_to_yaml

TOP = 10

Cell = str | int | float | bool | None
"""One JSON-safe value of a result table (NaN is ``None``, numpy scalars are Python's)."""

Record = dict[str, Cell]
"""One row of a result table, keyed by its column names (``uCode``, ``Rank``, the index and
indicator codes of the build: they differ from one framework to the next)."""


def _clean(value: Any) -> Any:
    """NaN -> None and numpy scalars -> Python, for JSON."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def records(df: pd.DataFrame, n: int | None = None) -> list[Record]:
    """The first ``n`` rows (all if None) as JSON-safe :data:`Record` rows."""
    rows = df if n is None else df.head(n)
    return [{str(k): _clean(v) for k, v in r.items()} for r in rows.to_dict("records")]


def _write(df: pd.DataFrame, out: Path, name: str, files: list[str]) -> None:
    sheets.write_csv(df, out / name)
    files.append(name)


def _int_ranks(df: pd.DataFrame, cols: tuple[str, ...] = ("Rank", "Nominal")) -> pd.DataFrame:
    """Whole-number rank columns as integers (missing ranks stay empty)."""
    out = df.copy()
    for c in cols:
        if c in out.columns:
            out[c] = out[c].round().astype("Int64")
    return out


def _unit_table(df: pd.DataFrame) -> pd.DataFrame:
    """A uCode-indexed data set as COINr writes it: uCode, then one column per code."""
    t = df.copy()
    t.index.name = "uCode"
    return t.reset_index()


def nominal_build(idata: str | Path, imeta: str | Path, config: str | Path | None) -> BuildResult:
    """Read the inputs and run the build of the spec (defaults when ``config`` is None)."""
    data, meta = read_inputs(idata, imeta)
    return build(data, meta, read_spec(config))


def weights_table(result: BuildResult) -> pd.DataFrame:
    """iCode, Level, Parent, Weight (in force), EffWeight (weight in the index)."""
    b = result.build
    ew = result.effective_weights
    return pd.DataFrame(
        {
            "iCode": list(ew.index),
            "Level": [b.level[c] for c in ew.index],
            "Parent": [b.parent.get(c) for c in ew.index],
            "Weight": [result.weights.get(c, 1.0) for c in ew.index],
            "EffWeight": ew.to_numpy(float),
        }
    )


def write_build(result: BuildResult, out: str | Path) -> list[str]:
    """Write every data set, results, treated points, weights and spec.yaml into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files: list[str] = []
    for name in DATASETS:
        _write(_unit_table(result.data[name]), out, f"{name}.csv", files)
    _write(_int_ranks(result.results), out, "results.csv", files)
    _write(_unit_table(result.treated_points), out, "treated_points.csv", files)
    _write(weights_table(result), out, "weights.csv", files)
    (out / "spec.yaml").write_text(spec_to_yaml(result.spec), encoding="utf-8")
    files.append("spec.yaml")
    return files


@dataclass(frozen=True)
class CompositeRun:
    """What every ``yanzhi composite`` run reports: where its files went and the size of
    the build. :meth:`to_dict` is the ``--json`` output."""

    ok: bool
    out: str
    files: list[str]
    index: str
    n_units: int
    n_indicators: int

    def to_dict(self) -> dict[str, Any]:
        """The run as JSON-ready data, fields in their declared order."""
        return asdict(self)


def _header(result: BuildResult, out: Path, files: list[str]) -> dict[str, Any]:
    b = result.build
    return {
        "ok": True,
        "out": str(out),
        "files": files,
        "index": b.index_code,
        "n_units": len(result.data["Normalised"]),
        "n_indicators": len(b.indicators),
    }


@dataclass(frozen=True)
class BuildRun(CompositeRun):
    """``composite build``: the top-level sub-indices, the top 10 units and the spec."""

    sub_indices: list[str]
    top: list[Record]
    spec: dict[str, Any]


@dataclass(frozen=True)
class UncertaintyRun(CompositeRun):
    """``composite uncertainty``: draws, seed, the uncertain inputs and the top 10 ranks."""

    n: int
    seed: int | None
    inputs: list[str]
    top: list[Record]


@dataclass(frozen=True)
class SensitivityRun(CompositeRun):
    """``composite sensitivity``: draws, seed, model runs and the sensitivity indices."""

    n: int
    seed: int | None
    runs: int
    indices: list[Record]


@dataclass(frozen=True)
class RemovalRun(CompositeRun):
    """``composite remove-elements``: the level and each element's mean rank change."""

    level: int
    rows: list[Record]


def run_build(
    idata: str | Path, imeta: str | Path, config: str | Path | None, out: str | Path
) -> BuildRun:
    """``yanzhi composite build``: the build, its files, the top 10 units and the spec."""
    result = nominal_build(idata, imeta, config)
    files = write_build(result, out)
    b = result.build
    top_codes = b.children.get(b.index_code, [])
    cols = ["Rank", "uCode", b.index_code, *top_codes]
    return BuildRun(
        **_header(result, Path(out), files),
        sub_indices=list(top_codes),
        top=records(_int_ranks(result.results)[cols], TOP),
        spec=result.spec,
    )


def run_uncertainty(
    idata: str | Path,
    imeta: str | Path,
    config: str | Path | None,
    uncertain_file: str | Path,
    out: str | Path,
    n: int = 1000,
    seed: int | None = 0,
) -> UncertaintyRun:
    """``yanzhi composite uncertainty``: rank_stats.csv (uCode, Nominal, Mean, Median, Q5,
    Q95), sorted by nominal rank."""
    unc = read_uncertain(uncertain_file)
    result = nominal_build(idata, imeta, config)
    res = uncertainty(result, unc, n=n, seed=seed)
    stats = _int_ranks(res["rank_stats"].sort_values(["Nominal", "uCode"], kind="mergesort"))
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[str] = []
    _write(stats, out_dir, "rank_stats.csv", files)
    return UncertaintyRun(
        **_header(result, out_dir, files),
        n=n,
        seed=seed,
        inputs=describe(unc),
        top=records(stats, TOP),
    )


def run_sensitivity(
    idata: str | Path,
    imeta: str | Path,
    config: str | Path | None,
    uncertain_file: str | Path,
    out: str | Path,
    n: int = 200,
    seed: int | None = 0,
    n_boot: int = 200,
) -> SensitivityRun:
    """``yanzhi composite sensitivity``: sensitivity.csv (Input, Si, STi, Si_lo, Si_hi,
    STi_lo, STi_hi) of the mean absolute rank change."""
    unc = read_uncertain(uncertain_file)
    result = nominal_build(idata, imeta, config)
    res = sensitivity(result, unc, n=n, seed=seed, n_boot=n_boot)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[str] = []
    _write(res["indices"], out_dir, "sensitivity.csv", files)
    k = len(res["indices"])
    return SensitivityRun(
        **_header(result, out_dir, files),
        n=n,
        seed=seed,
        runs=n * (k + 2),
        indices=records(res["indices"]),
    )


def run_remove_elements(
    idata: str | Path,
    imeta: str | Path,
    config: str | Path | None,
    out: str | Path,
    level: int = 1,
) -> RemovalRun:
    """``yanzhi composite remove-elements``: remove_elements.csv (iCode,
    MeanAbsRankChange), one row per component of ``level``."""
    result = nominal_build(idata, imeta, config)
    if level not in range(1, result.build.n_levels):
        raise InvalidInput(
            f"--level must be between 1 and {result.build.n_levels - 1}",
            f"--level 应在 1 到 {result.build.n_levels - 1} 之间",
        )
    table = remove_elements(result, level=level)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[str] = []
    _write(table, out_dir, "remove_elements.csv", files)
    return RemovalRun(**_header(result, out_dir, files), level=level, rows=records(table))


def describe(unc: Uncertain) -> list[str]:
    """One line per uncertain input, for summaries."""
    lines = [f"{p}: {len(v)} alternatives" for p, v in unc.alternatives.items()]
    lines += [f"weights noise level {lev}: ±{f:g}" for lev, f in sorted(unc.weight_noise.items())]
    return lines
