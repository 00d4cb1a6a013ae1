"""A Ctrl-C at the worst moment of an atomic write, just after the temporary file was made and
before the write could take charge of it, still leaves nothing behind (CI saw a `.tmp` left by
`ladder generate` when the signal landed there on a loaded machine)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The signal is raised from inside mkstemp, after the file exists: the window the write must close.
CHILD = """
import os, signal, sys, tempfile
from pathlib import Path
from engine.rendering.report import atomic_output

made = tempfile.mkstemp
def mkstemp_then_ctrl_c(*args, **kwargs):
    found = made(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGINT)
    return found
tempfile.mkstemp = mkstemp_then_ctrl_c
try:
    with atomic_output(Path(sys.argv[1]) / "out.txt") as stream:
        stream.write("never")
except KeyboardInterrupt:
    sys.exit(130)
"""


def test_a_ctrl_c_while_the_temporary_file_is_made_leaves_no_file(tmp_path):
    done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 130, done.stderr
    assert list(tmp_path.iterdir()) == []
