"""The calibration committee's report: figures over a cohort (`calibrate`), pseudonyms for
`--redact` (`redaction`), and the HTML, Markdown, CSV and JSON pages (`pages`).

May import: `engine.cohorts` and everything below it; not `engine.tooling`."""
