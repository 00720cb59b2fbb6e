"""The file and command backends, the registry with entry points, and one test over every backend."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from compare.backends import backend_names, load_backend
from compare.errors import BackendUnavailableError, ExternalCommandError, TranslationFileError

SEGMENTS = ["The so-called Syrian Democratic Forces.", "Daesh terrorists were moved.", "Hello."]


@pytest.fixture()
def tsv(tmp_path: Path) -> Path:
    path = tmp_path / "gpt.tsv"
    path.write_text(
        "# collected from an LLM\n"
        "en\tes\tThe so-called Syrian Democratic Forces.\tLas llamadas Fuerzas Democráticas Sirias.\n"
        "en\tes\tDaesh terrorists were moved.\tLos terroristas de Daesh fueron trasladados.\n"
        "en\tes\tHello.\tHola.\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture()
def upper_command(tmp_path: Path) -> str:
    """A real external program: reads lines, writes them upper-cased with the target language."""
    script = tmp_path / "upper.py"
    script.write_text(
        "import sys\nfor line in sys.stdin:\n    print(sys.argv[1] + ':' + line.strip().upper())\n", encoding="utf-8"
    )
    return f"command:{sys.executable} {script} {{tgt}}"


def test_file_tsv_keyed_by_source(tsv: Path) -> None:
    backend = load_backend(f"file:{tsv}")
    out = backend.translate(list(reversed(SEGMENTS)), "en", "es")
    assert [t.text for t in out] == [
        "Hola.",
        "Los terroristas de Daesh fueron trasladados.",
        "Las llamadas Fuerzas Democráticas Sirias.",
    ]
    assert backend.pairs() == {("en", "es")}
    sig = backend.hop_signature("en", "es")
    assert sig.model == "gpt.tsv" and len(sig.revision or "") == 12


def test_file_jsonl_any_pair_and_missing_segment(tmp_path: Path) -> None:
    path = tmp_path / "human.jsonl"
    path.write_text(json.dumps({"source": "Hello.", "translation": "Hola."}) + "\n", encoding="utf-8")
    backend = load_backend(f"file:{path}")
    assert backend.translate(["  Hello. "], "en", "es")[0].text == "Hola."
    with pytest.raises(TranslationFileError, match=r"human.jsonl has no en→es translation of the segment 'Bye.'"):
        backend.translate(["Bye."], "en", "es")


def test_file_bad_rows(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tb\tc\n", encoding="utf-8")
    with pytest.raises(TranslationFileError, match=r"bad.tsv:1: 3 tab-separated columns; expected 2"):
        load_backend(f"file:{bad}").translate(["a"], "en", "es")
    with pytest.raises(TranslationFileError, match="not found"):
        load_backend(f"file:{tmp_path / 'none.tsv'}")


def test_command_real_subprocess(upper_command: str) -> None:
    out = load_backend(upper_command).translate(SEGMENTS, "en", "es")
    assert [t.text for t in out] == [f"es:{s.upper()}" for s in SEGMENTS]


def test_command_failure_shows_stderr(tmp_path: Path) -> None:
    script = tmp_path / "fail.py"
    script.write_text("import sys\nsys.stderr.write('model weights missing\\n')\nsys.exit(3)\n", encoding="utf-8")
    with pytest.raises(ExternalCommandError, match="exit code 3: model weights missing"):
        load_backend(f"command:{sys.executable} {script}").translate(["x"], "en", "es")


def test_command_wrong_line_count(tmp_path: Path) -> None:
    script = tmp_path / "short.py"
    script.write_text("print('only one')\n", encoding="utf-8")
    with pytest.raises(ExternalCommandError, match="wrote 1 lines for 2 segments"):
        load_backend(f"command:{sys.executable} {script}").translate(["a", "b"], "en", "es")


def test_command_not_found() -> None:
    with pytest.raises(ExternalCommandError, match="command not found: 'no-such-mt'; give a program on PATH"):
        load_backend("command:no-such-mt --x")


def test_unknown_backend_lists_registered() -> None:
    with pytest.raises(
        BackendUnavailableError, match="unknown backend 'deepl'; registered: apertium, command, file, hf"
    ):
        load_backend("deepl")


@pytest.mark.parametrize("name", ["apertium", "file", "command"])
def test_every_backend_same_contract(name: str, tsv: Path, upper_command: str, apertium: str) -> None:
    """Every registered engine: one translation per input, in order, duplicates allowed, empty in -> empty out."""
    spec = {"apertium": "apertium", "file": f"file:{tsv}", "command": upper_command}[name]
    backend = load_backend(spec)
    texts = [SEGMENTS[1], SEGMENTS[2], SEGMENTS[1]]
    out = backend.translate(texts, "en", "es")
    assert len(out) == 3 and out[0] == out[2] and out[0] != out[1]
    assert all(t.text.strip() for t in out)
    assert backend.translate([], "en", "es") == []
    sig = backend.hop_signature("en", "es")
    assert sig.backend == name and sig.source_lang == "en" and sig.target_lang == "es"


def test_third_party_backend_through_entry_point(tmp_path: Path) -> None:
    """A package that declares an entry point in group mtcompare.backends is found by name."""
    (tmp_path / "reverse_mt.py").write_text(
        textwrap.dedent(
            """
            from compare.backends import Backend
            from compare.results import HopSignature, Translation

            class ReverseBackend(Backend):
                name = "reverse"
                def pairs(self):
                    return set()
                def hop_signature(self, s, t):
                    return HopSignature("reverse", s, t, "reverse-1")
                def _translate_batch(self, texts, s, t):
                    return [Translation(x[::-1]) for x in texts]
            """
        ),
        encoding="utf-8",
    )
    dist = tmp_path / "reverse_mt-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: reverse-mt\nVersion: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[mtcompare.backends]\nreverse = reverse_mt:ReverseBackend\n")
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from compare.backends import load_backend, backend_names;"
        "assert 'reverse' in backend_names();"
        "print(load_backend('reverse').translate(['abc'], 'en', 'es')[0].text)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "cba"
    assert "reverse" not in backend_names()
