"""Hostile arguments and inputs (issue 7, defects 7, 8, 18, 19, 26): repeated paths run once with a note,
empty pivot lists are refused, devices and oversized inputs are refused, stdin named twice says so, and
usage errors are one line plus the usual hint, exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compare.cli import app
from compare.errors import InputError
from compare.text import DEFAULT_MAX_INPUT_BYTES, parse_size, read_text, read_texts

from ..conftest import ROOT, run_cli


def invoke(*args: str, stdin: str | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(app, list(args), input=stdin, env=env or {})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def assert_one_error(result, *needles: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code != 0
    lines = error_lines(result.stderr)
    assert len(lines) == 1 and lines[0].startswith("mtcompare: error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def assert_usage_error(result, command: str, *needles: str) -> None:  # type: ignore[no-untyped-def]
    """One error line plus click's hint to --help, exit 2, no box drawing."""
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    lines = error_lines(result.stderr)
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("mtcompare: error: "), lines[0]
    assert lines[1] == f"Try '{' '.join(filter(None, ['mtcompare', command]))} --help' for help."
    assert not any(ch in result.stderr for ch in "╭│╰")
    for needle in needles:
        assert needle in lines[0], lines[0]


# --- duplicate paths (defect 7) ------------------------------------------------------------------

TEXT = "Daesh and the terrorists left.\n"


def shift_rows(stdout: str) -> list[tuple[str, str, int]]:
    """(path, concept, segment) of every shift row: what the summary counts."""
    doc = json.loads(stdout)
    paths = doc["analysis"]["paths"]  # type: ignore[index]
    return sorted((p["path"], s["concept"], s["segment"]) for p in paths for s in p["shifts"])  # type: ignore[misc]


@pytest.mark.parametrize(
    ("args", "note"),
    [
        (["--via", "es,es"], "--via es given twice; the path en>es>en runs once"),
        (["--via", "es", "--via", "ES"], "--via es given twice"),
        (["--via", "es", "--chain", "es"], "--chain es is the path --via es already runs"),
        (["--via", "es", "-b", "apertium", "-b", "apertium"], "--backend apertium given twice"),
    ],
    ids=["via-es-es", "via-es-ES", "via-and-chain", "backend-twice"],
)
def test_repeated_paths_run_once_with_a_note(apertium: str, tmp_path: Path, args: list[str], note: str) -> None:
    common = ("roundtrip", "-", "--format", "json", "--cache-dir", str(tmp_path))
    once = invoke(*common, "--via", "es", stdin=TEXT)
    twice = invoke(*common, *args, stdin=TEXT)
    assert once.exit_code == 0 and twice.exit_code == 0, twice.stderr
    assert [p["name"] for p in json.loads(twice.stdout)["paths"]] == ["en>es>en (apertium)"]
    assert shift_rows(twice.stdout) == shift_rows(once.stdout)
    assert f"mtcompare: note: {note}" in twice.stderr


def test_repeated_backend_in_translate_runs_once(apertium: str, tmp_path: Path) -> None:
    result = invoke(
        "translate", "-", "--to", "es", "-b", "apertium", "-b", "apertium", "--cache-dir", str(tmp_path), stdin=TEXT
    )
    assert result.exit_code == 0, result.stderr
    assert "#" not in result.stdout  # one path: no per-path headings
    assert "--backend apertium given twice" in result.stderr


# --- empty pivot lists (defect 8) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value"), [("--via", ""), ("--via", ","), ("--via", "es,,ca"), ("--chain", ""), ("--chain", " , ")]
)
def test_empty_pivot_list_is_refused(option: str, value: str) -> None:
    result = invoke("roundtrip", "-", option, value, stdin=TEXT)
    assert_usage_error(result, "roundtrip", f"Invalid value for '{option}'", "empty language code", repr(value))


# --- inputs (defects 18, 19) ---------------------------------------------------------------------


def test_character_device_input_is_refused() -> None:
    result = invoke("terms", "/dev/zero")
    assert_one_error(result, "cannot read /dev/zero: it is a character device, not a text file")
    with pytest.raises(InputError, match="character device"):
        read_text("/dev/null")


def test_fifo_input_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text("Daesh left.\n", encoding="utf-8"))
    writer.start()
    try:
        assert read_text(fifo) == "Daesh left.\n"
    finally:
        writer.join()


def test_oversized_fifo_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    fifo = tmp_path / "big.fifo"
    os.mkfifo(fifo)
    written: list[int] = []

    def write() -> None:
        try:
            with open(fifo, "wb") as fh:
                for _ in range(64):
                    fh.write(b"Daesh left. " * 1024)
                    written.append(1)
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=write)
    writer.start()
    try:
        with pytest.raises(InputError, match=r"is larger than the input limit of 16K"):
            read_text(fifo, max_bytes=16 * 1024)
    finally:
        writer.join()
    assert len(written) < 64  # the reader stopped and closed the FIFO; the writer never finished


