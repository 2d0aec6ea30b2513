"""The typed settings (config.Settings): defaults, environment override, a bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from yanzhi import config
from yanzhi.core.errors import InvalidInput


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in config.env_names():
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_typed() -> None:
    s = config.settings()
    assert s.max_file_mb == 1024
    assert s.report_due_days == 15
    assert s.evidence_dir == Path("evidence")
    assert s.max_evidence_mb == 20.0
    assert s.session_hours == 12.0
    assert s.login_max_failures == 5
    assert s.login_window_minutes == 15
    assert s.cache_seconds == 300.0
    assert s.evaluation_draws == 100
    assert s.docx_template is None
    assert s.echarts_js is None


def test_environment_is_read_at_each_call(monkeypatch: pytest.MonkeyPatch) -> None:
    assert config.settings().report_due_days == 15
    monkeypatch.setenv("YANZHI_REPORT_DUE_DAYS", "20")
    monkeypatch.setenv("YANZHI_EVIDENCE_DIR", "/tmp/ev")
    assert config.settings().report_due_days == 20
    assert config.settings().evidence_dir == Path("/tmp/ev")


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YANZHI_MAX_FILE_MB", "")
    assert config.settings().max_file_mb == 1024


def test_a_bad_value_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YANZHI_MAX_FILE_MB", "lots")
    with pytest.raises(InvalidInput) as caught:
        config.settings()
    assert "YANZHI_MAX_FILE_MB" in caught.value.zh and "配置项" in caught.value.zh
    assert "YANZHI_MAX_FILE_MB" in caught.value.en and "'lots'" in caught.value.en


def test_an_out_of_range_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YANZHI_SESSION_HOURS", "0")
    with pytest.raises(InvalidInput, match="YANZHI_SESSION_HOURS"):
        config.settings()


def test_database_url_and_actor(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert config.database_url() == f"sqlite:///{tmp_path / 'yanzhi.db'}"
    monkeypatch.setenv("YANZHI_DATABASE_URL", "sqlite:///x.db")
    assert config.database_url() == "sqlite:///x.db"
    assert config.actor().startswith("cli:")
    monkeypatch.setenv("YANZHI_ACTOR", "张三")
    assert config.actor() == "张三"


def test_every_field_has_help_and_an_env_name() -> None:
    for name, field in config.Settings.model_fields.items():
        assert field.description, name
        assert config.env_name(name) == "YANZHI_" + name.upper()
