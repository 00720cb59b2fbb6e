"""Hostile ``-o`` targets (issue 7, defects 1–3): devices, FIFOs, pipes, symlinks, modes, and every way a
write can fail — each a correct write or one line ``mtcompare: error: cannot write PATH: reason``."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from compare.errors import OutputError
from compare.output import write_output

from ..conftest import ROOT, run_cli

REPORT = "Daesh — a report\n"
TERMS = ("terms", "-", "--format", "csv")
STDIN = b"Daesh left.\n"


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a failed run (asserting there is exactly one and no traceback)."""
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("mtcompare: error: "), lines[0]
    return lines[0]


# --- regular files: atomic replace, modes ------------------------------------------------------


@pytest.mark.parametrize(("mask", "mode"), [(0o002, 0o664), (0o022, 0o644), (0o077, 0o600)])
def test_new_file_honours_umask(tmp_path: Path, mask: int, mode: int) -> None:
    out = tmp_path / "report.txt"
    with umask(mask):
        write_output(REPORT, out)
    assert out.read_text(encoding="utf-8") == REPORT
    assert stat.S_IMODE(out.stat().st_mode) == mode


def test_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    out.write_text("old\n", encoding="utf-8")
    out.chmod(0o664)
    with umask(0o077):
        write_output(REPORT, out)
    assert out.read_text(encoding="utf-8") == REPORT
    assert stat.S_IMODE(out.stat().st_mode) == 0o664
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]  # no temporary file left


def test_missing_parent_directory_is_an_error_not_created(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "report.txt"
    with pytest.raises(OutputError, match=rf"^cannot write {out}: the directory {out.parent} does not exist$"):
        write_output(REPORT, out)
    assert list(tmp_path.iterdir()) == []


# --- symlinks, FIFOs, devices, pipes: never replaced by a regular file -------------------------------


def test_symlink_is_written_through_to_its_target(tmp_path: Path) -> None:
    target = tmp_path / "target.txt"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(target.name)
    write_output(REPORT, link)
    assert link.is_symlink() and os.readlink(link) == target.name
    assert target.read_text(encoding="utf-8") == REPORT
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "new.txt")
    write_output(REPORT, link)
    assert link.is_symlink()
    assert (tmp_path / "new.txt").read_text(encoding="utf-8") == REPORT


def test_fifo_is_written_into_and_stays_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_output(REPORT, fifo)
    reader.join()
    assert received == [REPORT.encode("utf-8")]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_terminal_device_is_written_into_and_stays_a_device() -> None:
    master, slave = os.openpty()
    try:
        name = os.ttyname(slave)
        write_output("Daesh\n", name)
        assert stat.S_ISCHR(os.stat(name).st_mode)
        got = b""
        while b"Daesh" not in got:
            got += os.read(master, 1024)
    finally:
        os.close(master)
        os.close(slave)


def test_device_node_is_not_replaced(tmp_path: Path) -> None:
    """``-o /dev/null`` as root must not swap the device for a regular file (tried on our own node)."""
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot create a device node here: {exc}")
    write_output(REPORT, node)
    info = node.lstat()
    assert stat.S_ISCHR(info.st_mode) and info.st_rdev == os.makedev(1, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_cli_to_dev_null_leaves_it_a_device() -> None:
    before = os.stat("/dev/null")
    proc = run_cli(*TERMS, "-o", "/dev/null", stdin=STDIN)
    assert proc.returncode == 0, proc.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_cli_to_dev_stdout_prints() -> None:
    proc = run_cli(*TERMS, "-o", "/dev/stdout", stdin=STDIN)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1].startswith("<stdin>,1,0,5,Daesh,isis")


def test_cli_to_dev_stdout_appends_to_a_redirected_file(tmp_path: Path) -> None:
    """``mtcompare ... -o /dev/stdout >> log`` appends to ``log``, as the shell asked, and keeps its inode."""
    log = tmp_path / "log"
    log.write_text("earlier line\n", encoding="utf-8")
    inode = log.stat().st_ino
    with log.open("a", encoding="utf-8") as fh:
        proc = subprocess.run(
            [sys.executable, "-m", "compare", *TERMS, "-o", "/dev/stdout"],
            input=STDIN,
            stdout=fh,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            check=False,
        )
    assert proc.returncode == 0, proc.stderr
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "earlier line" and lines[1].startswith("file,line")
    assert log.stat().st_ino == inode


def test_cli_to_process_substitution_pipe() -> None:
    """``-o >(cat)``: the shell passes ``/dev/fd/N``, a pipe; the report goes down it."""
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(
        [sys.executable, "-m", "compare", *TERMS, "-o", f"/dev/fd/{write_end}"],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=(write_end,),
        cwd=ROOT,
    )
    os.close(write_end)
    assert proc.stdin is not None and proc.stderr is not None
    proc.stdin.write(STDIN)
    proc.stdin.close()
    with os.fdopen(read_end, "rb") as pipe:
        received = pipe.read().decode("utf-8")
    assert proc.wait() == 0, proc.stderr.read()
    proc.stderr.close()
    assert received.splitlines()[1].startswith("<stdin>,1,0,5,Daesh")


