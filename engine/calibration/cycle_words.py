"""The words a report over a stored cycle uses for verdicts, decisions and attributions, shared
by its HTML and Markdown templates (as template globals)."""
from __future__ import annotations

WORDS = {
    # A verdict in the cycle's tables: a packet that could not be judged reads "invalid".
    "VERDICT_WORD": {"ready": "ready", "nearly": "nearly ready", "not_ready": "not ready", "invalid": "invalid", None: "invalid"},
    "DECISION_WORD": {"promote": "promote", "not_yet": "not yet", "defer": "defer"},
    "ATTRIBUTION_WORD": {"rules": "the rules", "evidence": "the evidence", "both": "both (either alone)",
                         "neither_alone": "neither alone (only together)"},
    "DIRECTION_WORD": {"up": "up", "down": "down", "changed": "changed"},
}
