"""Alembic environment: runs on the connection yanzhi hands over (see storage/migrate.py)."""

from alembic import context

from yanzhi.storage import datamodels  # noqa: F401  (registers the data tables)
from yanzhi.storage.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    raise RuntimeError("run migrations through `yanzhi init` (yanzhi.storage.migrate.upgrade)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
