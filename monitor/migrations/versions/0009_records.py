"""records: item versions, deletions noticed, retention tombstones, legal holds

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-01

items gain the current version's number and times, deleted_at/deleted_how and purged_at;
findings record the item version they were made on; item_versions keeps earlier versions;
legal_holds keeps what must never be purged.
"""
from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("version_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("platform_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("deleted_how", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("item_version", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "item_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("media", sa.JSON(), nullable=False),
        sa.Column("seen_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("platform_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("why", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "version", name="uq_item_versions_item_version"),
    )
    op.create_index("ix_item_versions_item_id", "item_versions", ["item_id"])
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("from_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("to_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_legal_holds_account_id", "legal_holds", ["account_id"])
    op.create_index("ix_legal_holds_item_id", "legal_holds", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_legal_holds_item_id", table_name="legal_holds")
    op.drop_index("ix_legal_holds_account_id", table_name="legal_holds")
    op.drop_table("legal_holds")
    op.drop_index("ix_item_versions_item_id", table_name="item_versions")
    op.drop_table("item_versions")
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_column("item_version")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_column("purged_at")
        batch_op.drop_column("deleted_how")
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("platform_changed_at")
        batch_op.drop_column("version_seen_at")
        batch_op.drop_column("version")
