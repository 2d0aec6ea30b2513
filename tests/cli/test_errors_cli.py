"""The CLI maps every named error in one place (cli/common.handled): the Chinese message
first on stderr, then the English one, and the error's exit code (2 for a user's error)."""

import json

import pytest
from typer.testing import CliRunner

from yanzhi.cli.main import app

runner = CliRunner()


@pytest.fixture
def db(db_url):
    result = runner.invoke(app, ["init", "--database", db_url])
    assert result.exit_code == 0, result.output
    return db_url


def _fails(*args: str) -> list[str]:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 2, result.output
    return result.stderr.strip().splitlines()


def test_a_bad_period_exits_2_with_chinese_first(db):
    lines = _fails("completeness", "--period", "nonsense", "--database", db)
    assert lines[0].startswith("错误:") and "无效的报告期" in lines[0]
    assert lines[1].startswith("error:") and "invalid period" in lines[1]


def test_a_month_is_not_a_reporting_period(db):
    lines = _fails("submit", "--period", "2024-05", "--org-unit", "330203001", "--database", db)
    assert "年初至今累计" in lines[0]


def test_an_unknown_unit_is_not_found(db):
    lines = _fails("submit", "--period", "2024-01..05", "--org-unit", "999", "--database", db)
    assert lines[0] == "错误: 未知单位 999"


def test_json_output_carries_both_languages(db):
    result = runner.invoke(app, ["completeness", "--period", "2024", "--json", "--database", db])
    assert result.exit_code == 2
    out = json.loads(result.stdout)
    assert out["ok"] is False and out["code"] == "bad_request"
    assert "年初至今累计" in out["message_zh"] and "year-to-date" in out["message_en"]
