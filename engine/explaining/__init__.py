"""Explaining: the verdict document in the rulebook's own words (`explain`), next-step plans and
evaluation on the other track (`plan`).

May import: `engine.matching`, `engine.reading`, `engine.common`."""
