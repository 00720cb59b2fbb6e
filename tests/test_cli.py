"""The mtcompare command as a user meets it: real subprocesses, one clear line on bad input."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT, run_cli


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_version() -> None:
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("mtcompare ")


def test_help_and_import_do_not_load_torch() -> None:
    code = (
        "import sys, compare, compare.cli, compare.backends.base;"
        "from typer.testing import CliRunner;"
        "r = CliRunner().invoke(compare.cli.app, ['--help']); assert r.exit_code == 0, r.output;"
        "heavy = [m for m in ('torch', 'transformers') if m in sys.modules]; assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_roundtrip_json_document(apertium: str, article_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "rt.json"
    proc = run_cli(
        "roundtrip",
        str(article_path),
        "--via",
        "es,ca",
        "--format",
        "json",
        "-o",
        str(out),
        "--cache-dir",
        str(tmp_path / "c"),
        "--no-terms",
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["source_lang"] == "en" and len(doc["segments"]) == 12
    assert [p["pivots"] for p in doc["paths"]] == [["es"], ["ca"]]
    assert doc["paths"][1]["hops"][0]["lang"] == "ca"
    assert "hop1:apertium:eng-cat" in doc["signature"]


def test_roundtrip_table_from_stdin(apertium: str, tmp_path: Path) -> None:
    proc = run_cli(
        "roundtrip",
        "-",
        "--via",
        "es",
        "--no-terms",
        "--cache-dir",
        str(tmp_path),
        stdin=b"The terrorists left.\n",
    )
    assert proc.returncode == 0, proc.stderr
    assert "en>es>en (apertium)" in proc.stdout and "terroristas" in proc.stdout


def test_translate_keeps_paragraphs(apertium: str, tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("Hello. Good night.\n\nThe house is big.\n", encoding="utf-8")
    proc = run_cli("translate", str(src), "--to", "es", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n\n") == 1
    assert "casa" in proc.stdout.split("\n\n")[1]


def test_backends_json() -> None:
    proc = run_cli("backends", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = {r["name"]: r for r in json.loads(proc.stdout)}
    assert set(rows) >= {"apertium", "hf", "file", "command"}


@pytest.mark.parametrize(
    ("args", "stdin", "needles"),
    [
        (["roundtrip", "missing.txt"], None, ["input file not found: missing.txt"]),
        (["roundtrip", "-"], b"   \n", ["<stdin> is empty"]),
        (["roundtrip", "-", "--via", "spanish"], b"Hi.", ["unknown language 'spanish'", "'es'"]),
        (["roundtrip", "-", "--lang", "xx"], b"Hi.", ["unknown language 'xx'"]),
        (["roundtrip", "-", "--via", "ar"], b"Hi.", ["apertium has no pair en→ar", "en↔es"]),
        (["roundtrip", "-", "--backend", "deepl"], b"Hi.", ["unknown backend 'deepl'"]),
        (["translate", "-", "--to", "es", "--backend", "file:nope.tsv"], b"Hi.", ["translation file not found"]),
        (["translate", "-", "--to", "es", "--backend", "command:no-such-mt"], b"Hi.", ["command not found"]),
    ],
)
def test_bad_input_one_line(
    apertium: str, tmp_path: Path, args: list[str], stdin: bytes | None, needles: list[str]
) -> None:
    assert_one_line_error(run_cli(*args, "--no-cache", stdin=stdin, cwd=tmp_path), *needles)


def test_not_utf8_names_offset(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok \xff\xfe")
    assert_one_line_error(run_cli("roundtrip", str(bad), "--no-cache"), "bad.txt is not UTF-8", "offset 3")


def test_failing_command_shows_its_stderr(tmp_path: Path) -> None:
    script = tmp_path / "boom.py"
    script.write_text("import sys\nsys.stderr.write('CUDA out of memory\\n')\nsys.exit(1)\n", encoding="utf-8")
    proc = run_cli(
        "translate", "-", "--to", "es", "--no-cache", "--backend", f"command:{sys.executable} {script}", stdin=b"Hi."
    )
    assert_one_line_error(proc, "failed with exit code 1", "CUDA out of memory")


def test_apertium_not_installed_says_how_to_install(tmp_path: Path) -> None:
    """With apertium off PATH, the backend is reported unavailable with the install command."""
    env = {"PATH": str(tmp_path), "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "compare", "roundtrip", "-", "--no-cache"],
        input="Hello.",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert_one_line_error(proc, "backend 'apertium' is not available", "apt-get install apertium")


def test_paragraphs_one_per_line(tmp_path: Path) -> None:
    """A file without blank lines keeps each line a paragraph, so a headline is not glued to the lead."""
    src = tmp_path / "news.txt"
    src.write_text("Daesh prisoners moved\nThe army moved them. By road.\n", encoding="utf-8")
    tsv = tmp_path / "mt.tsv"
    tsv.write_text(
        "Daesh prisoners moved\tPresos de Daesh trasladados\n"
        "The army moved them.\tEl ejército los trasladó.\n"
        "By road.\tPor carretera.\n"
        "Daesh prisoners moved The army moved them.\tPresos de Daesh trasladados. El ejército los trasladó.\n"
        "Presos de Daesh trasladados\tDaesh prisoners transferred\n"
        "El ejército los trasladó.\tThe army transferred them.\n"
        "Por carretera.\tBy road.\n",
        encoding="utf-8",
    )
    common = ("--no-cache", "--backend", f"file:{tsv}")

    text = run_cli("translate", str(src), "--to", "es", *common)
    assert text.returncode == 0, text.stderr
    assert text.stdout == "Presos de Daesh trasladados\nEl ejército los trasladó. Por carretera.\n"

    auto = run_cli("roundtrip", str(src), "--via", "es", "--no-terms", "--format", "json", *common)
    assert auto.returncode == 0, auto.stderr
    doc = json.loads(auto.stdout)
    assert doc["paragraphs"] == "line"
    assert [(s["paragraph"], s["text"]) for s in doc["segments"]] == [
        (0, "Daesh prisoners moved"),
        (1, "The army moved them."),
        (1, "By road."),
    ]

    glued = run_cli("translate", str(src), "--to", "es", "--paragraphs", "blank", "--format", "json", *common)
    assert glued.returncode == 0, glued.stderr
    doc = json.loads(glued.stdout)
    assert doc["paragraphs"] == "blank"
    assert [(s["paragraph"], s["text"]) for s in doc["segments"]] == [
        (0, "Daesh prisoners moved The army moved them."),
        (0, "By road."),
    ]

    # Typer rejects a bad value as a usage error (its own panel, as for --format): exit 2, the choices named.
    bad = run_cli("translate", str(src), "--to", "es", "--paragraphs", "lines", *common)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "'lines' is not one of 'auto', 'blank', 'line'" in " ".join(bad.stderr.replace("│", " ").split())


# --- backend options (-O KEY=VALUE) and mtcompare backends -------------------------------------------


def _parsed(*args: str) -> Any:
    """The ``roundtrip`` command's context after click parsed ``args`` (nothing is run)."""
    import typer.main

    from compare import cli

    command = typer.main.get_command(cli.app).commands["roundtrip"]  # type: ignore[attr-defined]
    return command.make_context("roundtrip", ["-", *args])


