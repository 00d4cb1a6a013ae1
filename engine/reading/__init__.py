"""Reading and checking rules and packets: YAML and JSON with positions (`load`, over
`yaml_text`, `json_text` and the `document` they fill), JSON Schema
(`validate`), cross-references into the validated model (`rulebook` for the ladder, evidence
types and calibration settings, `levels` for level files and inheritance, `criteria` for
criteria and their conditions, `packet` for packets; all reporting to `problems`), the model
itself (`model` for the rulebook, `records` for packets, with calendar dates and month arithmetic in
`dates`), validated rulebooks kept by content hash (`cache`), and where a rulebook's files are
and their digest, read without the rest of this package (`files`).

May import: `engine.common`."""
