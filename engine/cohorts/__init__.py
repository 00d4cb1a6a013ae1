"""Many packets at once: what a cohort holds and reads (`cohort`), worker processes with a time
limit per packet (`pool`), their work through the verdict cache (`reuse`), one packet's cached
answer found before the engine is loaded (`quick`), output paths checked before any work
(`outputs`), and synthetic cohorts (`synthetic`, with `names` and field `values`).

May import: `engine.caching` and everything below it."""
