"""The Jinja2 environment for the HTML and Markdown documents (autoescaped HTML, strict names)."""
from __future__ import annotations

import jinja2

from engine.common.text import record_label
from engine.rendering.report import VERDICT_LABEL, points_observed

ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("engine.rendering", "templates"),
    autoescape=jinja2.select_autoescape(["html", "html.j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)
ENVIRONMENT.filters["percent"] = lambda rate: "n/a" if rate is None else f"{rate * 100:.0f}%"
ENVIRONMENT.filters["record"] = record_label
ENVIRONMENT.filters["points_observed"] = points_observed
# The author's spelling kept: "RFC" stays "RFC" (Jinja2's `capitalize` lowers the rest: "Rfc").
ENVIRONMENT.filters["first_upper"] = lambda text: text[:1].upper() + text[1:]
ENVIRONMENT.globals["VERDICT_LABEL"] = VERDICT_LABEL
