"""Settings: one typed model (pydantic-settings), read from ``YANZHI_*`` environment variables.

Each setting is a field of :class:`Settings`: its type, its default (stated once, here) and
its help (the field's description). :func:`settings` reads the environment at call time, so
a changed variable is seen by the next call. ``docs/configuration.md`` documents every
setting (a test fails if one is missing there). An empty variable counts as unset.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from yanzhi.core.errors import InvalidInput

PREFIX = "YANZHI_"


class Settings(BaseSettings):
    """Every setting of yanzhi; the environment variable is ``YANZHI_`` + the field in capitals."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, env_ignore_empty=True, extra="ignore", frozen=True
    )

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the database. Default: a SQLite file yanzhi.db in the "
        "current folder. PostgreSQL: postgresql+psycopg://user@host:5432/dbname",
    )
    actor: str | None = Field(
        default=None,
        description="Name written to the audit log for CLI writes. Default: cli:<login name>",
    )
    max_file_mb: int = Field(
        default=1024,
        gt=0,
        description="Largest data file an import will read (MB); larger files are refused up front",
    )
    report_due_days: int = Field(
        default=15,
        ge=0,
        description="Unused since the reporting calendar (`yanzhi calendar`) sets the due dates",
    )
    evidence_dir: Path = Field(
        default=Path("evidence"),
        description="Folder where task-report evidence files are kept, by their SHA-256",
    )
    max_evidence_mb: float = Field(
        default=20, gt=0, description="Largest evidence file a task report accepts (MB)"
    )
    max_evidence_files: int = Field(
        default=5,
        gt=0,
        description="Web: evidence files one task report may carry (its body may be this many "
        "times YANZHI_MAX_EVIDENCE_MB, plus 1 MB)",
    )
    max_register_mb: int = Field(
        default=200, gt=0, description="Largest register file an import accepts (MB)"
    )
    max_form_mb: float = Field(
        default=2,
        gt=0,
        description="Web: largest body of any other form or API request (MB)",
    )
    docx_template: Path | None = Field(
        default=None,
        description="A .docx whose styles (headings, fonts, margins) the Word reports use",
    )
    issuer: str | None = Field(
        default=None,
        description="The issuing unit printed at the end of every document (落款); "
        "default: the plan's issuer",
    )
    session_hours: float = Field(
        default=12,
        gt=0,
        description="Web: hours a login session lasts before the user must log in again",
    )
    login_max_failures: int = Field(
        default=5,
        gt=0,
        description="Web: failed logins of one user name from one client address within the "
        "window after which that pair waits 30 s, doubling with each further failure (one "
        "address: four times as many across all names); reaching it raises a login alert",
    )
    login_window_minutes: int = Field(
        default=15,
        gt=0,
        description="Web: the window (minutes) over which failed logins are counted",
    )
    echarts_js: str | None = Field(
        default=None,
        description="Web: path of echarts.min.js. Default: node_modules/echarts/dist/"
        "echarts.min.js in the project folder, installed by scripts/setup.sh with npm",
    )
    cache_seconds: float = Field(
        default=300,
        ge=0,
        description="Web: how long a computed page is cached; any write to the database clears "
        "it at once",
    )
    redis_url: str | None = Field(
        default=None,
        description="Web: Redis the server processes of `yanzhi serve --workers N` share their "
        "computed pages through, e.g. redis://127.0.0.1:6379/0. Default: none, each process "
        "caches on its own. Keep it private (loopback or a password): the cache holds pickles",
    )
    evaluation_draws: int = Field(
        default=100,
        ge=0,
        description="Web: Monte Carlo draws behind the rank intervals of the evaluation pages "
        "and of the evaluation and district reports downloaded from the web",
    )
    smtp_host: str | None = Field(
        default=None,
        description="E-mail: host of the SMTP server notifications are sent through. Default: "
        "none, e-mail is off and notifications stay in the app",
    )
    smtp_port: int = Field(default=587, gt=0, lt=65536, description="E-mail: the SMTP port")
    smtp_user: str | None = Field(
        default=None, description="E-mail: user name to log in to the SMTP server (none: no login)"
    )
    smtp_password: str | None = Field(
        default=None, description="E-mail: password to log in to the SMTP server"
    )
    smtp_from: str = Field(
        default="yanzhi@localhost", description="E-mail: the sender address (From)"
    )
    smtp_starttls: bool = Field(
        default=True,
        description="E-mail: switch the connection to TLS (STARTTLS) before logging in",
    )
    test_postgres_url: str = Field(
        default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
        description="Tests only: the PostgreSQL server the suite runs against (each run uses "
        "its own schema and drops it afterwards)",
    )
    test_redis_url: str = Field(
        default="redis://127.0.0.1:6379/0",
        description="Tests only: the Redis the multi-process server tests share their cache "
        "through (each test database has its own keys, deleted afterwards)",
    )
    test_databases: str = Field(
        default="sqlite,postgresql",
        description="Tests only: which databases the storage tests run on, comma-separated",
    )


def env_name(field: str) -> str:
    """The environment variable of a field of :class:`Settings` (``max_file_mb`` →
    ``YANZHI_MAX_FILE_MB``)."""
    return PREFIX + field.upper()


def env_names() -> list[str]:
    """Every setting's environment variable, in declaration order."""
    return [env_name(f) for f in Settings.model_fields]


def settings() -> Settings:
    """The settings as the environment has them now (read at each call).

    A value of the wrong type is an :class:`~yanzhi.core.errors.InvalidInput` naming the
    environment variable, its value and what it must be."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = env_name(str(err["loc"][0])) if err["loc"] else PREFIX
            problems.append((name, os.environ.get(name, ""), err["msg"]))
        en = "; ".join(f"setting {n}={v!r} is invalid: {m}" for n, v, m in problems)
        zh = "；".join(f"配置项 {n}={v!r} 无效: {m}" for n, v, m in problems)
        raise InvalidInput(en, zh) from None


def database_url() -> str:
    """YANZHI_DATABASE_URL, else a SQLite file ``yanzhi.db`` in the current folder."""
    return settings().database_url or f"sqlite:///{Path.cwd() / 'yanzhi.db'}"


def actor() -> str:
    """YANZHI_ACTOR, else ``cli:<login name>``: the name the audit log records for CLI writes."""
    explicit = settings().actor
    if explicit:
        return explicit
    try:
        login = os.getlogin()
    except OSError:
        login = os.environ.get("USER", "unknown")
    return f"cli:{login}"
