"""ladder: promotion readiness for dual career ladders, as executable, explainable rules.

The package reads as its layers, each importing only those below it (checked in CI by
import-linter, see `pyproject.toml`):

    cli, pytest_plugin   the command line and the pytest plugin, thin over `api`
    api                  the library API programs and tests call
    meeting              the committee's meeting page over a cycle (`ladder serve`)
    cycles               promotion cycles and decisions in a store (SQLite or PostgreSQL)
    tooling | calibration | importing
                         rule tests, lint, impact, docs, new packets | the committee's report | tables in,
                         packets out, and back (`import table`, `export table`)
    cohorts              many packets on worker processes
    caching              the verdict cache, and what a verdict depends on in a rulebook
    rendering            text, Markdown, JSON, HTML, SARIF; atomic writes
    explaining           verdict documents and plans in the rulebook's words
    matching             rules compiled for durable-rules, and evaluation (`core` fences it)
    reading              load, validate, the model of rulebooks and packets
    common               errors and safe text
"""
