"""The file and command backends, the registry with entry points, and backend options (the contract over
every backend is tests/test_backend_contract.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from compare.backends import Backend, Option, backend_names, get_backend_class, load_backend, register_backend
from compare.backends.base import _REGISTRY, ServedPairs, configure_backends
from compare.errors import ArgumentValueError, BackendUnavailableError, ExternalCommandError, TranslationFileError
from compare.results import HopSignature, Translation

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
    with pytest.raises(BackendUnavailableError, match="unknown backend 'deepl'; registered: apertium, .*hf") as caught:
        load_backend("deepl")
    assert {"apertium", "command", "file", "hf"} <= set(str(caught.value).partition("registered: ")[2].split(", "))


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


def _plugin_dir(tmp_path: Path, entries: str) -> Path:
    """A directory that, put on sys.path, installs a package declaring ``entries`` in group mtcompare.backends."""
    dist = tmp_path / "plugin_mt-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: plugin-mt\nVersion: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text(f"[mtcompare.backends]\n{entries}\n", encoding="utf-8")
    return tmp_path


def test_an_unimportable_plugin_is_listed_as_unavailable_and_breaks_nothing(tmp_path: Path) -> None:
    """A registered backend whose module is missing: ``mtcompare backends`` shows why; the others still work."""
    plugin = _plugin_dir(tmp_path, "ghost = ghost_mt:GhostBackend")
    env = {**os.environ, "PYTHONPATH": str(plugin)}
    proc = subprocess.run(
        [sys.executable, "-m", "compare", "backends", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    rows = {r["name"]: r for r in json.loads(proc.stdout)}
    assert rows["ghost"]["available"] is False
    assert "cannot be imported (ghost_mt:GhostBackend): No module named 'ghost_mt'" in rows["ghost"]["reason"]
    assert rows["file"]["available"] is True
    proc = subprocess.run(
        [sys.executable, "-m", "compare", "translate", "-", "--to", "es", "-b", "ghost", "--no-cache"],
        input="Hi.",
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 3
    assert proc.stderr.strip() == (
        "mtcompare: error: backend 'ghost' cannot be imported (ghost_mt:GhostBackend): No module named 'ghost_mt'"
    )


def test_importing_compare_neither_scans_entry_points_nor_imports_a_backend() -> None:
    code = (
        "import sys, compare, compare.backends.base as base;"
        "assert not base._REGISTRY.scanned;"
        "mods = [m for m in sys.modules if m.startswith('compare.backends.') and m.rsplit('.', 1)[1] not in ('base',)];"
        "assert not mods, mods;"
        "base.get_backend_class('file');"
        "assert 'compare.backends.file' in sys.modules and 'compare.backends.hf' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_register_backend_adds_a_backend_in_this_process() -> None:
    @register_backend("contract-echo")
    class Echo(Backend):
        options_spec = (Option("prefix", str, ">", "what each translation starts with"),)

        def pairs(self) -> set[tuple[str, str]]:
            return {("en", "es")}

        def hop_signature(self, source_lang: str, target_lang: str) -> HopSignature:
            return HopSignature("contract-echo", source_lang, target_lang, "echo")

        def _translate_batch(self, texts: list[str], source_lang: str, target_lang: str) -> list[Translation]:
            return [Translation(self.option("prefix") + t) for t in texts]

    try:
        assert "contract-echo" in backend_names()
        assert get_backend_class("contract-echo") is Echo
        assert Echo.served_pairs() == ServedPairs((("en", "es"),))
        made = load_backend("contract-echo", prefix="#")
        assert made.translate(["a"], "en", "es")[0].text == "#a"
        assert made.with_options(prefix="!").translate(["a"], "en", "es")[0].text == "!a"
    finally:
        del _REGISTRY["contract-echo"]


def test_configure_backends_shared_and_own_options(tsv: Path, apertium: str) -> None:
    """Shared options go to the backends that declare them, a backend's own win; command-line text is parsed."""
    specs = ["apertium", f"file:{tsv}", "apertium"]
    made = configure_backends(specs, shared={"timeout": "30"}, each=[{}, {}, {"timeout": "5"}], text=True)
    assert [b.options for b in made] == [{"timeout": 30.0}, {}, {"timeout": 5.0}]
    with pytest.raises(
        ArgumentValueError, match=r"no backend here has an option 'beam' \(options: apertium: timeout; file: none"
    ):
        configure_backends(specs, shared={"beam": "5"}, text=True)
    with pytest.raises(ArgumentValueError, match="backend 'file' has no option 'timeout'; its options: none"):
        configure_backends(specs, each=[{}, {"timeout": "5"}, {}], text=True)
    with pytest.raises(ArgumentValueError, match="timeout must be a number of seconds greater than 0; got '0'"):
        configure_backends(["apertium"], shared={"timeout": "0"}, text=True)


def test_served_pairs_as_data(tsv: Path, apertium: str) -> None:
    from compare.backends.apertium import ApertiumBackend, installed_modes
    from compare.backends.file import FileBackend

    served = ApertiumBackend.served_pairs()
    assert not served.any and set(served.pairs) == set(installed_modes())
    assert served.to_dict()["pairs"][0] == list(sorted(installed_modes())[0])
    file_pairs = FileBackend.served_pairs()
    assert file_pairs.any and file_pairs.to_dict() == {"pairs": "any", "note": FileBackend.pairs_note}
