"""The calibration committee's report: a cohort's rows and pages (`calibrate`, `rows`), the
figures over them (`figures`, and `fairness`, which withholds small groups), pseudonyms for
`--redact` (`redaction`), and the HTML, Markdown, CSV and JSON pages (`pages`, with each
candidate's page as one table from `candidates`). A report over a stored promotion cycle adds
a `cycle` section (`cycle`): decisions against verdicts and override rates (`decisions`), and
the moves since the previous cycle with what moved them (`movement`), from plain data that
`engine.cycles.reporting` gathers from the store.
`change`: readiness by group before and after a rule change, for `ladder impact --by`, as plain
data.

May import: `engine.cohorts` and everything below it; not `engine.tooling`."""
