"""The migrations build the schema the models describe, on every test database."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from yanzhi.storage import migrate
from yanzhi.storage.models import Base


def test_upgrade_creates_every_table_and_matches_the_models(engine):
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_the_schema_check_reads_what_alembic_reads(engine):
    """services.database.require_schema reads the revisions without Alembic
    (storage/schemaversion.py); they are Alembic's, before and after an upgrade, and to
    an older revision."""
    from yanzhi.storage import schemaversion

    assert schemaversion.stored_revision(engine) is None
    assert schemaversion.expected_revision() == migrate.head_revision()
    migrate.upgrade(engine, "0007")
    assert schemaversion.stored_revision(engine) == migrate.current_revision(engine) == "0007"
    migrate.upgrade(engine)
    assert schemaversion.stored_revision(engine) == migrate.current_revision(engine)


def test_upgrade_twice_is_harmless(engine):
    migrate.upgrade(engine)
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path):
    from yanzhi.storage.db import make_engine

    eng = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with eng.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    eng.dispose()


def _contact_columns(engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)} & {
        "contact_person",
        "contact_phone",
        "contact_email",
    }


def test_0009_adds_the_enterprise_contacts_and_downgrades_without_them(engine):
    from alembic import command

    migrate.upgrade(engine, "0008")
    assert _contact_columns(engine, "enterprise") == set()
    migrate.upgrade(engine, "0009")
    for table in ("enterprise", "enterprise_version"):
        assert _contact_columns(engine, table) == {
            "contact_person",
            "contact_phone",
            "contact_email",
        }
    cfg = migrate.alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0008")
    assert migrate.current_revision(engine) == "0008"
    for table in ("enterprise", "enterprise_version"):
        assert _contact_columns(engine, table) == set()
