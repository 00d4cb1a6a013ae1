"""Reading and checking rules and packets: YAML and JSON with positions (`load`), JSON Schema
(`validate`), cross-references into the validated model (`rulebook`, `packet`, `model`), and
validated rulebooks kept by content hash (`cache`).

May import: `engine.common`."""
