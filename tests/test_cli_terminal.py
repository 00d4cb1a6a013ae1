"""`ladder evaluate` as a person sees it on a terminal, and as a script reads it from a pipe.

Run for real: the CLI in a child process whose stdout and stderr are pseudo-terminals (Python's
`pty`, each given a window size), or pipes. On a terminal the text is wrapped to the window and
a progress bar shows on stderr while several packets are evaluated; on a pipe, neither, so the
bytes a script or a golden file reads never depend on the window."""
from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from engine.rendering.wrapping import columns

ROOT = Path(__file__).resolve().parents[1]
PACKETS = "fixtures/packets"
WIDTH = 60


def _env(**extra: str) -> dict[str, str]:
    # Neither a COLUMNS of the test run's own terminal, nor CI (which hides the bar), nor NO_COLOR.
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "CI", "NO_COLOR")}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def on_terminals(*args: str, width: int = WIDTH) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of `ladder ARGS` with both on terminals `width` columns wide."""
    masters, slaves = zip(*(pty.openpty() for _ in range(2)))
    for slave in slaves:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, width, 0, 0))
    child = subprocess.Popen([sys.executable, "-m", "engine", *args], cwd=ROOT, env=_env(),
                             stdin=subprocess.DEVNULL, stdout=slaves[0], stderr=slaves[1])
    for slave in slaves:
        os.close(slave)
    received = {fd: b"" for fd in masters}
    reading = set(masters)
    while reading:  # both at once: a terminal holds only a few kilobytes the child waits to hand over
        ready, _, _ = select.select(list(reading), [], [], 120)
        assert ready, "no output for 120 s"
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the child has closed its side
                data = b""
            received[fd] += data
            if not data:
                reading.discard(fd)
    status = child.wait(timeout=120)
    for fd in masters:
        os.close(fd)
    out, err = (received[fd].decode().replace("\r\n", "\n") for fd in masters)  # the terminal's own line ends
    return status, out, err


def on_pipes(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=ROOT, env=_env(**env),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.fixture(scope="module")
def piped() -> subprocess.CompletedProcess:
    return on_pipes("evaluate", PACKETS, "--jobs", "2", COLUMNS=str(WIDTH))


def test_on_a_terminal_the_text_is_wrapped_to_its_width_and_only_its_whitespace_changes(piped):
    status, out, _ = on_terminals("evaluate", PACKETS, "--jobs", "2")
    assert status == piped.returncode
    assert "\x1b[" in out  # colour, as on any terminal
    lines = out.splitlines()
    assert all(columns(line) <= WIDTH or " " not in line.strip() for line in lines)  # a path longer than the line stays whole
    assert max(map(columns, piped.stdout.splitlines())) > WIDTH  # there was something to wrap
    assert len(lines) > len(piped.stdout.splitlines())
    assert _plain(out).split() == piped.stdout.split()  # same words, same order: nothing lost or added
    criterion = next(line for line in lines if re.match(r"  \S+ \S+: ", _plain(line)) and columns(line) > WIDTH - 15)
    following = lines[lines.index(criterion) + 1]
    assert _plain(following).startswith("    ") and not _plain(following).startswith("     ")  # under the text, past the mark


def test_on_a_terminal_a_progress_bar_shows_on_stderr_while_several_packets_are_evaluated(piped):
    _, out, err = on_terminals("evaluate", PACKETS, "--jobs", "2", "--format", "summary")
    assert "Evaluating" in err and "100%" in err and "Evaluating" not in out
    assert _plain(out).splitlines()[-1] == piped.stdout.splitlines()[-1]  # the closing line: '28 evaluated: ...'


def test_no_progress_bar_for_json_or_a_single_packet_even_on_a_terminal():
    _, out, err = on_terminals("evaluate", PACKETS, "--format", "json")
    assert "Evaluating" not in err and out.startswith("{")
    _, _, err = on_terminals("evaluate", f"{PACKETS}/ic-staff-ready.yaml")
    assert "Evaluating" not in err


def test_on_pipes_there_is_no_wrapping_and_no_bar_whatever_the_terminal_width_says(piped, tmp_path):
    """COLUMNS says 60, as it would in a terminal's shell: the output is the same as written to
    a file, every line whole, and stderr carries only the invalid packets' errors."""
    out = tmp_path / "verdicts.txt"
    written = on_pipes("evaluate", PACKETS, "--out", str(out))
    assert piped.stdout.encode() == out.read_bytes() and written.returncode == piped.returncode
    assert "Evaluating" not in piped.stderr and "\x1b[" not in piped.stdout + piped.stderr
    assert "28 evaluated: 13 ready, 7 nearly, 8 not ready" in piped.stdout.splitlines()[-1]
