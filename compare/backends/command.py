"""Any external program as a backend: segments on stdin, one a line; translations on stdout, same order.

``command:'my-mt --from {src} --to {tgt}'`` — ``{src}`` and ``{tgt}`` are replaced by the ISO codes.
The whole batch goes through one process run, in its own process group: on a timeout (option
``timeout``, seconds, default one hour) or Ctrl-C the whole group is killed, and when the program
exits, helpers it left behind are killed too, so one that keeps stdout open cannot hang the run; on
Linux the program itself dies with this process even when that is killed with SIGKILL.
The output must be UTF-8 with one translation per ``\\n``-terminated line.

Cached translations are keyed on the command line and on the SHA-256 of the program's file as found
on PATH, and of every argument that names an existing file (a script run by an interpreter), so
editing the program or its script translates again instead of returning stale output.
"""

from __future__ import annotations

import hashlib
import math
import os
import selectors
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from functools import lru_cache

from ..errors import ArgumentError, ArgumentValueError, ExternalCommandError
from ..results import HopSignature, Translation
from .base import SECONDS, Backend, Option

DEFAULT_TIMEOUT = 3600.0
_PR_SET_PDEATHSIG = 1
_CHUNK = 1 << 16
_STDERR_KEPT = 1 << 16
_STDOUT_MIN_LIMIT = 1 << 24


class CommandBackend(Backend):
    """Translate by piping segments through an external command."""

    name = "command"
    pairs_note = "any pair the command serves (command:'CMD {src} {tgt}')"

    options_spec = (
        Option(
            "timeout",
            float,
            DEFAULT_TIMEOUT,
            "seconds one run of the command may take",
            minimum=0,
            exclusive=True,
            accepts=SECONDS,
        ),
    )

    def __init__(self, arg: str | None = None, **options: object) -> None:
        super().__init__(arg, **options)
        if not arg:
            raise ExternalCommandError(
                'the command backend needs a command: --backend "command:my-mt --from {src} --to {tgt}"'
            )
        try:
            self.argv_template = shlex.split(arg)
        except ValueError as exc:
            raise ExternalCommandError(f"cannot parse the command {arg!r}: {exc}") from None
        if not self.argv_template:
            raise ExternalCommandError(f"the command {arg!r} names no program; give a program on PATH or its full path")
        self.timeout = _timeout(self.options.get("timeout", DEFAULT_TIMEOUT))
        self.program()

    def program(self) -> str:
        """The absolute path of the program the command runs, as found on PATH now."""
        name = self.argv_template[0]
        found = shutil.which(name)
        if found is None:
            raise ExternalCommandError(f"command not found: {name!r}; give a program on PATH or its full path")
        return os.path.realpath(found)

    def pairs(self) -> set[tuple[str, str]]:
        return set()

    def hop_signature(self, source_lang: str, target_lang: str) -> HopSignature:
        files = [self.program(), *(a for a in self.argv_template[1:] if os.path.isfile(a))]
        return HopSignature(
            backend="command",
            source_lang=source_lang,
            target_lang=target_lang,
            model=self.arg or "",
            revision=hashlib.sha256("\0".join(_file_hash(f) for f in files).encode()).hexdigest()[:16],
        )

    def _translate_batch(self, texts: list[str], source_lang: str, target_lang: str) -> list[Translation]:
        argv = [part.replace("{src}", source_lang).replace("{tgt}", target_lang) for part in self.argv_template]
        shown = shlex.join(argv)
        payload = "".join(" ".join(t.split()) + "\n" for t in texts).encode("utf-8")
        returncode, stdout, stderr = _run(argv, payload, self.timeout, shown)
        if returncode != 0:
            tail = " ".join(stderr.decode("utf-8", "replace").split())[-300:]
            raise ExternalCommandError(f"command {shown!r} failed with exit code {returncode}: {tail or '(no stderr)'}")
        try:
            text = stdout.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = stdout.count(b"\n", 0, exc.start) + 1
            raise ExternalCommandError(
                f"command {shown!r} wrote invalid UTF-8 at byte offset {exc.start} of its output (line {line}); "
                "it must write UTF-8"
            ) from None
        lines = text.removesuffix("\n").split("\n") if text else []
        if len(lines) != len(texts):
            raise ExternalCommandError(
                f"command {shown!r} wrote {len(lines)} lines for {len(texts)} segments; "
                "it must write one translation per input line"
            )
        return [Translation(line.strip()) for line in lines]


