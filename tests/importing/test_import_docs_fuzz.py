"""Whatever a document's front matter holds, `import docs` ends in a report (packets, located
errors), never a traceback: Hypothesis writes the values of the sample RFC's front-matter keys as
arbitrary YAML scalars, lists and mappings, and breaks the file with stray bytes."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine import api

ROOT = Path(__file__).resolve().parents[2]
IMPORTS = ROOT / "fixtures" / "imports"
BOOK = api.rulebook()
KEYS = ("title", "authors", "status", "date", "scope", "reviewers", "project", "summary", "type")
SCALAR = st.one_of(st.text(max_size=10), st.sampled_from(["", "~", "yes", "2025-02-30", "2025-06-03", "E-1588", "Mei Lin Zhou",
                                                          "aproved", "approved", "1e400", "0o10", "[", "{a: 1", "'", "\u202e"]))
VALUE = st.one_of(SCALAR, st.lists(SCALAR, max_size=3), st.dictionaries(st.sampled_from(["a", "b"]), SCALAR, max_size=2))


def _yaml(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml(v)}" for k, v in value.items()) + "}"
    return value  # as written: a scalar that is not YAML is an error the report must locate


@st.composite
def documents(draw) -> bytes:
    front = {"title": "RFC", "authors": "[Mei Lin Zhou, Priya Raman]", "status": "accepted", "date": "2025-06-03",
             "scope": "company"}
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=4)):
        front[key] = _yaml(draw(VALUE))
    for key in draw(st.lists(st.sampled_from(sorted(front)), max_size=2)):
        front.pop(key, None)
    text = "---\n" + "".join(f"{k}: {v}\n" for k, v in front.items()) + draw(st.sampled_from(["---\n", "...\n", ""])) + "# RFC\n"
    data = text.encode("utf-8", errors="surrogatepass")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=3)) + data[at:]
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
@example(b"---\ntitle: RFC\nauthors: {}\nstatus: accepted\ndate: 2025-06-03\nscope: company\n---\n")  # keys as the authors
def test_any_front_matter_ends_in_a_report_never_a_traceback(data):
    with tempfile.TemporaryDirectory() as scratch:
        docs = Path(scratch) / "docs" / "rfcs"
        docs.mkdir(parents=True)
        (docs / "0001-x.md").write_bytes(data)
        out = Path(scratch) / "out"
        shutil.copytree(IMPORTS / "expected" / "tracker", out)
        report = api.import_docs(BOOK, Path(scratch) / "docs", IMPORTS / "docs.map.yaml", out)
        lines = data.count(b"\n") + 1
        for diagnostic in report.diagnostics:
            assert diagnostic.format()
            if diagnostic.file.endswith(".md"):
                assert 1 <= diagnostic.line <= lines and diagnostic.col >= 1
        assert api.validate_paths([out]).ok  # what is written is valid, and nothing else is touched
