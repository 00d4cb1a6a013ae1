"""Evidence in from where organisations keep it, packets out, and back again: mapping files
(`mapping`, `schemas/mapping.schema.json`), cell values converted by the rulebook's field types
(`convert`), tables read a located row at a time (`sources`, then `rows`), Markdown documents'
front matter read as rows, a row per author (`frontmatter`), rows gathered by candidate on disk
(`spool`), packets merged into those that exist (`merge`), written as YAML people can read
(`packet_text`), and the whole imports (`table`, `docs`) and export (`export`).

May import: `engine.cohorts` and everything below it; not `engine.tooling` or
`engine.calibration`."""
