"""Register counts feed the township and district evaluation (issue #6)."""

import pytest

from yanzhi.services.demo import tasks as demo_tasks
from yanzhi.services.evaluation.evaluate import evaluate
from yanzhi.services.tasks.registers import counts
from yanzhi.storage.db import make_engine


@pytest.fixture
def engine(demo_db):
    eng = make_engine(demo_db)
    demo_tasks.load(eng, actor="demo:bureau")
    yield eng
    eng.dispose()


def test_register_counts_are_evaluation_indicators(engine):
    result = evaluate(engine, level="district", year=2025)
    codes = {i.source: i.code for i in result.framework.indicators if i.source_kind == "register"}
    assert set(codes) == {"scenario", "key_rd_project"}
    scenarios = counts(engine, "scenario", year=2025)
    raw = result.raw[codes["scenario"]]
    for unit, value in raw.items():
        assert value == scenarios.get(unit, 0)
    assert raw.sum() > 0
    township = evaluate(engine, level="township", year=2025)
    t_code = next(i.code for i in township.framework.indicators if i.source == "key_rd_project")
    assert township.raw[t_code].notna().all()  # units without entries count 0, not missing
