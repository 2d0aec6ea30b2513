"""Stored results (services/stored.py): computed once per data change, read as stored
while the data are unchanged, computed again after any write — and `yanzhi status`
answers the same figures from a stored result as from a fresh computation."""

import json

from typer.testing import CliRunner

from yanzhi.cli.main import app
from yanzhi.core.periods import label_zh
from yanzhi.services import stored
from yanzhi.services.monitoring import status as status_svc
from yanzhi.services.monitoring.status import override_status
from yanzhi.storage.db import make_engine
from yanzhi.storage.stored import read_result


def test_fetch_computes_once_per_data_generation(demo_db):
    engine = make_engine(demo_db)
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls), "year": 2026}

    first = stored.fetch(engine, "probe", "330200", compute)
    assert first.payload == {"n": 1, "year": 2026} and not first.was_stored
    again = stored.fetch(engine, "probe", "330200", compute)
    assert again.payload == {"n": 1, "year": 2026} and again.was_stored
    assert stored.fetch(engine, "probe", "330282", compute).payload == {"n": 2, "year": 2026}
    assert len(calls) == 2
    # a write (an audited status override) changes the data generation: computed again
    override_status(
        engine,
        indicator="RD_GDP",
        unit="330282",
        status="deterioration",
        reason="口径调整",
        actor="test",
    )
    after = stored.fetch(engine, "probe", "330200", compute)
    assert after.payload == {"n": 3, "year": 2026} and not after.was_stored
    generation, _ = read_result(engine, "probe", "330200")
    assert generation == stored.generation_key(engine)
    override_status(
        engine, indicator="RD_GDP", unit="330282", status=None, reason=None, actor="test"
    )
    engine.dispose()


def test_status_command_reads_the_stored_result(demo_db):
    engine = make_engine(demo_db)
    fresh = json.loads(json.dumps(status_svc.status(engine).to_dict(), default=str))
    runner = CliRunner()
    first = runner.invoke(app, ["status", "--json", "--database", demo_db])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout) == fresh
    generation, payload = read_result(engine, "status", ":")
    assert json.loads(payload) == fresh and generation == stored.generation_key(engine)
    again = runner.invoke(app, ["status", "--json", "--database", demo_db])
    assert json.loads(again.stdout) == fresh
    text = runner.invoke(app, ["status", "--database", demo_db]).stdout.replace("\n", "")
    assert "YoY" not in text and "2026-01.." not in text
    ytds = [i["ytd"] for i in fresh["indicators"] if i.get("ytd")]
    assert ytds
    for ytd in ytds:  # each 1–N月 value under its Chinese period name
        assert f"{label_zh(ytd['period'])}累计 {ytd['value']:,.2f}" in text, ytd
    engine.dispose()


def test_status_from_its_stored_result_imports_no_analysis_library(demo_db):
    """`yanzhi status` answered from its stored result reads one row: no pandas, polars,
    NumPy or SciPy is imported (the time is measured in benchmarks/bench_cli.py)."""
    import subprocess
    import sys

    runner = CliRunner()
    assert runner.invoke(app, ["status", "--database", demo_db]).exit_code == 0  # stored
    probe = (
        "import sys\nfrom typer.testing import CliRunner\nfrom yanzhi.cli.main import app\n"
        f"r = CliRunner().invoke(app, ['status', '--json', '--database', {demo_db!r}])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(' '.join(m for m in ('pandas', 'polars', 'numpy', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == []
