"""stored results: computed results kept with the data generation they were computed from

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 22:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stored_result",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("generation", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", "scope"),
    )


def downgrade() -> None:
    op.drop_table("stored_result")
