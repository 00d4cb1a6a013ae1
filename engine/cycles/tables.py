"""The store's tables as the code reads and writes them (SQLAlchemy Core), at the newest schema
revision. The migrations in `migrations/versions/` build exactly this schema, step by step
(tests/cycles/test_migrations.py compares them); change both together, in a new revision.

A cycle's packets, verdicts and decisions are keyed by (cycle, position in the cohort), so a
cycle is written with plain bulk inserts and read back in cohort order. Decisions are never
updated: each is an event with the next `version` for its packet, and (cycle, position,
version) is unique, which is what turns two people deciding at once into a conflict rather than
a lost update, on SQLite and PostgreSQL alike."""
from __future__ import annotations

import sqlalchemy as sa

# Constraint names the same on every database, so a later migration can name what it drops.
metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
})

DECISIONS = ("promote", "not_yet", "defer")

rulebooks = sa.Table(
    "rulebooks", metadata,
    sa.Column("digest", sa.String(64), primary_key=True),  # reading.rulebook.content_digest of `files`
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("files", sa.JSON, nullable=False),  # [[path relative to the rulebook, text], ...] in rule_files order
)

cycles = sa.Table(
    "cycles", metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("as_of", sa.Date, nullable=True),  # judged as of this date; None: each packet's own
    sa.Column("cohort", sa.Text, nullable=False),  # the cohort as it was named when the cycle was opened
    sa.Column("rules_source", sa.Text, nullable=False),  # the rulebook directory, as named then
    sa.Column("rulebook", sa.String(64), sa.ForeignKey("rulebooks.digest"), nullable=False),
)

packets = sa.Table(
    "packets", metadata,
    sa.Column("cycle", sa.Text, sa.ForeignKey("cycles.name", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),  # 1-based, in cohort order
    sa.Column("label", sa.Text, nullable=False),  # path, or path:line of a JSON Lines file
    sa.Column("kind", sa.String(8), nullable=False),  # yaml | json | jsonl
    sa.Column("line", sa.Integer, nullable=True),  # of a JSON Lines packet
    sa.Column("content", sa.LargeBinary, nullable=True),  # the bytes as read; None: unreadable (see the verdict's errors)
    sa.UniqueConstraint("cycle", "label"),
)



def _packet_key() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["cycle", "position"], ["packets.cycle", "packets.position"], ondelete="CASCADE")


verdicts = sa.Table(
    "verdicts", metadata,
    sa.Column("cycle", sa.Text, primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("verdict", sa.String(16), nullable=True),  # ready | nearly | not_ready; None: the packet is invalid
    # What a roster shows, copied out of the explanation so ten thousand rows need no JSON parsing.
    sa.Column("candidate_id", sa.Text, nullable=True),
    sa.Column("candidate_name", sa.Text, nullable=True),
    sa.Column("track", sa.Text, nullable=True),
    sa.Column("level", sa.Text, nullable=True),
    sa.Column("target", sa.Text, nullable=True),
    sa.Column("manager", sa.Text, nullable=True),
    sa.Column("nominated", sa.Boolean, nullable=True),
    sa.Column("errors", sa.JSON, nullable=True),  # an invalid packet's diagnostics (Diagnostic.to_json)
    sa.Column("attributes", sa.JSON, nullable=False),  # group attributes, for fairness figures
    sa.Column("opportunities", sa.JSON, nullable=False),
    sa.Column("placement", sa.JSON, nullable=True),  # a packet that names no target: where it places
    # Last: SQLite reads a row's columns in order, and a roster must not page through the
    # explanations (10-20 kB each) to reach a column after them (10,000 rows: 3x faster).
    sa.Column("explanation", sa.JSON, nullable=True),  # the verdict document (`explain`), whole
    _packet_key(),
    sa.Index(None, "candidate_id"),  # revision 0002: a candidate's history across cycles
)

decision_events = sa.Table(
    "decision_events", metadata,
    sa.Column("cycle", sa.Text, primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),  # 1, 2, ... per packet: the optimistic-concurrency check
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("verdict", sa.String(16), nullable=True),  # the frozen verdict it was decided against
    sa.Column("override", sa.Boolean, nullable=False),
    # Revision 0002; decisions recorded before it say "" (not recorded).
    sa.Column("decided_by", sa.Text, nullable=False, server_default=""),
    _packet_key(),
    sa.CheckConstraint(f"decision IN ({', '.join(repr(d) for d in DECISIONS)})", name="decision"),
    sa.CheckConstraint("version >= 1", name="version"),
)
