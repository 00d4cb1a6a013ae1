"""The calibration committee's report: a cohort's rows and pages (`calibrate`, `rows`), the
figures over them (`figures`, and `fairness`, which withholds small groups), pseudonyms for
`--redact` (`redaction`), and the HTML, Markdown, CSV and JSON pages (`pages`, with each
candidate's page as one table from `candidates`). `change`: readiness by group before and after
a rule change, for `ladder impact --by`, as plain data.

May import: `engine.cohorts` and everything below it; not `engine.tooling`."""