def _systems(*args: str) -> list[tuple[str, str, dict[str, Any]]]:
    from compare.cli import _systems_from_cli

    ctx = _parsed(*args)
    return [(n, b.spec, b.options) for n, b in _systems_from_cli(ctx.params["backend"], ctx.params["option"], ctx)]


def test_an_option_after_a_backend_is_that_backends_one_before_any_is_everyones(apertium: str, tmp_path: Path) -> None:
    tsv = tmp_path / "t.tsv"
    tsv.write_text("en\tes\tHi.\tHola.\n", encoding="utf-8")
    got = _systems(
        "-O", "timeout=30", "-b", "apertium", f"--backend=file:{tsv}", "-b", "a2=apertium", "-O", "timeout=5",
        "--option=timeout=7", "-bcommand:cat",
    )  # fmt: skip
    assert got == [
        ("apertium", "apertium", {"timeout": 30.0}),
        ("file:t.tsv", f"file:{tsv}", {}),
        ("a2", "apertium", {"timeout": 7.0}),
        ("command:cat", "command:cat", {"timeout": 30.0}),
    ]
    # Interleaved with other options, and without any --backend (apertium).
    assert _systems("--via", "es", "-O", "timeout=2", "--no-cache") == [("apertium", "apertium", {"timeout": 2.0})]
    # The same backend with other options is another system; with the same options it runs once.
    assert _systems("-b", "apertium", "-b", "apertium", "-O", "timeout=3", "-b", "apertium") == [
        ("apertium", "apertium", {}),
        ("apertium-2", "apertium", {"timeout": 3.0}),
    ]


def test_systems_without_a_recorded_order_take_every_option_as_shared(apertium: str) -> None:
    from compare.cli import _systems_from_cli

    systems = _systems_from_cli(["apertium", "x=apertium"], ["timeout=4"])
    assert [(n, b.options) for n, b in systems] == [("apertium", {"timeout": 4.0}), ("x", {"timeout": 4.0})]


