"""Contract factory: a real external program (a Python script) that writes each line reversed, tagged
with the target language."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from compare.backends import Backend, load_backend

NAME = "command"
PAIR = ("en", "es")

SCRIPT = """\
import sys
target = sys.argv[2]
for line in sys.stdin:
    sys.stdout.write(target + ": " + line.rstrip("\\n")[::-1] + "\\n")
sys.stdout.flush()
"""


@contextmanager
def make(tmp_path: Path) -> Iterator[Backend]:
    script = tmp_path / "reverse_mt.py"
    script.write_text(SCRIPT, encoding="utf-8")
    command = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {{src}} {{tgt}}"
    yield load_backend(f"command:{command}", timeout=120)
