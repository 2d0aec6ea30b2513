"""Read COINr's iData / iMeta tables from CSV as they are (for the composite-index engine)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

NA_STRINGS = ["", "NA", "NaN", "nan", "N/A", "#N/A", "NULL", "null"]
TEXT_COLUMNS = ("uCode", "uName", "iCode", "iName", "Parent", "Type", "Unit", "Denominator")


def read_coinr_csv(path: str | Path) -> pd.DataFrame:
    """Read a COINr iData or iMeta CSV. Code and name columns stay text (so a unit code such as
    "NA" for Namibia is not read as missing); other columns use the usual missing-value
    markers and pandas' type inference. Numeric checking is left to the engine."""
    header = pd.read_csv(path, nrows=0).columns
    na = {c: ([] if c in TEXT_COLUMNS else NA_STRINGS) for c in header}
    dtypes = {c: str for c in header if c in TEXT_COLUMNS}
    df = pd.read_csv(path, keep_default_na=False, na_values=na, dtype=dtypes)
    for c in header:
        if c in TEXT_COLUMNS and c not in ("uCode", "iCode"):
            df[c] = df[c].where(df[c].str.strip() != "", None)
    return df


def read_coinr_pair(
    idata_path: str | Path, imeta_path: str | Path
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read (iData, iMeta)."""
    return read_coinr_csv(idata_path), read_coinr_csv(imeta_path)