def test_an_option_key_may_be_written_with_hyphens() -> None:
    from compare.cli import _key_value

    assert _key_value("max-length=12") == ("max_length", "12")
    assert _key_value("prompt=a=b ") == ("prompt", "a=b ")


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["-O", "beam=5"], ["no backend here has an option 'beam' (options: apertium: timeout)"]),
        (["-b", "command:cat", "-O", "beams=5"], ["backend 'command' has no option 'beams'; its options: timeout"]),
        (["-O", "timeout=soon"], ["backend 'apertium' option timeout must be a number of seconds greater than 0"]),
        (["-O", "timeout=0"], ["timeout must be a number of seconds greater than 0; got '0'"]),
        (["-O", "timeout"], ["-O takes KEY=VALUE, such as -O beams=5"]),
        (["-O", "=5"], ["-O takes KEY=VALUE"]),
    ],
)
def test_bad_backend_options_are_one_line(apertium: str, args: list[str], needles: list[str]) -> None:
    # Checked before the input is read: the missing file is not what is reported.
    proc = run_cli("roundtrip", "missing.txt", "--via", "es", "--no-cache", *args)
    assert proc.returncode == 2
    assert_one_line_error(proc, *needles)


def test_an_option_reaches_its_backend(tmp_path: Path) -> None:
    slow = tmp_path / "slow.py"
    slow.write_text("import time\ntime.sleep(60)\n", encoding="utf-8")
    proc = run_cli(
        "translate", "-", "--to", "es", "--no-cache", "-b", f"command:{sys.executable} {slow}", "-O", "timeout=0.5",
        stdin=b"Hello.",
    )  # fmt: skip
    assert proc.returncode == 4
    assert_one_line_error(proc, "timed out")


def test_roundtrip_with_a_shared_option(apertium: str, tmp_path: Path) -> None:
    proc = run_cli(
        "roundtrip", "-", "--via", "es", "-O", "timeout=30", "--no-terms", "--format", "json", "--no-cache",
        stdin=b"The house is big.",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["paths"][0]["hops"][0]["segments"] == ["La casa es grande."]


def test_the_old_hf_flags_are_gone() -> None:
    from compare import cli

    source = Path(cli.__file__).read_text(encoding="utf-8")
    for flag in ("--device", "--beams", "--batch-size", "--max-length", "--revision", "--timeout"):
        assert f'"{flag}"' not in source and f"'{flag}'" not in source
    proc = run_cli("roundtrip", "-", "--beams", "5", stdin=b"Hi.")
    assert proc.returncode == 2 and "No such option: --beams" in proc.stderr


def test_backends_json_pairs_options_hint_and_capabilities(apertium: str) -> None:
    proc = run_cli("backends", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = {r["name"]: r for r in json.loads(proc.stdout)}
    ap = rows["apertium"]
    assert ap["available"] is True and ["en", "es"] in ap["pairs"] and ["es", "en"] in ap["pairs"]
    assert [o["name"] for o in ap["options"]] == ["timeout"]
    assert ap["options"][0]["type"] == "float" and ap["options"][0]["default"] == 600.0
    assert ap["capabilities"] == {"can_sample": False, "gives_alignment": True, "deterministic": True}
    assert "apt-get install apertium" in ap["install_hint"]
    assert rows["file"]["pairs"] == "any" and "file" in rows["file"]["pairs_note"]
    assert rows["command"]["pairs"] == "any"
    assert {"device", "beams", "max_length", "sample"} <= {o["name"] for o in rows["hf"]["options"]}
    assert rows["hf"]["capabilities"]["can_sample"] is True
    assert rows["hf"]["install_hint"] == "pip install 'mtcompare[hf]'"


def test_backends_table(apertium: str) -> None:
    proc = run_cli("backends")
    assert proc.returncode == 0, proc.stderr
    assert "en↔es" in proc.stdout and "timeout" in proc.stdout and "deterministic" in proc.stdout


def test_backends_options_of_one_backend() -> None:
    proc = run_cli("backends", "--options", "hf", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    options = {o["name"]: o for o in json.loads(proc.stdout)}
    assert options["beams"]["type"] == "int" and options["beams"]["default"] == 4
    assert options["beams"]["accepts"] == "an integer ≥ 1" and options["beams"]["help"]
    proc = run_cli("backends", "--options", "apertium")
    assert proc.returncode == 0 and "timeout" in proc.stdout and "a number of seconds greater than 0" in proc.stdout
    proc = run_cli("backends", "--options", "file")
    assert proc.returncode == 0 and proc.stdout == "file takes no options\n"
    assert_one_line_error(run_cli("backends", "--options", "deepl"), "unknown backend 'deepl'; registered: apertium")


def test_translate_terms(apertium: str, tmp_path: Path) -> None:
    src = tmp_path / "t.txt"
    src.write_text("The Syrian regime and ISIS fighters attacked the so-called Syrian Democratic Forces.\n")
    proc = run_cli("translate", str(src), "--to", "es", "--terms", "--no-cache", "-f", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert {r["concept"]: r["status"] for r in rows}["regime"] == "kept"
    assert {r["back_text"] for r in rows} >= {"régimen"}
    assert_one_line_error(run_cli("translate", str(src), "--to", "es", "--no-cache", "-f", "csv"), "add --terms")
