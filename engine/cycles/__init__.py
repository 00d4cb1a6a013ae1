"""Promotion cycles: a store of what a committee saw and decided, on SQLite by default or
PostgreSQL by URL (SQLAlchemy Core, Alembic migrations run on open).

- `database`: where the store is (`--db`, `LADDER_DB`, the default file), connections, one
  transaction per write, migrations (`migrations/`, the schema in `tables`);
- `freezing`: a cycle's packets and rulebook as bytes, and their evaluation from those bytes;
- `store`: `Store`, reading cycles, candidates (`Entry`), explanations and decision history;
- `roster`: one page of a cycle's roster, filtered and sorted by the database (the meeting page's);
- `opening`: opening a cycle, and re-evaluating one under other rules;
- `deciding` and `decisions_csv`: decisions (append-only events, overrides need a reason,
  optimistic concurrency), from the command line, a CSV file or a page;
- `transfer`: a store as one JSON document (export, import);
- `views`: a cycle and a re-evaluation as text, JSON and Markdown;
- `reporting`: the committee's report over a cycle (`calibrate --cycle`): the store's facts
  (decisions, the previous cycle judged both ways) handed to `engine.calibration`;
- `history` and `history_views`: a candidate across cycles (`ladder history`);
- `rule_impact`: `ladder impact --cycle`, a rule change judged over a cycle's frozen packets.

The API at a glance (`engine.api` wraps the common calls: open_store, open_cycle,
reevaluate_cycle, decide, decide_from_csv, export_cycles, import_cycles, calibrate_cycle,
candidate_history):

    store = Store.open(db)                       # migrated; a context manager; StoreError if it cannot be
    store.cycles() -> [Cycle]                    # oldest first, with verdict counts, decided, overrides
    store.cycle(name) -> Cycle
    store.entries(name) -> [Entry]               # the roster: candidate, verdict, errors, decision in force
    store.entry(name, candidate) -> Entry        # by candidate id, or packet label; `.version` for a change
    store.explanation(name, candidate) -> dict | Invalid      # the frozen verdict document
    store.history(name, candidate) -> [Decision]              # every event, oldest first
    store.appearances(candidate_id) -> [Entry]   # the candidate across cycles, oldest first
    store.candidate_ids() -> [str]               # every candidate id in the store, sorted
    store.evaluated(name) -> Iterator[Evaluated] # what Calibration.add takes: report on a stored cycle
    store.packets(name) -> Iterator[FrozenPacket]; store.thawed_rulebook(name) -> Rulebook
    opening.reevaluate(store, name, book) -> Iterator[Reevaluated]   # frozen packets under any rules
    deciding.decide(store, name, DecisionRequest(candidate, decision, reason, by, expected_version))
        -> Decision; DecisionConflict (`.current`) when someone decided since expected_version
    deciding.decide_many(store, name, [DecisionRequest]) -> [Decision]; DecisionsRefused (`.problems`)

Only this package touches the database. May import: `engine.calibration`, `engine.tooling` and
everything below them."""
from engine.cycles.database import StoreError
from engine.cycles.model import Cycle, Decision, DecisionConflict, DecisionRequest, DecisionsRefused, Entry
from engine.cycles.store import Store

__all__ = ["Cycle", "Decision", "DecisionConflict", "DecisionRequest", "DecisionsRefused", "Entry", "Store", "StoreError"]
