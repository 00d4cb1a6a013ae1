"""`ladder`: the command line, a thin layer over `engine.api`: the group and what its commands
share (`app`), and the commands by who uses them (`packets`, `committee`, `authoring`), and evidence in and out
(`transfer`).

Exit status: 0 done and every input valid; 1 some input invalid (its errors on stderr, each
`file:line:col: level: message [code]`); 2 usage error; 3 the rules engine failed (a bug);
130 interrupted.

May import: `engine.api` and every layer below it; the only package that imports click."""
from engine.cli import authoring, committee, cycles, meeting, packets, transfer  # noqa: F401 - each registers its commands
from engine.cli.app import main

__all__ = ["main"]
