"""Fixtures for the composite-index engine tests (helpers live in composite_fixtures.py)."""

from __future__ import annotations

import pandas as pd
import pytest
from composite_fixtures import ASEM, ASEM_SPEC

from yanzhi.core.composite import BuildResult, build
from yanzhi.ingest.coinr import read_coinr_csv


@pytest.fixture(scope="session")
def asem_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_coinr_csv(ASEM / "ASEM_iData.csv"), read_coinr_csv(ASEM / "ASEM_iMeta.csv")


@pytest.fixture(scope="session")
def asem(asem_data: tuple[pd.DataFrame, pd.DataFrame]) -> BuildResult:
    idata, imeta = asem_data
    return build(idata, imeta, ASEM_SPEC)
