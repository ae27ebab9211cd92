"""mail_outbox: urgent and escalation e-mails queued with the change that makes them due, retried until sent

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("review_id", sa.Integer(), sa.ForeignKey("review_items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("review_id", "reason", "event_at", name="uq_mail_outbox_event"),
    )
    op.create_index("ix_mail_outbox_state", "mail_outbox", ["state", "id"])
    op.create_index("ix_mail_outbox_review_id", "mail_outbox", ["review_id"])


def downgrade() -> None:
    op.drop_index("ix_mail_outbox_review_id", table_name="mail_outbox")
    op.drop_index("ix_mail_outbox_state", table_name="mail_outbox")
    op.drop_table("mail_outbox")
