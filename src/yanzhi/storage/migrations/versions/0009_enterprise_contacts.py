"""enterprise contact person, telephone and e-mail

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("enterprise", "enterprise_version")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("contact_person", sa.String(length=100), nullable=True))
            batch_op.add_column(sa.Column("contact_phone", sa.String(length=40), nullable=True))
            batch_op.add_column(sa.Column("contact_email", sa.String(length=200), nullable=True))


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("contact_email")
            batch_op.drop_column("contact_phone")
            batch_op.drop_column("contact_person")
