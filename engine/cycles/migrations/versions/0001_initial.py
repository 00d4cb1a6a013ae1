"""The first store: rulebooks, cycles, frozen packets and verdicts, and decision events.

Revision ID: 0001
Revises: -
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rulebooks",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("files", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("digest", name="pk_rulebooks"),
    )
    op.create_table(
        "cycles",
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.Date, nullable=True),
        sa.Column("cohort", sa.Text, nullable=False),
        sa.Column("rules_source", sa.Text, nullable=False),
        sa.Column("rulebook", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_cycles"),
        sa.ForeignKeyConstraint(["rulebook"], ["rulebooks.digest"], name="fk_cycles_rulebook"),
    )
    op.create_table(
        "packets",
        sa.Column("cycle", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("line", sa.Integer, nullable=True),
        sa.Column("content", sa.LargeBinary, nullable=True),
        sa.PrimaryKeyConstraint("cycle", "position", name="pk_packets"),
        sa.ForeignKeyConstraint(["cycle"], ["cycles.name"], name="fk_packets_cycle", ondelete="CASCADE"),
        sa.UniqueConstraint("cycle", "label", name="uq_packets_cycle_label"),
    )
    op.create_table(
        "verdicts",
        sa.Column("cycle", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("verdict", sa.String(16), nullable=True),
        sa.Column("candidate_id", sa.Text, nullable=True),
        sa.Column("candidate_name", sa.Text, nullable=True),
        sa.Column("track", sa.Text, nullable=True),
        sa.Column("level", sa.Text, nullable=True),
        sa.Column("target", sa.Text, nullable=True),
        sa.Column("manager", sa.Text, nullable=True),
        sa.Column("nominated", sa.Boolean, nullable=True),
        sa.Column("errors", sa.JSON, nullable=True),
        sa.Column("attributes", sa.JSON, nullable=False),
        sa.Column("opportunities", sa.JSON, nullable=False),
        sa.Column("placement", sa.JSON, nullable=True),
        sa.Column("explanation", sa.JSON, nullable=True),  # last: see tables.verdicts
        sa.PrimaryKeyConstraint("cycle", "position", name="pk_verdicts"),
        sa.ForeignKeyConstraint(["cycle", "position"], ["packets.cycle", "packets.position"],
                                name="fk_verdicts_cycle_position", ondelete="CASCADE"),
    )
    op.create_table(
        "decision_events",
        sa.Column("cycle", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=True),
        sa.Column("override", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("cycle", "position", "version", name="pk_decision_events"),
        sa.ForeignKeyConstraint(["cycle", "position"], ["packets.cycle", "packets.position"],
                                name="fk_decision_events_cycle_position", ondelete="CASCADE"),
        sa.CheckConstraint("decision IN ('promote', 'not_yet', 'defer')", name="ck_decision_events_decision"),
        sa.CheckConstraint("version >= 1", name="ck_decision_events_version"),
    )


def downgrade() -> None:
    for table in ("decision_events", "verdicts", "packets", "cycles", "rulebooks"):
        op.drop_table(table)
