"""archived_media: the stored photos of earlier item versions, kept when an edit replaces them

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

Only a table is added: stored_media, items and item_versions keep every row as they are. Before
this revision an edit that replaced a photo lost the old file, so nothing is there to fill the
table from; an earlier version whose photo was never replaced is read from stored_media itself
(monitor.media.archive.version_photos).
"""
from alembic import op
import sqlalchemy as sa

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "archived_media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id", "version"], ["item_versions.item_id", "item_versions.version"], ondelete="CASCADE",
                                name="fk_archived_media_item_version"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "version", "position", name="uq_archived_media_item_version_position"),
    )


def downgrade() -> None:
    # the files under <data_dir>/media stay: a downgrade never deletes what records may need
    op.drop_table("archived_media")
