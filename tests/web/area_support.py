"""Helpers shared by the evaluation, enterprises and reports web tests: few Monte Carlo
draws for the module, the evaluation service's result, the ranking API, an enterprise in
another district."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.web.conftest import Site

from yanzhi.services.evaluation.evaluate import EvaluationResult, evaluate
from yanzhi.storage.db import transaction
from yanzhi.storage.enterprises import enterprise_index

DRAWS = 8  # the web's YANZHI_EVALUATION_DRAWS in this module: keeps it fast


@pytest.fixture(scope="module", autouse=True)
def few_draws() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("YANZHI_EVALUATION_DRAWS", str(DRAWS))
        yield


_RESULTS: dict[tuple[str, str, int], EvaluationResult] = {}


def service(site: Site, level: str, year: int) -> EvaluationResult:
    key = (site.url, level, year)
    if key not in _RESULTS:
        _RESULTS[key] = evaluate(site.engine, level=level, year=year, uncertainty=DRAWS, seed=1)
    return _RESULTS[key]


def ranking(site: Site, user: str, level: str = "township") -> dict[str, Any]:
    r = site.as_role(user).get(f"/api/v1/evaluation?level={level}&size=500")
    assert r.status_code == 200, r.text
    return dict(r.json())


def by_code(rows: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    keys = ("Score", "Rank", "GroupRank", "Grade", "RankQ5", "RankQ95")
    return {r["uCode"]: tuple(r[k] for k in keys) for r in rows}


def enterprise_elsewhere(site: Site, township: str) -> str:
    """An enterprise located in another district than ``township``."""
    with transaction(site.engine) as session:
        index = enterprise_index(session)
    other = index[index["township_code"].str[:6] != township[:6]]
    return str(other["uscc"].iloc[0])
