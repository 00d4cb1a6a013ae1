"""Matching: a level's criteria compiled into durable-rules rules (`compile`), a packet's facts
run through them into counts, sums, points and a verdict (`evaluate`; what it says is
`results`), and the fence around durable-rules (`core`), the only module in ladder that imports
it, with its pure-Python helpers: how rules are written for the engine (`encoding`), ids the
engine cannot confuse (`fact_ids`), answers to text tests (`answers`) and linear-time globs
(`glob`).

May import: `engine.reading`, `engine.common`."""
