"""What every layer shares: the one exception tree with located diagnostics (`errors`) and
text made safe to show (`text`).

Imports nothing from `engine`."""
