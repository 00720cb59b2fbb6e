"""The README's examples run, so the documentation cannot drift from the tool."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ARTICLE, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def shell_examples() -> list[tuple[str, list[str]]]:
    """(command, expected output lines) for every ``$ mtcompare ...`` line in the README's text blocks."""
    examples = []
    for block in re.findall(r"```text\n(.*?)```", README, re.S):
        lines = block.rstrip("\n").split("\n")
        for k, line in enumerate(lines):
            if line.startswith("$ ") and "mtcompare " in line:
                expected = []
                for out in lines[k + 1 :]:
                    if out.startswith("$ "):
                        break
                    expected.append(out)
                examples.append((line[2:], expected))
    return examples


@pytest.fixture()
def workdir(tmp_path: Path) -> Path:
    shutil.copy(ARTICLE, tmp_path / "article.txt")
    (tmp_path / "my-terms.yaml").write_text(
        "concepts:\n  isis:\n    forms:\n      en:\n        hostile: [Daesh]\n", encoding="utf-8"
    )
    return tmp_path


@pytest.mark.parametrize(("command", "expected"), shell_examples(), ids=lambda v: v if isinstance(v, str) else "")
def test_shell_example(command: str, expected: list[str], workdir: Path, apertium: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["XDG_CACHE_HOME"] = str(workdir / "cache")
    proc = subprocess.run(["bash", "-c", command], cwd=workdir, env=env, capture_output=True, text=True, timeout=300)
    got = (proc.stdout + proc.stderr).rstrip("\n").split("\n")
    assert got == expected


def test_library_example(tmp_path: Path, apertium: str) -> None:
    [code] = re.findall(r"## Library\n.*?```python\n(.*?)```", README, re.S)
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "en>ca>en (apertium) path:en>ca>en|hop1:apertium:eng-cat" in out
    assert "analysis: lex:default.yaml@sha256:" in out
    assert "1 so-called ('així que-anomenat',) None replaced None" in out
    assert '3 occupation forces ("forces d\'ocupació",) forces variant softened' in out
    assert "note      en>ca>en (apertium)  kept" in out  # the DataFrame is grouped by document id
    assert re.search(r"en>ca>en \(apertium\): kept \d+% \[\d+%, \d+%\] of \d+; softened \d+", out)
    assert re.search(r"en>es>en \(apertium\) BLEU \d+\.\d chrF\+\+ \d+\.\d", out)
    assert "shift rate" in out
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "no matplotlib: figure skipped" in out


def test_quickstart_has_exactly_two_commands() -> None:
    quickstart = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)\n```", quickstart, re.S)
    assert commands == [
        "bash scripts/setup.sh && .venv/bin/mtcompare roundtrip corpora/tasnim-daesh-relocation.en.txt --via es,ca",
        "bash scripts/setup.sh --test && .venv/bin/python -m pytest",
    ]
    assert commands[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
