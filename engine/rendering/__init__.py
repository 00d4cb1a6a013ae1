"""Writing outputs: verdicts as text, Markdown and JSON (`report`), plans (`plans`), placements
(`placements`), SARIF
(`sarif`), the Jinja2 environment and its templates (`templating`, `templates/`), and atomic
file writes.

May import: `engine.explaining`, `engine.matching`, `engine.reading`, `engine.common`."""
