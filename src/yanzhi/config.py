"""Settings, declared as data. Each is read from the environment; ``docs/configuration.md``
documents every one (a test fails if one is missing there)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "YANZHI_DATABASE_URL",
        None,
        "SQLAlchemy URL of the database. Default: a SQLite file yanzhi.db in the current "
        "folder. PostgreSQL: postgresql+psycopg://user@host:5432/dbname",
    ),
    Setting(
        "YANZHI_ACTOR",
        None,
        "Name written to the audit log for CLI writes. Default: cli:<login name>",
    ),
    Setting(
        "YANZHI_MAX_FILE_MB",
        "1024",
        "Largest data file an import will read (MB); larger files are refused up front",
    ),
    Setting(
        "YANZHI_REPORT_DUE_DAYS",
        "15",
        "Days after the end of a reporting period by which a report counts as on time",
    ),
    Setting(
        "YANZHI_EVIDENCE_DIR",
        "evidence",
        "Folder where task-report evidence files are kept, by their SHA-256 (./evidence)",
    ),
    Setting(
        "YANZHI_MAX_EVIDENCE_MB",
        "20",
        "Largest evidence file a task report accepts (MB)",
    ),
    Setting(
        "YANZHI_DOCX_TEMPLATE",
        None,
        "A .docx whose styles (headings, fonts, margins) the Word reports use",
    ),
    Setting(
        "YANZHI_SESSION_HOURS",
        "12",
        "Web: hours a login session lasts before the user must log in again",
    ),
    Setting(
        "YANZHI_LOGIN_MAX_FAILURES",
        "5",
        "Web: failed logins of one user name within the window after which logins are refused "
        "(four times as many from one client address)",
    ),
    Setting(
        "YANZHI_LOGIN_WINDOW_MINUTES",
        "15",
        "Web: the window (minutes) over which failed logins are counted",
    ),
    Setting(
        "YANZHI_ECHARTS_JS",
        None,
        "Web: path of echarts.min.js. Default: node_modules/echarts/dist/echarts.min.js in the "
        "project folder, installed by scripts/setup.sh with npm",
    ),
    Setting(
        "YANZHI_CACHE_SECONDS",
        "300",
        "Web: how long a computed page is cached; any write to the database clears it at once",
    ),
    Setting(
        "YANZHI_EVALUATION_DRAWS",
        "100",
        "Web: Monte Carlo draws behind the rank intervals of the evaluation pages and of the "
        "evaluation and district reports downloaded from the web",
    ),
    Setting(
        "YANZHI_TEST_POSTGRES_URL",
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        "Tests only: the PostgreSQL server the suite runs against (each run uses its own "
        "schema and drops it afterwards)",
    ),
    Setting(
        "YANZHI_TEST_DATABASES",
        "sqlite,postgresql",
        "Tests only: which databases the storage tests run on, comma-separated",
    ),
)


def get(name: str) -> str | None:
    setting = next(s for s in SETTINGS if s.name == name)
    return os.environ.get(name) or setting.default


def database_url() -> str:
    return get("YANZHI_DATABASE_URL") or f"sqlite:///{Path.cwd() / 'yanzhi.db'}"


def actor() -> str:
    explicit = get("YANZHI_ACTOR")
    if explicit:
        return explicit
    try:
        login = os.getlogin()
    except OSError:
        login = os.environ.get("USER", "unknown")
    return f"cli:{login}"
