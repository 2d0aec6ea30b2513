"""landmarks: what counts each (the metric of a task target or guarantee rule)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 07:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("landmark") as batch:
        batch.add_column(sa.Column("metric", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("landmark") as batch:
        batch.drop_column("metric")
