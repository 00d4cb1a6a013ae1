"""The Jinja2 environment for the HTML and Markdown documents (autoescaped HTML, strict names).

Whatever a template writes leaves it through `visible`: its templates render (`render`,
`generate`, `stream`) to text whose hidden characters, which can only have come from packets
and rulebooks, are shown, so no document can carry one, whichever template, field or filter it
came by. Autoescaping alone would not do: it leaves controls, bidi overrides and zero-width
characters as they are. It runs on the output, in blocks, rather than on each value (Jinja's
`finalize`): one pass of a regular expression at C speed, about 6% of the CPU time of a
calibration report's HTML, against 12% for a call per value. Line breaks stay (HTML folds them;
a Markdown template puts a value on one line with `md_escape` where it must); in HTML the mark
is escaped, `&lt;U+202E&gt;`, or a browser would read it as a tag."""
from __future__ import annotations

import html
from typing import Any, Iterable, Iterator

import jinja2

from engine.common.text import code_point, md_escape, record_label, visible
from engine.rendering.report import VERDICT_LABEL, points_observed

BLOCK = 1 << 16  # characters of output sanitised at once


def _html_mark(char: str) -> str:
    return html.escape(code_point(char))


class ShownTemplate(jinja2.Template):
    """A template whose output shows its hidden characters (see the module's docstring)."""

    def _mark(self) -> Any:
        autoescape = self.environment.autoescape
        return _html_mark if (autoescape(self.name) if callable(autoescape) else autoescape) else code_point

    def render(self, *args: Any, **kwargs: Any) -> str:
        return visible(super().render(*args, **kwargs), lines=True, mark=self._mark())

    def generate(self, *args: Any, **kwargs: Any) -> Iterator[str]:
        return _shown_blocks(super().generate(*args, **kwargs), self._mark())


def _shown_blocks(chunks: Iterable[str], mark: Any) -> Iterator[str]:
    """The chunks joined into blocks of about BLOCK characters, each through `visible`. A CR
    ending a block waits for the next, so that a CR LF split between two stays one line break."""
    block: list[str] = []
    size = 0
    for chunk in chunks:
        block.append(chunk)
        size += len(chunk)
        if size >= BLOCK:
            text = "".join(block)
            held = text.endswith("\r")
            yield visible(text[:-1] if held else text, lines=True, mark=mark)
            block, size = (["\r"], 1) if held else ([], 0)
    if block:
        yield visible("".join(block), lines=True, mark=mark)


ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("engine.rendering", "templates"),
    autoescape=jinja2.select_autoescape(["html", "html.j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)
ENVIRONMENT.template_class = ShownTemplate  # an instance attribute, so overlays keep it
ENVIRONMENT.filters["percent"] = lambda rate: "n/a" if rate is None else f"{rate * 100:.0f}%"
ENVIRONMENT.filters["record"] = record_label
ENVIRONMENT.filters["md"] = md_escape  # text as Markdown shows it literally, even in a table cell
ENVIRONMENT.filters["points_observed"] = points_observed
# The author's spelling kept: "RFC" stays "RFC" (Jinja2's `capitalize` lowers the rest: "Rfc").
ENVIRONMENT.filters["first_upper"] = lambda text: text[:1].upper() + text[1:]
ENVIRONMENT.globals["VERDICT_LABEL"] = VERDICT_LABEL
