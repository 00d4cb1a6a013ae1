"""Promotion cycles: a store of what a committee saw and decided, on SQLite by default or
PostgreSQL by URL (SQLAlchemy Core, Alembic migrations run on open).

- `database`: where the store is (`--db`, `LADDER_DB`, the default file), connections, one
  transaction per write, migrations (`migrations/`, the schema in `tables`);
- `freezing`: a cycle's packets and rulebook as bytes, and their evaluation from those bytes;
- `store`: `Store`, reading cycles, candidates (`Entry`), explanations and decision history;
- `opening`: opening a cycle, and re-evaluating one under other rules;
- `deciding` and `decisions_csv`: decisions (append-only events, overrides need a reason,
  optimistic concurrency), from the command line, a CSV file or a page;
- `transfer`: a store as one JSON document (export, import);
- `views`: a cycle and a re-evaluation as text, JSON and Markdown.

Only this package touches the database. May import: `engine.calibration`, `engine.tooling` and
everything below them."""
from engine.cycles.database import StoreError
from engine.cycles.model import Cycle, Decision, DecisionConflict, DecisionRequest, DecisionsRefused, Entry
from engine.cycles.store import Store

__all__ = ["Cycle", "Decision", "DecisionConflict", "DecisionRequest", "DecisionsRefused", "Entry", "Store", "StoreError"]
