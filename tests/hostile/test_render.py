"""Hostile text on the terminal (issue 7, defects 4–6): user data is shown literally, never as rich markup;
control characters and bidi overrides are shown escaped (JSON stays exact); a narrow terminal gets one
block per record instead of zero-width columns."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from compare.backends.status import BackendStatus
from compare.cli import app
from compare.render.literal import literal, visible
from compare.render.table import Column, Grid, backends_table

HOSTILE = "The \x1b[31mterrorists\x1b[0m left\x07 Daesh\x08 \u202eSDF\u202c."
RAW_CONTROLS = ("\x1b", "\x07", "\x08", "\u202e", "\u202c")


def invoke(*args: str, stdin: str | None = None, columns: int | None = None):  # type: ignore[no-untyped-def]
    env = {"COLUMNS": str(columns)} if columns else {}
    result = CliRunner().invoke(app, list(args), input=stdin, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


# --- literal text --------------------------------------------------------------------------------


def test_editorial_brackets_are_shown_and_their_terms_found() -> None:
    text = "He said they [the SDF militias] handed over Daesh.\n"
    table = invoke("terms", "-", stdin=text)
    assert table.exit_code == 0, table.stderr
    rows = [" ".join(line.replace("│", " ").split()) for line in table.stdout.splitlines()]
    assert "1 18-30 SDF militias sdf SDF militia delegitimising" in rows, rows
    assert "1 44-49 Daesh isis Daesh delegitimising" in rows, rows


def test_closing_tag_in_the_input_is_shown_as_written(apertium: str, tmp_path: Path) -> None:
    text = "He said [the SDF militias] left [/SDF] and [bold]Daesh[/bold] stayed.\n"
    result = invoke("roundtrip", "-", "--via", "es", "--cache-dir", str(tmp_path), stdin=text)
    assert result.exit_code == 0, result.stderr
    assert "[/SDF]" in result.stdout and "[bold]Daesh[/bold]" in result.stdout
    assert "[the SDF militias]" in result.stdout


def test_lexicon_forms_with_tags_do_not_break_the_table(tmp_path: Path) -> None:
    lexicon = tmp_path / "tags.yaml"
    lexicon.write_text(
        'concepts:\n  isis:\n    forms:\n      en:\n        delegitimising: ["Daesh [/b]", "[red]IS[/red]"]\n',
        encoding="utf-8",
    )
    result = invoke("terms", "-", "--lexicon", str(lexicon), stdin="Daesh [/b] and [red]IS[/red] left.\n")
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr and "occurrences" in result.stdout


def test_command_spec_in_the_caption_is_shown_as_written(tmp_path: Path) -> None:
    spec = f"command:{sys.executable} -c 'import sys; sys.stdout.write(sys.stdin.read())' [/SDF] [A-Z] {{src}}"
    result = invoke(
        "roundtrip", "-", "--via", "es", "--no-terms", "--cache-dir", str(tmp_path), "-b", spec, stdin="Daesh left.\n"
    )
    assert result.exit_code == 0, result.stderr
    caption = " ".join(result.stdout.split())
    assert "[/SDF] [A-Z] {src}" in caption


def test_install_hint_keeps_its_brackets() -> None:
    status = BackendStatus("hf", False, "install the extra: pip install 'mtcompare[hf]'", "")
    console = Console(file=io.StringIO(), width=100)
    console.print(backends_table([status]))
    assert "pip install 'mtcompare[hf]'" in console.file.getvalue()  # type: ignore[attr-defined]


def test_literal_keeps_markup_characters() -> None:
    assert literal("[bold]x[/bold] [/SDF] \\[").plain == "[bold]x[/bold] [/SDF] \\["


# --- control characters --------------------------------------------------------------------------


def test_visible_escapes_controls_and_bidi_overrides_only() -> None:
    assert visible(HOSTILE) == "The \\x1b[31mterrorists\\x1b[0m left\\x07 Daesh\\x08 \\u202eSDF\\u202c."
    # Right-to-left marks, joiners and letters are text, not controls.
    rtl = "قوات\u200f الاحتلال \u200dمی\u200cشود"
    assert visible(rtl) == rtl
    assert visible("a\tb\nc\x9bd", keep="\n\t") == "a\tb\nc\\x9bd"


def test_terms_table_shows_controls_escaped() -> None:
    result = invoke("terms", "-", stdin=HOSTILE + "\n")
    assert result.exit_code == 0, result.stderr
    assert not any(c in result.stdout for c in RAW_CONTROLS), repr(result.stdout)


def test_roundtrip_table_shows_controls_escaped_and_json_keeps_them(apertium: str, tmp_path: Path) -> None:
    common = ("roundtrip", "-", "--via", "es", "--cache-dir", str(tmp_path))
    table = invoke(*common, stdin=HOSTILE + "\n")
    assert table.exit_code == 0, table.stderr
    assert not any(c in table.stdout for c in RAW_CONTROLS), repr(table.stdout)
    assert "\\x1b[31mterrorists\\x1b[0m" in table.stdout and "\\u202eSDF\\u202c" in table.stdout

    doc = json.loads(invoke(*common, "--format", "json", stdin=HOSTILE + "\n").stdout)
    assert "\x1b[31mterrorists\x1b[0m" in doc["segments"][0]["text"]
    assert "\u202eSDF\u202c" in doc["segments"][0]["text"]


def test_translate_text_output_escapes_controls(apertium: str, tmp_path: Path) -> None:
    result = invoke(
        "translate", "-", "--to", "es", "--cache-dir", str(tmp_path), stdin=HOSTILE + "\n\nSecond paragraph.\n"
    )
    assert result.exit_code == 0, result.stderr
    assert not any(c in result.stdout for c in RAW_CONTROLS), repr(result.stdout)
    assert "\\x1b[31m" in result.stdout
    assert result.stdout.count("\n\n") == 1  # paragraph breaks are layout, not escaped


def test_error_line_escapes_controls() -> None:
    result = invoke("terms", "no\x1b[31mfile\nsecond line.txt")
    assert result.exit_code == 2
    assert result.stderr == "mtcompare: error: input file not found: no\\x1b[31mfile\\x0asecond line.txt\n"


# --- narrow terminals ----------------------------------------------------------------------------


def test_narrow_terminal_gets_records_not_zero_width_columns() -> None:
    result = invoke("terms", "-", stdin="Daesh and the so-called SDF militias left.\n", columns=20)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= 20 for line in lines), lines
    assert "text: Daesh" in lines and "concept: isis" in lines
    assert not any("┃" in line or "│" in line for line in lines)


def test_narrow_roundtrip_report_is_readable(apertium: str, tmp_path: Path) -> None:
    result = invoke("roundtrip", "-", "--via", "es", "--cache-dir", str(tmp_path), stdin="Daesh left.\n", columns=20)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= 20 for line in lines), lines
    for expected in ("term: Daesh", "concept: isis", "outcome: kept", "kept: 1 · 100%"):
        assert expected in lines, lines


@pytest.mark.parametrize("columns", ["0", "1", "3", "-5", "abc"])
def test_absurd_terminal_widths_still_show_whole_words(columns: str) -> None:
    result = CliRunner().invoke(app, ["terms", "-"], input="Daesh left.\n", env={"COLUMNS": columns})
    assert result.exit_code == 0, result.stderr
    assert "Daesh" in result.stdout and "delegitimising" in result.stdout


def test_wide_terminal_keeps_the_table() -> None:
    result = invoke("terms", "-", stdin="Daesh left.\n", columns=100)
    assert result.exit_code == 0
    assert "┃ line ┃ chars ┃ text" in result.stdout


@pytest.mark.parametrize(
    ("cells", "fits"),
    [
        # widest words 5 + 4 + 5, padding 2 each, 4 borders: 24 columns
        (("alpha", "beta", "gamma"), 24),
        # longer words count as MIN_COLUMN_WIDTH (8) each: they fold inside a column rather than cost a table
        (("Democràtiques", "forces", "d'ocupació"), 8 + 6 + 8 + 6 + 4),
    ],
)
def test_grid_switches_at_the_column_minimum(cells: tuple[str, str, str], fits: int) -> None:
    grid = Grid("t", [Column("a"), Column("b"), Column("c")])
    grid.add_row(*cells)
    wide = Console(file=io.StringIO(), width=fits)
    wide.print(grid)
    assert "┃ a" in wide.file.getvalue()  # type: ignore[attr-defined]
    narrow = Console(file=io.StringIO(), width=fits - 1)
    narrow.print(grid)
    assert narrow.file.getvalue().splitlines() == ["t", "", *(f"{c}: {v}" for c, v in zip("abc", cells))]  # type: ignore[attr-defined]
