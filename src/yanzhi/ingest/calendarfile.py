"""Reading a reporting calendar file (YAML, docs/data-formats.md) and the built-in one."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from yanzhi.core.reportcalendar import CalendarError, ReportCalendar, from_dict

BUILTIN_CALENDARS = {"ningbo": "ningbo.yaml"}


def builtin_calendar_path(name: str = "ningbo") -> Path:
    """The built-in calendar file ``name`` (the Ningbo defaults)."""
    return Path(
        str(resources.files("yanzhi.data").joinpath(f"calendars/{BUILTIN_CALENDARS[name]}"))
    )


def read_calendar(path: str | Path) -> ReportCalendar:
    """The calendar in the YAML file ``path``; a :class:`CalendarError` says what is wrong."""
    try:
        data = yaml.safe_load(Path(path).read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CalendarError(f"报送日历文件 {path} 无法读取：{exc}") from None
    if not isinstance(data, dict):
        raise CalendarError(f"报送日历文件 {path} 不是键值表")
    return from_dict(data)
