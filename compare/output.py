"""Writing a finished report to standard output or to a file (``-o PATH``).

A regular file (or a new one) is replaced atomically — a temporary file in the same directory, then a
rename — so a failed run never leaves half a report where a good one was. Anything else is written
into directly: a character device (``/dev/null``, a terminal), a FIFO, a pipe (``/dev/stdout``,
``>(cat)``), so that a device node is never swapped for a regular file. A symlink is written through
to its target and stays a symlink. A replaced file keeps its mode; a new one gets the usual
``0666 & ~umask``. Missing directories are not created: nothing but the output file changes. Every
failure is one :class:`~compare.errors.OutputError`.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from .errors import OutputError

# Paths that name a process's open files or the kernel's objects: never replaced by a rename.
_SPECIAL_ROOTS = ("/dev/", "/proc/", "/sys/")
# Our own standard streams, written through the open descriptor (so ``>> log`` keeps appending).
_STANDARD_STREAMS = {
    "/dev/stdout": "stdout",
    "/dev/fd/1": "stdout",
    "/proc/self/fd/1": "stdout",
    "/dev/stderr": "stderr",
    "/dev/fd/2": "stderr",
    "/proc/self/fd/2": "stderr",
}


def write_output(text: str | bytes, path: str | os.PathLike[str] | None) -> None:
    """Write ``text`` (UTF-8; bytes as they are, e.g. a PNG) to ``path``, or to standard output when
    ``path`` is None.

    Raises :class:`OutputError` ("cannot write PATH: reason") for anything that stops the write. A
    closed pipe on standard output (``| head``) is not an error of ours and propagates as
    :class:`BrokenPipeError`.
    """
    if path is None:
        _write_stream(sys.stdout, text, "<stdout>")
        return
    name = os.fspath(path)
    if not name:
        raise OutputError("cannot write '': the output path is empty; give a file name after -o")
    try:
        data = text if isinstance(text, bytes) else text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise OutputError(f"cannot write {name}: {_unencodable(exc)}") from None
    try:
        target = Path(name)
        info = _stat(target)
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise OutputError(f"cannot write {name}: it is a directory; give a file name")
        if name.endswith(os.sep):
            raise OutputError(f"cannot write {name}: a name ending in {os.sep} is a directory; give a file name")
        stream = _STANDARD_STREAMS.get(os.path.abspath(name))
        if stream is not None:
            _write_stream(getattr(sys, stream), text, name)
            return
        resolved = Path(os.path.realpath(target))
        if (info is not None and not stat.S_ISREG(info.st_mode)) or _is_special(target) or _is_special(resolved):
            _write_in_place(target, data)
        else:
            _replace_atomically(resolved, data, info)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write {name}: {_reason(exc)}") from None
    except ValueError:  # os.stat and open refuse a NUL in a path
        raise OutputError(f"cannot write {name!r}: a path cannot hold a NUL character") from None


def _write_stream(stream: TextIO | None, text: str | bytes, name: str) -> None:
    if stream is None:
        raise OutputError(f"cannot write {name}: it is closed; give a file with -o")
    try:
        if isinstance(text, bytes):
            stream.flush()
            stream.buffer.write(text)
            stream.buffer.flush()
            return
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write {name}: {_reason(exc)}") from None
    except UnicodeEncodeError as exc:
        raise OutputError(f"cannot write {name}: {_unencodable(exc)}") from None


def _stat(path: Path) -> os.stat_result | None:
    """The status of what ``path`` names (through symlinks); None if nothing is there yet."""
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def _is_special(path: Path) -> bool:
    return os.path.abspath(path).startswith(_SPECIAL_ROOTS)


def _write_in_place(path: Path, data: bytes) -> None:
    """Devices, FIFOs, pipes: open for writing (truncating what can be truncated) and write."""
    with open(path, "wb") as fh:
        fh.write(data)


def _replace_atomically(path: Path, data: bytes, existing: os.stat_result | None) -> None:
    parent = path.parent
    try:
        is_dir = stat.S_ISDIR(parent.stat().st_mode)
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, f"the directory {parent} does not exist") from None
    if not is_dir:
        raise NotADirectoryError(errno.ENOTDIR, "not a directory")
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=".mtcompare-", suffix=".tmp")
    except PermissionError:
        if existing is None:
            raise
        # A file we may write in a directory we may not: write it in place (not atomic, but allowed).
        _write_in_place(path, data)
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if existing is not None:
            os.chmod(tmp, stat.S_IMODE(existing.st_mode))
            if os.geteuid() == 0 and (existing.st_uid, existing.st_gid) != (0, 0):
                os.chown(tmp, existing.st_uid, existing.st_gid)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _umask() -> int:
    """The process's umask (reading it means setting it; it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _unencodable(exc: UnicodeEncodeError) -> str:
    return (
        f"the report holds {exc.object[exc.start : exc.start + 1]!r} at character {exc.start}, "
        f"which {exc.encoding} cannot encode"
    )


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is a file, not a directory"
    if exc.errno == errno.EISDIR:
        return "it is a directory; give a file name"
    return exc.strerror or str(exc)