def test_size_cap_option_and_environment(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("Daesh left. " * 100, encoding="utf-8")
    assert_one_error(invoke("terms", str(src), "--max-input-size", "1K"), "is larger than the input limit of 1K")
    assert_one_error(
        invoke("terms", str(src), env={"MTCOMPARE_MAX_INPUT_SIZE": "100"}), "larger than the input limit of 100 bytes"
    )
    assert invoke("terms", str(src), "--max-input-size", "2K", "-f", "csv").exit_code == 0
    assert_one_error(invoke("terms", "-", "--max-input-size", "10", stdin="Daesh left. " * 5), "<stdin> is larger")


@pytest.mark.parametrize("value", ["0", "-5", "ten", "5X", ""])
def test_bad_size_is_a_usage_error(value: str) -> None:
    assert_usage_error(invoke("terms", "-", "--max-input-size", value, stdin=TEXT), "terms", "invalid size")


def test_parse_size() -> None:
    assert parse_size("50M") == DEFAULT_MAX_INPUT_BYTES
    assert [parse_size(v) for v in ("1000", "2k", "1.5KiB", "1g")] == [1000, 2048, 1536, 1024**3]


def test_stdin_named_twice_says_so() -> None:
    assert_one_error(invoke("terms", "-", "-", stdin=TEXT), "standard input (-) is given twice")
    assert_one_error(invoke("roundtrip", "-", "-", stdin=TEXT), "standard input (-) is given twice")
    with pytest.raises(InputError, match="given twice"):
        read_texts(["-", "a.txt", "-"])
    assert_one_error(
        invoke("terms", "/dev/stdin", "-", stdin=TEXT), "standard input (/dev/stdin) is given twice (/dev/stdin and -)"
    )


def test_closed_stdin_is_one_line() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "compare", "terms", "-"],
        capture_output=True,
        cwd=ROOT,
        check=False,
        preexec_fn=lambda: os.close(0),  # noqa: PLW1509 - the shell's <&-
    )
    assert proc.returncode == InputError.exit_code
    assert proc.stderr.decode().splitlines() == [
        "mtcompare: error: standard input is closed; pipe a text into - or name a file"
    ]


# --- usage errors (defect 26) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "command", "needles"),
    [
        (["terms", "-", "--bogus"], "terms", ["No such option: --bogus"]),
        (["terms", "-", "--format", "xml"], "terms", ["'--format'", "'xml' is not one of"]),
        (["roundtrip", "-", "--format", "yaml"], "roundtrip", ["'yaml' is not one of 'table', 'json'"]),
        (["translate", "-", "--to", "es", "--paragraphs", "lines"], "translate", ["'lines' is not one of"]),
        (["translate", "-"], "translate", ["Missing option '--to'"]),
        (["roundtrip"], "roundtrip", ["Missing argument"]),
        (["roundtrip", "-", "--batch-size", "0"], "roundtrip", ["No such option: --batch-size"]),
    ],
)
def test_usage_errors_are_one_line_and_a_hint(args: list[str], command: str, needles: list[str]) -> None:
    assert_usage_error(invoke(*args, stdin=TEXT), command, *needles)


def test_unknown_command_is_one_line() -> None:
    assert_usage_error(invoke("roundtrips", "x"), "", "No such command 'roundtrips'")


def test_usage_error_from_the_real_entry_point() -> None:
    proc = run_cli("terms", "-", "--format", "xml", stdin=b"Daesh.")
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 2, proc.stderr
    assert lines[0].startswith("mtcompare: error: Invalid value for '--format' / '-f'") and "'xml'" in lines[0]
    assert lines[1] == "Try 'python -m compare terms --help' for help."


def test_an_unexpected_exception_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug (here: a lookup that raises a plain RuntimeError) still gives one line and exit 70;
    MTCOMPARE_DEBUG=1 lets the exception and its traceback through."""
    import compare.terms

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something\nunforeseen")

    monkeypatch.setattr(compare.terms, "find_in_files", broken)
    result = invoke("terms", "-", stdin=TEXT)
    assert result.exit_code == 70
    assert result.stderr.splitlines() == [
        "mtcompare: error: internal error: RuntimeError: something\\x0aunforeseen "
        "(MTCOMPARE_DEBUG=1 shows the traceback; please report it)"
    ]
    debug = CliRunner().invoke(app, ["terms", "-"], input=TEXT, env={"MTCOMPARE_DEBUG": "1"})
    assert isinstance(debug.exception, RuntimeError)


def test_library_warnings_are_one_note_line(apertium: str, tmp_path: Path) -> None:
    # A regional tag the backend lacks falls back to the language: the library warns, the CLI says so in
    # one line (not Python's two-line warning format).
    src = tmp_path / "in.txt"
    src.write_text("Hello world.\n", encoding="utf-8")
    proc = run_cli("translate", str(src), "--to", "es-ES", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    lines = error_lines(proc.stderr)
    assert len(lines) == 1 and lines[0].startswith("mtcompare: note: ") and "es-ES" in lines[0], proc.stderr


def test_timeout_option_reaches_the_backend(tmp_path: Path) -> None:
    slow = tmp_path / "slow.sh"
    slow.write_text("#!/bin/sh\nsleep 60\n", encoding="utf-8")
    slow.chmod(0o755)
    src = tmp_path / "in.txt"
    src.write_text("Hello world.\n", encoding="utf-8")
    proc = run_cli("translate", str(src), "--to", "es", "-b", f"command:{slow}", "-O", "timeout=0.5", "--no-cache")
    assert proc.returncode == 4
    lines = error_lines(proc.stderr)
    assert len(lines) == 1 and "timed out" in lines[0], proc.stderr