def _timeout(value: object) -> float:
    """The ``timeout`` option in seconds: a number greater than 0 (a numeric string is accepted)."""
    expected = "a number of seconds greater than 0"
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ArgumentError(f"timeout must be {expected}, got {value!r}")
    try:
        seconds = float(value)
    except ValueError:
        raise ArgumentError(f"timeout must be {expected}, got {value!r}") from None
    if not (seconds > 0 and math.isfinite(seconds)):
        raise ArgumentValueError(f"timeout must be {expected}, got {value!r}")
    return seconds


def _file_hash(path: str) -> str:
    stat = os.stat(path)
    return _hash_of(path, stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


@lru_cache(maxsize=64)
def _hash_of(path: str, *stat: int) -> str:
    """SHA-256 of a file's bytes; the stat fields make a changed file a new cache entry."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise ExternalCommandError(f"cannot read {path} to key the cache: {exc.strerror}") from None
    return digest.hexdigest()


def _run(argv: list[str], payload: bytes, timeout: float, shown: str) -> tuple[int, bytes, bytes]:
    """Run ``argv`` in its own process group with ``payload`` on stdin: (exit code, stdout, stderr).

    When the program exits, the rest of its group is killed (output already in the pipes is still
    read); on the timeout, on too much output and on any exception, Ctrl-C included, the whole
    group is killed. The program is reaped only at the end, so its id cannot name another group.
    """
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_die_with_parent(),
        )
    except OSError as exc:
        raise ExternalCommandError(f"cannot run {shown!r}: {exc.strerror}") from None
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    deadline = time.monotonic() + timeout
    limit = max(_STDOUT_MIN_LIMIT, 64 * len(payload))
    stdout, stderr = bytearray(), bytearray()
    exited = False
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ, stdout)
            selector.register(proc.stderr, selectors.EVENT_READ, stderr)
            os.set_blocking(proc.stdin.fileno(), False)
            selector.register(proc.stdin, selectors.EVENT_WRITE)
            sent = 0
            while selector.get_map() or not exited:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ExternalCommandError(
                        f"command {shown!r} timed out after {timeout:g} s; its process group was killed"
                    )
                # Wake at least every 0.1 s to see whether the program has exited.
                ready = selector.select(min(left, 0.1)) if selector.get_map() else time.sleep(min(left, 0.1))
                for key, _ in ready or ():
                    if key.fileobj is proc.stdin:
                        try:
                            sent += os.write(proc.stdin.fileno(), payload[sent : sent + _CHUNK])
                        except BrokenPipeError:
                            sent = len(payload)
                        if sent >= len(payload):
                            selector.unregister(proc.stdin)
                            proc.stdin.close()
                        continue
                    block = os.read(key.fd, _CHUNK)
                    if not block:
                        selector.unregister(key.fileobj)
                        continue
                    key.data.extend(block)
                    if len(stdout) > limit:
                        raise ExternalCommandError(
                            f"command {shown!r} wrote more than {limit} bytes for {len(payload)} bytes of input; "
                            "its process group was killed"
                        )
                    if len(stderr) > 2 * _STDERR_KEPT:
                        del stderr[:-_STDERR_KEPT]
                if not exited and _has_exited(proc.pid):
                    # Done; whatever it left running may hold the pipes open. Its zombie keeps the group id ours.
                    exited = True
                    _kill_group(proc.pid)
                    if not proc.stdin.closed:
                        selector.unregister(proc.stdin)
                        proc.stdin.close()
    finally:
        if not exited:
            _kill_group(proc.pid)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            stream.close()
        proc.wait()
    return proc.returncode, bytes(stdout), bytes(stderr)


def _die_with_parent() -> Callable[[], None] | None:
    """On Linux, a hook that has the kernel kill the program when this process dies, even by SIGKILL.

    In its own session the program is out of reach of a signal sent to this process's group; this
    keeps a killed run from leaving it behind.
    """
    prctl = _prctl()
    if prctl is None:
        return None
    parent, kill = os.getpid(), int(signal.SIGKILL)

    def hook() -> None:
        prctl(_PR_SET_PDEATHSIG, kill, 0, 0, 0)
        if os.getppid() != parent:  # died before the hook ran
            os._exit(1)

    return hook


@lru_cache(maxsize=1)
def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).prctl  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


def _has_exited(pid: int) -> bool:
    """Whether the child has exited, without reaping it."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
