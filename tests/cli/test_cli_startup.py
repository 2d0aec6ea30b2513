"""The CLI starts at once: ``yanzhi --help`` and ``yanzhi version`` import no heavy library
(the services behind the commands are imported when a command uses them; cli/lazy.py).
The time itself is measured in benchmarks, not here."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("numpy", "pandas", "polars", "scipy", "sqlalchemy", "matplotlib", "psycopg", "alembic")


def _imported_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return out.split()


def test_help_imports_no_heavy_library() -> None:
    code = (
        "from typer.testing import CliRunner\n"
        "from yanzhi.cli.main import app\n"
        "r = CliRunner().invoke(app, ['--help'])\n"
        "assert r.exit_code == 0 and 'report' in r.output, r.output\n"
        "r = CliRunner().invoke(app, ['report', '--help'])\n"
        "assert r.exit_code == 0 and 'monthly' in r.output, r.output"
    )
    assert _imported_after(code) == []


def test_a_command_still_reaches_its_service() -> None:
    """The lazy names resolve to the real modules when a command runs."""
    code = (
        "from yanzhi.cli import indicators\n"
        "assert indicators.status_svc.status.__module__ == 'yanzhi.services.monitoring.status'"
    )
    heavy = _imported_after(code)
    assert "pandas" in heavy and "sqlalchemy" in heavy
    assert "scipy" not in heavy  # the forecast imports it when it forecasts