# --- failures: one line each -------------------------------------------------------------------


def test_full_device_is_one_error() -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with pytest.raises(OutputError, match=r"^cannot write /dev/full: No space left on device$"):
        write_output(REPORT, "/dev/full")


@pytest.mark.parametrize(
    ("make_target", "reason"),
    [
        (lambda tmp: str(tmp), "it is a directory"),
        (lambda tmp: str(tmp / "file.txt" / "report.txt"), "a part of the path is a file, not a directory"),
        (lambda tmp: "", "the output path is empty"),
        (lambda tmp: "/proc/no-such-process/report.txt", "No such file or directory"),
        (lambda tmp: str(tmp / "missing" / "report.txt"), "does not exist"),
        (lambda tmp: "/proc/self/report.txt", "No such file or directory"),
        (lambda tmp: "/dev/full", "No space left on device"),
    ],
    ids=[
        "directory",
        "parent-is-a-file",
        "empty",
        "missing-parent-under-proc",
        "missing-parent",
        "new-file-in-proc",
        "dev-full",
    ],
)
def test_cli_output_failures_are_one_line(tmp_path: Path, make_target, reason: str) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "file.txt").write_text("x\n", encoding="utf-8")
    target = make_target(tmp_path)
    line = one_error_line(run_cli(*TERMS, "-o", target, stdin=STDIN))
    shown = repr(target) if target == "" else target
    assert line.startswith(f"mtcompare: error: cannot write {shown}: "), line
    assert reason in line
    assert (tmp_path / "file.txt").read_text(encoding="utf-8") == "x\n"


def test_cli_stdout_on_a_full_disk_is_one_line() -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    for fmt in ("csv", "table"):
        with open("/dev/full", "w") as full:
            proc = subprocess.run(
                [sys.executable, "-m", "compare", "terms", "-", "--format", fmt],
                input=STDIN,
                stdout=full,
                stderr=subprocess.PIPE,
                cwd=ROOT,
                check=False,
            )
        lines = proc.stderr.decode().splitlines()
        assert proc.returncode == OutputError.exit_code, lines
        assert lines == ["mtcompare: error: cannot write <stdout>: No space left on device"]


def as_unprivileged(action: Callable[[], None]) -> str:
    """Run ``action`` in a forked child that, when we are root, has dropped to the ``nobody`` user (root
    passes every permission check); return the child's OutputError message, or "no error"."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        message = "no error"
        try:
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            action()
        except OutputError as exc:
            message = str(exc)
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which fails the test
            message = f"{type(exc).__name__}: {exc}"
        os.write(write_end, message.encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        message = pipe.read().decode()
    os.waitpid(pid, 0)
    return message


@pytest.fixture()
def locked_dir() -> Iterator[Path]:
    """A directory nobody but root may write into (mode 555, in a world-readable place)."""
    base = Path(tempfile.mkdtemp(prefix="mtcompare-perm-"))
    locked = base / "locked"
    try:
        base.chmod(0o755)
        locked.mkdir()
        locked.chmod(0o555)
        yield locked
    finally:
        locked.chmod(0o755)
        for path in sorted(base.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        base.rmdir()


def test_no_permission_is_one_error(locked_dir: Path) -> None:
    target = locked_dir / "report.txt"
    assert as_unprivileged(lambda: write_output(REPORT, target)) == f"cannot write {target}: Permission denied"
    assert list(locked_dir.iterdir()) == []


def test_writable_file_in_a_locked_directory_is_written_in_place(locked_dir: Path) -> None:
    locked_dir.chmod(0o755)
    target = locked_dir / "report.txt"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o666)
    locked_dir.chmod(0o555)
    assert as_unprivileged(lambda: write_output(REPORT, target)) == "no error"
    assert target.read_text(encoding="utf-8") == REPORT
    assert [p.name for p in locked_dir.iterdir()] == ["report.txt"]


def test_unwritable_names_are_one_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"a name ending in / is a directory"):
        write_output(REPORT, f"{tmp_path}/new-dir/")
    assert not (tmp_path / "new-dir").exists()
    with pytest.raises(OutputError, match=r"a path cannot hold a NUL character"):
        write_output(REPORT, f"{tmp_path}/a\0b")
    with pytest.raises(OutputError, match=r"holds '\\ud800' at character 1"):
        write_output("a\ud800", tmp_path / "report.txt")
    assert list(tmp_path.iterdir()) == []


def test_cli_closed_stdout_is_one_line() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "compare", *TERMS],
        input=STDIN,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        check=False,
        preexec_fn=lambda: os.close(1),  # noqa: PLW1509 - the shell's >&-
    )
    lines = proc.stderr.decode().splitlines()
    assert proc.returncode == OutputError.exit_code, lines
    assert lines == ["mtcompare: error: cannot write <stdout>: it is closed; give a file with -o"]
