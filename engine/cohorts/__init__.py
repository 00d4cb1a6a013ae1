"""Many packets at once: what a cohort holds and reads (`cohort`), worker processes with a time
limit per packet (`pool`), output paths checked before any work (`outputs`), and synthetic
cohorts (`synthetic`, with `names` and field `values`).

May import: `engine.rendering` and everything below it."""
