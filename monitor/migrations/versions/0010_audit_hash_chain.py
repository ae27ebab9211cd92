"""hash-chained audit log

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-01

Each audit row gets `prev_hash` and `row_hash` (monitor.records.audit_chain). The rows already
there are chained in id order here, which needs one UPDATE per row: the append-only triggers are
dropped for that and created again in the same transaction, so no other writer ever sees the log
unprotected. From here on the rows are hashed as they are written.
"""
from alembic import op
import sqlalchemy as sa

from monitor.models import UTCDateTime
from monitor.records.audit_chain import GENESIS, hash_of

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_audit = sa.table(
    "audit_log",
    sa.column("id", sa.Integer()), sa.column("at", UTCDateTime()), sa.column("actor", sa.String()),
    sa.column("action", sa.String()), sa.column("entity_type", sa.String()), sa.column("entity_id", sa.String()),
    sa.column("before", sa.JSON()), sa.column("after", sa.JSON()),
    sa.column("prev_hash", sa.String()), sa.column("row_hash", sa.String()),
)


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
    else:
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute("DROP TRIGGER audit_log_no_delete")


def _create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )


def upgrade() -> None:
    bind = op.get_bind()
    _drop_triggers()
    op.execute("ALTER TABLE audit_log ADD COLUMN prev_hash VARCHAR(64)")
    op.execute("ALTER TABLE audit_log ADD COLUMN row_hash VARCHAR(64)")
    prev = GENESIS
    rows = bind.execute(sa.select(_audit.c.id, _audit.c.at, _audit.c.actor, _audit.c.action, _audit.c.entity_type,
                                  _audit.c.entity_id, _audit.c.before, _audit.c.after).order_by(_audit.c.id)).all()
    for row in rows:
        row_hash = hash_of(row.id, row.at, row.actor, row.action, row.entity_type, row.entity_id, row.before, row.after, prev)
        bind.execute(sa.update(_audit).where(_audit.c.id == row.id).values(prev_hash=prev, row_hash=row_hash))
        prev = row_hash
    _create_triggers()


def downgrade() -> None:
    _drop_triggers()
    op.execute("ALTER TABLE audit_log DROP COLUMN row_hash")
    op.execute("ALTER TABLE audit_log DROP COLUMN prev_hash")
    _create_triggers()
