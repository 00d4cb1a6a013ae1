"""What every layer shares: the one exception tree with located diagnostics (`errors`),
text made safe to show (`text`), and the fast `__init__` of frozen dataclasses built in bulk
(`frozen`).

Imports nothing from `engine`."""
