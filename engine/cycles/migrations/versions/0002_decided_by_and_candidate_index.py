"""Who decided (`decision_events.decided_by`), and an index on `verdicts.candidate_id` for a
candidate's history across cycles.

Decisions recorded before this revision keep an empty `decided_by`: who made them was not
stored, and guessing would put a name to a decision that person may not have made.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decision_events") as batch:
        batch.add_column(sa.Column("decided_by", sa.Text, nullable=False, server_default=""))
    op.create_index("ix_verdicts_candidate_id", "verdicts", ["candidate_id"])


def downgrade() -> None:
    op.drop_index("ix_verdicts_candidate_id", "verdicts")
    with op.batch_alter_table("decision_events") as batch:
        batch.drop_column("decided_by")
