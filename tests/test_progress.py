"""Progress of long runs (issue 9, point 6): a rich bar on stderr when stderr is a terminal, one task
per hop fed by the library's ``progress`` callback; nothing with ``--quiet`` or when stderr is a file."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import compare

from .conftest import ROOT

TEXT = "The terrorists left the town.\n\nDaesh fighters were moved.\n"


def run_with_tty_stderr(*args: str) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pseudo-terminal; return (exit code, stdout, what the terminal got)."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")} | {"COLUMNS": "120"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "compare", *args],
        stdout=subprocess.PIPE,
        stderr=slave,
        cwd=ROOT,
        env=env,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 1 << 16)
        except OSError:  # EIO: the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    out, _ = proc.communicate(timeout=300)
    os.close(master)
    return proc.returncode, out.decode("utf-8", "replace"), b"".join(chunks).decode("utf-8", "replace")


def test_library_reports_every_hop(apertium: str) -> None:
    events: list[compare.HopProgress] = []
    compare.roundtrip(TEXT, via=["es"], cache=False, analyse=False, progress=events.append)
    finished = [(e.hop, e.source_lang, e.target_lang) for e in events if e.done == e.total]
    assert finished == [(1, "en", "es"), (2, "es", "en")]
    assert all(e.path == "en>es>en (apertium)" and e.total == 2 for e in events)


def test_bar_on_a_terminal_and_not_with_quiet(apertium: str, tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text(TEXT, encoding="utf-8")
    code, out, tty = run_with_tty_stderr("roundtrip", str(src), "--via", "es", "--no-cache", "--format", "json")
    assert code == 0, tty
    assert "en>es>en (apertium) hop 1/2" in tty and "segments" in tty
    assert out.lstrip().startswith("{")  # stdout holds only the result
    code, out, tty = run_with_tty_stderr("roundtrip", str(src), "--via", "es", "--no-cache", "--format", "json", "-q")
    assert code == 0 and "hop 1/2" not in tty


def test_no_bar_when_stderr_is_not_a_terminal(apertium: str, tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text(TEXT, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "compare", "roundtrip", str(src), "--via", "es", "--no-cache", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0 and "hop 1/2" not in proc.stderr
