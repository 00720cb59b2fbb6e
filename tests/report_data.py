"""Results for the report and plot tests, made by a whole run through a `command:` backend (no Apertium needed).

The "translator" is a small script that swaps a few words per direction and otherwise passes text
through, so hostile input (markup, event handlers, ``javascript:`` URLs, bidi overrides) reaches every
hop and the report exactly as a real engine that copies unknown words would pass it on.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .conftest import run_cli

TRANSLATOR = r"""
import sys
src, tgt = sys.argv[1], sys.argv[2]
TO_ES = [("terrorists", "terroristas"), ("government", "gobierno"), ("so-called", "llamado"),
         ("attacked", "atacaron"), ("the town", "la ciudad")]
TO_EN = [("terroristas", "militants"), ("gobierno", "regime"), ("llamado", "so-called"),
         ("atacaron", "attacked"), ("la ciudad", "the town")]
pairs = TO_ES if tgt == "es" else TO_EN
for line in sys.stdin:
    line = line.rstrip("\n")
    for a, b in pairs:
        line = line.replace(a, b)
    if tgt == "es":
        line += ' <b onmouseover="alert(11)">'
    sys.stdout.write(line + "\n")
sys.stdout.flush()
"""

#: One hostile sentence per paragraph, each holding a loaded term.
HOSTILE_TEXT = (
    "<script>alert(1)</script> Daesh terrorists attacked the town.\n\n"
    '"><img src=x onerror=alert(2)> The so-called government fell.\n\n'
    '<a href="javascript:alert(3)">javascript:alert(4)</a> The terrorists left.\n\n'
    "The \u202eterrorists\u202c were seen near the \u2067government\u2069 offices.\n\n"
    "</textarea></title></style><svg onload=alert(5)> Daesh terrorists fled.\n"
)
#: The document's file name is shown in the report too.
HOSTILE_NAME = '"><img src=x onerror=alert(6)>.txt'
#: Strings that must never appear unescaped in the page.
INJECTED = ("<script>alert", "<img", "<svg onload", "<b onmouseover", '<a href="javascript')


def translator_spec(tmp_path: Path) -> str:
    script = tmp_path / "swap.py"
    script.write_text(TRANSLATOR, encoding="utf-8")
    return f"command:{sys.executable} {script} {{src}} {{tgt}}"


def hostile_input(tmp_path: Path) -> Path:
    path = tmp_path / HOSTILE_NAME
    path.write_text(HOSTILE_TEXT, encoding="utf-8")
    return path


def hostile_result(tmp_path: Path, *extra: str) -> Path:
    """A saved result (``--format json``) of the hostile text round-tripped en>es>en, analysed."""
    out = tmp_path / "result.json"
    proc = run_cli(
        "roundtrip",
        str(hostile_input(tmp_path)),
        "--via",
        "es",
        "--backend",
        f"swap={translator_spec(tmp_path)}",
        "--no-cache",
        "--format",
        "json",
        "-o",
        str(out),
        *extra,
    )
    assert proc.returncode == 0, proc.stderr
    json.loads(out.read_text(encoding="utf-8"))
    return out
