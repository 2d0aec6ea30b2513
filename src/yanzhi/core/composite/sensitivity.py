"""Variance-based sensitivity analysis: Saltelli design, Jansen estimators, bootstrap.

Output of the composite model = mean absolute change of the index rank versus the nominal
build (COINr's ``get_sensitivity`` with ``Rank`` / mean absolute rank change).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .pipeline import BuildResult
from .robustness import Evaluator, Uncertain, _nominal_ranks
from .stats import FloatArray, rank_min_rows


def saltelli_design(n: int, k: int, rng: np.random.Generator) -> FloatArray:
    """Stacked design [A; B; AB_1; ...; AB_k] of shape (n * (k + 2), k), where AB_i is A with
    column i taken from B; A and B are independent U(0, 1) samples."""
    a = rng.random((n, k))
    b = rng.random((n, k))
    blocks = [a, b]
    for i in range(k):
        ab = a.copy()
        ab[:, i] = b[:, i]
        blocks.append(ab)
    return np.vstack(blocks)


def _jansen(ya: FloatArray, yb: FloatArray, yab: FloatArray) -> tuple[FloatArray, FloatArray]:
    v = np.var(np.concatenate([ya, yb]), ddof=1)
    if v == 0:
        nan = np.full(yab.shape[1], np.nan)
        return nan, nan
    si = (v - 0.5 * np.mean((yb[:, None] - yab) ** 2, axis=0)) / v
    sti = 0.5 * np.mean((ya[:, None] - yab) ** 2, axis=0) / v
    return si, sti


def sobol_indices(
    y: FloatArray,
    n: int,
    k: int,
    names: list[str] | None = None,
    n_boot: int = 200,
    rng: np.random.Generator | None = None,
    conf: float = 0.9,
) -> pd.DataFrame:
    """First-order Si and total-order STi (Jansen 1999 estimators) from the model outputs ``y``
    of a :func:`saltelli_design`, with bootstrap percentile intervals (``conf`` level; 0.9 gives
    COINr's 5 % / 95 % quantiles)."""
    y = np.asarray(y, dtype=float)
    ya, yb = y[:n], y[n : 2 * n]
    yab = y[2 * n :].reshape(k, n).T
    si, sti = _jansen(ya, yb, yab)
    rng = rng or np.random.default_rng(0)
    boot_si = np.empty((n_boot, k))
    boot_sti = np.empty((n_boot, k))
    for r in range(n_boot):
        i = rng.integers(0, n, n)
        boot_si[r], boot_sti[r] = _jansen(ya[i], yb[i], yab[i])
    lo, hi = (1 - conf) / 2, 1 - (1 - conf) / 2
    return pd.DataFrame(
        {
            "Input": names or [f"x{i}" for i in range(k)],
            "Si": si,
            "STi": sti,
            "Si_lo": np.nanquantile(boot_si, lo, axis=0),
            "Si_hi": np.nanquantile(boot_si, hi, axis=0),
            "STi_lo": np.nanquantile(boot_sti, lo, axis=0),
            "STi_hi": np.nanquantile(boot_sti, hi, axis=0),
        }
    )


def sensitivity_of(
    model: Callable[[FloatArray], FloatArray],
    k: int,
    n: int = 500,
    seed: int | None = 0,
    names: list[str] | None = None,
    n_boot: int = 200,
) -> pd.DataFrame:
    """Sensitivity of a vectorised ``model`` (maps a (D, k) matrix of U(0, 1) inputs to D
    outputs) — the generic engine, also used to test the estimators on known models."""
    rng = np.random.default_rng(seed)
    x = saltelli_design(n, k, rng)
    return sobol_indices(np.asarray(model(x), dtype=float), n, k, names, n_boot, rng)


def sensitivity(
    nominal: BuildResult,
    uncertain: Uncertain,
    n: int = 200,
    seed: int | None = 0,
    n_boot: int = 200,
    n_noise: int = 100,
) -> dict[str, Any]:
    """Sensitivity of the mean absolute rank change to each uncertain input (each alternative
    path, and each level's weight noise, whose input picks one of ``n_noise`` pre-drawn noisy
    weight sets). Runs n * (k + 2) evaluations. Returns ``indices`` (Input, Si, STi and
    intervals) and the outputs ``y``."""
    rng = np.random.default_rng(seed)
    ev = Evaluator(nominal, uncertain, n_noise, rng)
    nom = _nominal_ranks(nominal)
    k = len(ev.inputs)

    def model(u: FloatArray) -> FloatArray:
        rk = rank_min_rows(ev.scores(ev.choices(u)))
        return np.asarray(np.nanmean(np.abs(rk - nom), axis=1), dtype=float)

    x = saltelli_design(n, k, rng)
    y = model(x)
    return {"indices": sobol_indices(y, n, k, ev.names, n_boot, rng), "y": y}
