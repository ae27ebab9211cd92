"""governance findings in the review queue, account profiles, weekly digests

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

review_items.item_id becomes nullable: an account-level item (a failing governance rule) has no
stored post; it points at its governance_findings row instead.
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "governance_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("clause", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    # one open finding per (account, rule), even when two audits run at once
    op.create_index("ix_governance_open", "governance_findings", ["account_id", "rule"], unique=True,
                    sqlite_where=sa.text("resolved_at IS NULL"), postgresql_where=sa.text("resolved_at IS NULL"))
    op.create_table(
        "account_profiles",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("followed_students", sa.Integer(), nullable=True),
        sa.Column("followed_checked", sa.Integer(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id"),
    )
    op.create_table(
        "digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("claim_token", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("message_id", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("week", "scope", "recipient", name="uq_digests_week_scope_recipient"),
    )
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.alter_column("item_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("governance_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_review_items_governance_id", "governance_findings", ["governance_id"], ["id"], ondelete="CASCADE")
        batch_op.create_unique_constraint("uq_review_items_governance_id", ["governance_id"])


def downgrade() -> None:
    # account-level items cannot exist without the column that points at their finding
    op.execute("DELETE FROM review_items WHERE item_id IS NULL")
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_constraint("uq_review_items_governance_id", type_="unique")
        batch_op.drop_constraint("fk_review_items_governance_id", type_="foreignkey")
        batch_op.drop_column("governance_id")
        batch_op.alter_column("item_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("digests")
    op.drop_table("account_profiles")
    op.drop_index("ix_governance_open", table_name="governance_findings")
    op.drop_table("governance_findings")
