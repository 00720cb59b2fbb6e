"""Shared fixtures. Apertium is real: when it is missing the tests that need it fail in CI and skip elsewhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# The property tests draw the same examples on every run, so a run that passed passes again (CI must
# not fail at random). To hunt for new failing inputs, draw fresh ones:
#     .venv/bin/python -m pytest --hypothesis-profile explore tests/test_matching.py
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=2000, print_blob=True)
settings.load_profile("repeatable")

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "corpora" / "tasnim-daesh-relocation.en.txt"
SHARED_CORPORA = ROOT.parent / "shared" / "corpora"


@pytest.fixture(scope="session")
def article_path() -> Path:
    return ARTICLE


@pytest.fixture(scope="session")
def article_text() -> str:
    return ARTICLE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def apertium() -> str:
    """The apertium executable; its absence fails the run in CI (CI installs it), skips elsewhere."""
    exe = shutil.which("apertium")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("apertium is not installed; scripts/setup.sh installs it")
        pytest.skip("apertium is not installed (bash scripts/setup.sh installs it)")
    return exe


@pytest.fixture()
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def run_cli(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m compare`` for real, in a subprocess, as a user would."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}  # as from a plain shell
    proc = subprocess.run(
        [sys.executable, "-m", "compare", *args],
        input=stdin,
        env=env,
        capture_output=True,
        cwd=cwd or ROOT,
        timeout=300,
        check=False,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
    )
