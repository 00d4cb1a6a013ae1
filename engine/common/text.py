"""Text from packets and rules, made safe to show: Markdown escaping and record labels."""
from __future__ import annotations

import re
from typing import Any


def record_label(record: dict) -> str:
    """A record as people see it named: 'P-1 (Payments ledger migration)'."""
    return f"{record['id']} ({record['title']})"


def md_escape(text: Any) -> str:
    """Text from packets and rules as Markdown shows it literally, even in a table cell: never as
    HTML (a name like 'Ana <ana@x.com>' would vanish into a tag, or run as one), a link, emphasis
    or a table break."""
    text = " ".join(str(text).splitlines())
    text = re.sub(r"[&<>]", lambda m: _MARKDOWN_ENTITIES[m.group(0)], text)
    return _MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(0), text)


_MARKDOWN_SPECIAL = re.compile(r"[\\`*_\[\]|]")
_MARKDOWN_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
