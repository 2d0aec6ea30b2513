"""Shared fixtures. Storage tests run against every database in YANZHI_TEST_DATABASES
(default: SQLite and PostgreSQL). Each test gets an empty database of its own: a SQLite
file in a temporary folder, or a fresh schema on the PostgreSQL server that is dropped
afterwards. A PostgreSQL that cannot be reached fails the tests; it is never skipped
silently."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from yanzhi import config
from yanzhi.storage.db import make_engine

DATA = Path(__file__).parent / "data"


def _databases() -> list[str]:
    return [d.strip() for d in config.settings().test_databases.split(",") if d.strip()]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for name in ("db_url", "demo_db", "site"):
        if name in metafunc.fixturenames:
            metafunc.parametrize(
                name, _databases(), indirect=True, scope=None if name == "db_url" else "module"
            )


@contextmanager
def new_database(kind: str, folder: Path) -> Iterator[str]:
    """An empty database: a SQLite file in ``folder`` or a fresh PostgreSQL schema (dropped
    afterwards). An unreachable PostgreSQL fails the test with the reason."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'yanzhi-{uuid.uuid4().hex[:6]}.db'}"
        return
    if kind != "postgresql":
        raise ValueError(f"unknown test database {kind!r}")
    server = config.settings().test_postgres_url
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # a missing server must fail loudly, with the reason
        pytest.fail(f"PostgreSQL at {make_url(server).render_as_string()} is not usable: {exc}")
    try:
        yield f"{server}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database (the CLI and services take URLs)."""
    with new_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def ningbo_plan_path() -> Path:
    from yanzhi.ingest.planfile import builtin_plan_path

    return builtin_plan_path("ningbo")


@pytest.fixture(scope="module")
def demo_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database with the plan, the divisions and a small demo panel (400 enterprises),
    history approved and indicators computed — shared by the tests of one module."""
    from yanzhi.services.database import init_database
    from yanzhi.services.demo import panel as demo

    folder = tmp_path_factory.mktemp("demo")
    with new_database(request.param, folder) as url:
        eng = make_engine(url)
        init_database(eng, actor="test:init")
        data = demo.build(seed=11, n_enterprises=400, last_month=(2026, 10))
        files = demo.write_files(data, folder / "files")
        reports = demo.load(eng, data, files, actor="t", tasks=False)
        assert all(r.ok for r in reports), [str(i) for r in reports for i in r.errors][:5]
        eng.dispose()
        yield url
