"""Problems found while building the model, each at the place it was written: collected, so
that every one of them is reported together."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.common.errors import Diagnostic
from engine.reading.load import Document
from engine.reading.model import Pos


@dataclass
class Problems:
    # In the order found, each once: a dict as an ordered set, so a repeat is a look-up, not a scan
    found: dict[Diagnostic, None] = field(default_factory=dict)

    def error(self, doc: Document, path: tuple, message: str, code: str, key: bool = False) -> None:
        # a condition checked once per evidence type counted together says the same thing; the
        # first stays where it was
        self.found.setdefault(doc.diag(path, message, code, key=key))

    @staticmethod
    def pos(doc: Document, path: tuple) -> Pos:
        return Pos(doc.source, *doc.at(path))
