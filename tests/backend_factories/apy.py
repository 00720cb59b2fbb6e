"""Contract factory: a real apertium-apy server (Debian's, on the system Python) started on a free port
over the installed Apertium modes, and an ``apy`` backend pointed at it; the server is stopped on exit."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from compare.backends import Backend, load_backend

NAME = "apy"
PAIR = ("en", "es")

MODES = Path("/usr/share/apertium/modes")
LANG_NAMES = Path("/usr/share/apertium-apy/langNames.db")
#: How long a server may take to answer its first /listPairs (it reads every mode file first).
READY_SECONDS = 120.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/listPairs", timeout=5) as response:
            return bool(json.loads(response.read()).get("responseData"))
    except (OSError, ValueError):
        return False


@contextmanager
def running_apy(tmp_path: Path) -> Iterator[str]:
    """A fresh apertium-apy on a free localhost port, its URL yielded once it lists its pairs.

    It runs in its own session (its pipelines included) and is killed as a group on exit. A server
    that dies before it is ready (its port taken meanwhile) is started again on another port.
    """
    exe = shutil.which("apertium-apy")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("apertium-apy is not installed; scripts/setup.sh installs it")
        pytest.skip("apertium-apy is not installed (bash scripts/setup.sh installs it)")
    # Debian's script runs on the system Python; nothing of this virtualenv may leak into it.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["LC_ALL"] = "C.UTF-8"
    log = tmp_path / "apy.log"
    for _attempt in range(3):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        argv = [exe, "-p", str(port), "-t", "300"]
        if LANG_NAMES.is_file():
            argv += ["-l", str(LANG_NAMES)]
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [*argv, str(MODES)], stdout=out, stderr=subprocess.STDOUT, env=env, cwd=tmp_path, start_new_session=True
            )
        try:
            deadline = time.monotonic() + READY_SECONDS
            while proc.poll() is None and time.monotonic() < deadline and not _ready(url):
                time.sleep(0.2)
            if proc.poll() is None and _ready(url):
                yield url
                return
            if proc.poll() is None:
                pytest.fail(f"apertium-apy did not answer within {READY_SECONDS:g} s: {log.read_text()[-1000:]}")
        finally:
            stop(proc)
    pytest.fail(f"apertium-apy did not start: {log.read_text()[-1000:]}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill the server's process group (its pipelines too) and reap it."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, PermissionError):
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    try:  # pipelines left behind by the server: same group
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@contextmanager
def make(tmp_path: Path) -> Iterator[Backend]:
    with running_apy(tmp_path) as url:
        yield load_backend("apy", url=url, timeout=300)
