"""The verdict cache: answers kept by everything they depend on, so a re-run costs what changed
(`verdicts`, over an SQLite file: `store`), and what a verdict depends on in a rulebook, so a
rule change re-evaluates only the packets it can reach (`dependencies`).

May import: `engine.rendering` and everything below it."""
