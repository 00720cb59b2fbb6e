"""Hostile cases for the backends (issue 7, defects 9–15): regional tags, a missing Apertium mode,
programs that change, hang, leave children behind or write bad output, malformed translation files.

Every program here is a real script run for real; nothing is mocked.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compare import roundtrip
from compare.backends import load_backend
from compare.cache import TranslationCache
from compare.errors import (
    ArgumentError,
    ArgumentValueError,
    ExternalCommandError,
    LanguageFallbackWarning,
    ModelUnavailableError,
    TranslationFileError,
    UnsupportedPairError,
)

from ..conftest import ROOT, run_cli


def script(tmp_path: Path, name: str, body: str) -> Path:
    """An executable shell script in ``tmp_path``."""
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(0o755)
    return path


def live_members(pgid: int) -> list[int]:
    """The processes of group ``pgid`` that are still running (zombies awaiting a reaper are not)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, _ppid, pgrp = stat[stat.rindex(")") + 2 :].split()[:3]
        if int(pgrp) == pgid and state not in "ZX":
            alive.append(int(entry.name))
    return alive


def group_gone(pgid: int) -> bool:
    """Whether every process of the group has died; SIGKILL is delivered asynchronously, so wait for it."""
    deadline = time.monotonic() + 60
    while live_members(pgid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def wait_for_file(path: Path) -> str:
    deadline = time.monotonic() + 60
    while not (path.is_file() and path.read_text().strip()):
        assert time.monotonic() < deadline, f"{path} was never written"
        time.sleep(0.05)
    return path.read_text().strip()


@pytest.fixture()
def tsv_en_es(tmp_path: Path) -> Path:
    path = tmp_path / "t.tsv"
    path.write_text("en\tes\tHello.\tHola.\nen\tzh\tHello.\t你好。\n", encoding="utf-8")
    return path


# --- defect 9: a regional tag falls back to the language, and the signature says so -----------------


@pytest.mark.parametrize("tag", ["es-ES", "es_ES", "ES-es"])
def test_region_falls_back_to_language_with_signature(tsv_en_es: Path, tag: str) -> None:
    backend = load_backend(f"file:{tsv_en_es}")
    assert backend.check_pair("en", tag) == ("en", "es")
    assert [t.text for t in backend.translate(["Hello."], "en", tag)] == ["Hola."]
    with pytest.warns(LanguageFallbackWarning, match="no variant for es-ES; translating en→es instead of en→es-ES"):
        signature = backend.hop_signature("en", tag)
    assert (signature.source_lang, signature.target_lang) == ("en", "es")
    assert dict(signature.settings) == {"fallback": "es-ES→es"}
    assert signature.short.endswith("[fallback=es-ES→es]")


def test_region_fallback_keeps_the_script(tsv_en_es: Path) -> None:
    backend = load_backend(f"file:{tsv_en_es}")
    assert backend.check_pair("en", "zh-CN") == ("en", "zh")  # Simplified either way
    with pytest.raises(UnsupportedPairError, match="has no pair en→zh-TW"):  # Traditional is not zh
        backend.check_pair("en", "zh-TW")


def test_exact_pair_has_no_fallback(tsv_en_es: Path) -> None:
    backend = load_backend(f"file:{tsv_en_es}")
    signature = backend.hop_signature("en", "es")
    assert signature.settings == () and "fallback" not in signature.short


def test_apertium_round_trip_through_regional_pivot(apertium: str) -> None:
    texts = ["The government condemned the so-called militias."]
    with pytest.warns(LanguageFallbackWarning):
        regional = roundtrip(texts, via=["es_ES"], cache=False, analyse_terms=False)
    plain = roundtrip(texts, via=["es"], cache=False, analyse_terms=False)
    path, reference = regional.paths[0], plain.paths[0]
    assert [h.segments for h in path.hops] == [h.segments for h in reference.hops]
    assert [h.signature.model for h in path.hops] == ["eng-spa", "spa-eng"]
    assert str(path.signature).count("[fallback=es-ES→es]") == 2


# --- defect 10: a missing Apertium mode is one line naming the installed ones ------------------------


def test_apertium_unknown_mode_one_line(apertium: str) -> None:
    with pytest.raises(ModelUnavailableError) as caught:
        load_backend("apertium:nonexistent-mode")
    message = str(caught.value)
    assert message.startswith("apertium has no mode 'nonexistent-mode'; installed modes: ")
    assert "eng-spa" in message.split("installed modes: ")[1].split(", ")
    assert "\n" not in message
    assert load_backend("apertium:eng-cat_valencia").mode("en", "ca") == "eng-cat_valencia"


def test_apertium_unknown_mode_cli(apertium: str) -> None:
    run = run_cli("translate", "-", "--to", "es", "-b", "apertium:nonexistent-mode", "--no-cache", stdin=b"Hello.\n")
    assert run.returncode != 0
    assert run.stderr.startswith("mtcompare: error: apertium has no mode 'nonexistent-mode'; installed modes: ")
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr


# --- defect 11: the cache key follows the program's content ----------------------------------------


def test_command_cache_follows_edited_program(tmp_path: Path) -> None:
    program = script(tmp_path, "mt.sh", "sed 's/^/first:/'\n")
    backend = load_backend(f"command:{program} {{tgt}}")
    with TranslationCache(tmp_path) as cache:
        assert backend.translate(["a"], "en", "es", cache=cache)[0].text == "first:a"
        before = backend.hop_signature("en", "es")
        program.write_text("#!/bin/sh\nsed 's/^/second:/'\n", encoding="utf-8")
        assert backend.translate(["a"], "en", "es", cache=cache)[0].text == "second:a"
        after = backend.hop_signature("en", "es")
    assert before.model == after.model == f"{program} {{tgt}}"
    assert before.revision != after.revision


def test_command_cache_follows_edited_script_argument(tmp_path: Path) -> None:
    """``python3 mt.py``: the interpreter is unchanged, the script is not."""
    code = tmp_path / "mt.py"
    code.write_text("import sys\nfor line in sys.stdin:\n    print('one:' + line.strip())\n", encoding="utf-8")
    backend = load_backend(f"command:{sys.executable} {code}")
    with TranslationCache(tmp_path) as cache:
        assert backend.translate(["a"], "en", "es", cache=cache)[0].text == "one:a"
        code.write_text("import sys\nfor line in sys.stdin:\n    print('second:' + line.strip())\n", encoding="utf-8")
        assert backend.translate(["a"], "en", "es", cache=cache)[0].text == "second:a"


# --- defect 12: timeout, process group, Ctrl-C, a child that keeps stdout open ------------------------


def test_command_timeout_kills_the_process_group(tmp_path: Path) -> None:
    pgid_file = tmp_path / "pgid"
    program = script(tmp_path, "slow.sh", f"echo $$ > {pgid_file}\nsleep 1000 &\nsleep 1000\n")
    backend = load_backend(f"command:{program}", timeout=5)
    with pytest.raises(ExternalCommandError, match=r"timed out after 5 s; its process group was killed"):
        backend.translate(["a"], "en", "es")
    assert group_gone(int(wait_for_file(pgid_file)))


def test_command_exit_while_child_holds_stdout(tmp_path: Path) -> None:
    """The program is done, its background child still has stdout: the result comes, the child goes."""
    pgid_file = tmp_path / "pgid"
    program = script(tmp_path, "leaky.sh", f"echo $$ > {pgid_file}\nsleep 1000 &\nsed 's/^/t:/'\n")
    out = load_backend(f"command:{program}", timeout=600).translate(["a", "b"], "en", "es")
    assert [t.text for t in out] == ["t:a", "t:b"]
    assert group_gone(int(wait_for_file(pgid_file)))


def test_command_ctrl_c_kills_the_process_group(tmp_path: Path) -> None:
    pgid_file = tmp_path / "pgid"
    program = script(tmp_path, "slow.sh", f"echo $$ > {pgid_file}\nsleep 1000 &\nsleep 1000\n")
    code = (
        "import signal\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored\n"
        "from compare.backends import load_backend\n"
        f"load_backend({f'command:{program}'!r}).translate(['a'], 'en', 'es')\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE)
    try:
        pgid = int(wait_for_file(pgid_file))
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode != 0 and b"KeyboardInterrupt" in stderr
    assert group_gone(pgid)


def test_command_dies_with_a_killed_run(tmp_path: Path) -> None:
    """SIGKILL cannot be caught; the kernel still takes the program down with the run (Linux)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux's")
    pid_file = tmp_path / "pid"
    program = script(tmp_path, "slow.sh", f"echo $$ > {pid_file}\nexec sleep 1000\n")
    spec = f"command:{program}"
    code = f"from compare.backends import load_backend\nload_backend({spec!r}).translate(['a'], 'en', 'es')\n"
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    try:
        pid = int(wait_for_file(pid_file))
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert group_gone(pid)


@pytest.mark.parametrize("value", [-1, 0, math.nan, math.inf])
def test_command_timeout_must_be_positive(tmp_path: Path, value: object) -> None:
    program = script(tmp_path, "cat.sh", "cat\n")
    with pytest.raises(ArgumentValueError, match="timeout must be a number of seconds greater than 0"):
        load_backend(f"command:{program}", timeout=value)


@pytest.mark.parametrize("value", ["soon", "-3", True, [5]])
def test_command_timeout_must_be_a_number(tmp_path: Path, value: object) -> None:
    program = script(tmp_path, "cat.sh", "cat\n")
    with pytest.raises(ArgumentError, match="timeout must be a number of seconds greater than 0"):
        load_backend(f"command:{program}", timeout=value)


def test_command_endless_output_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ExternalCommandError, match="wrote more than .* bytes .*its process group was killed"):
        load_backend("command:yes", timeout=600).translate(["a"], "en", "es")


# --- defect 13: invalid UTF-8 is refused with its byte offset, and never cached ---------------------


def test_command_invalid_utf8_refused_and_not_cached(tmp_path: Path) -> None:
    program = script(tmp_path, "latin1.sh", r"printf 'ok\n\351t\351\n'" + "\n")
    backend = load_backend(f"command:{program}")
    with TranslationCache(tmp_path) as cache:
        with pytest.raises(ExternalCommandError, match=r"invalid UTF-8 at byte offset 3 of its output \(line 2\)"):
            backend.translate(["a", "b"], "en", "es", cache=cache)
        assert cache.get_many(backend.hop_signature("en", "es"), ["a", "b"]) == [None, None]


def test_command_replacement_character_written_by_the_program_is_kept(tmp_path: Path) -> None:
    program = script(tmp_path, "fffd.sh", "printf '\\357\\277\\275\\n'\n")
    assert load_backend(f"command:{program}").translate(["a"], "en", "es")[0].text == "\ufffd"


# --- defect 14: lines end at \n only ----------------------------------------------------------------


def test_command_output_split_on_newline_only(tmp_path: Path) -> None:
    code = tmp_path / "odd.py"
    code.write_text(
        "import sys\nsys.stdin.read()\nsys.stdout.buffer.write('a\\rb\\nc\\u2028d\\x85e\\x0cf\\r\\n'.encode())\n",
        encoding="utf-8",
    )
    out = load_backend(f"command:{sys.executable} {code}").translate(["one", "two"], "en", "es")
    assert [t.text for t in out] == ["a\rb", "c\u2028d\x85e\x0cf"]


def test_command_segment_with_line_separator_is_one_input_line(tmp_path: Path) -> None:
    program = script(tmp_path, "cat.sh", "cat\n")
    out = load_backend(f"command:{program}").translate(["a\u2028b", "c\rd"], "en", "es")
    assert [t.text for t in out] == ["a b", "c d"]


# --- defect 15: the file backend ---------------------------------------------------------------------


def test_file_duplicate_source_with_other_translation(tmp_path: Path) -> None:
    path = tmp_path / "dup.tsv"
    path.write_text("Hello.\tHola.\nBye.\tAdiós.\n  Hello.\tBuenas.\n", encoding="utf-8")
    with pytest.raises(
        TranslationFileError,
        match=r"dup.tsv:3: the segment 'Hello.' is translated 'Buenas.' here and 'Hola.' on line 1",
    ):
        load_backend(f"file:{path}").translate(["Hello."], "en", "es")


def test_file_duplicate_source_with_same_translation_or_other_pair(tmp_path: Path) -> None:
    path = tmp_path / "dup.tsv"
    path.write_text("en\tes\tHello.\tHola.\nen\tes\tHello.\tHola.\nen\tca\tHello.\tHola!\n", encoding="utf-8")
    backend = load_backend(f"file:{path}")
    assert backend.translate(["Hello."], "en", "ca")[0].text == "Hola!"


@pytest.mark.parametrize("value", [5, ["en"], {"en": 1}, "", True])
def test_file_non_string_language(tmp_path: Path, value: object) -> None:
    path = tmp_path / "bad.jsonl"
    rows = [{"source": "a", "translation": "b"}, {"source": "c", "translation": "d", "source_lang": value}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(TranslationFileError, match=r"bad.jsonl:2: 'source_lang' must be a language code such as 'en'"):
        load_backend(f"file:{path}").translate(["a"], "en", "es")


def test_file_unknown_language_has_file_and_line(tmp_path: Path) -> None:
    jsonl = tmp_path / "bad.jsonl"
    jsonl.write_text('\n{"source": "a", "translation": "b", "target_lang": "klingonese"}\n', encoding="utf-8")
    with pytest.raises(TranslationFileError, match=r"bad.jsonl:2: unknown language 'klingonese'"):
        load_backend(f"file:{jsonl}").translate(["a"], "en", "es")
    tsv = tmp_path / "bad.tsv"
    tsv.write_text("# langs\nen\tzzz\ta\tb\n", encoding="utf-8")
    with pytest.raises(TranslationFileError, match=r"bad.tsv:2: unknown language 'zzz'"):
        load_backend(f"file:{tsv}").translate(["a"], "en", "es")


def test_file_directory_is_not_missing(tmp_path: Path) -> None:
    (tmp_path / "dir.tsv").mkdir()
    with pytest.raises(TranslationFileError, match=r"dir.tsv is a directory; expected a .tsv or .jsonl file"):
        load_backend(f"file:{tmp_path / 'dir.tsv'}")
    with pytest.raises(TranslationFileError, match="is a directory"):
        load_backend(f"file:{tmp_path}")


def test_file_device_is_refused() -> None:
    with pytest.raises(TranslationFileError, match=r"/dev/zero is not a regular file"):
        load_backend("file:/dev/zero")


def test_file_lines_end_at_newline_only(tmp_path: Path) -> None:
    """A U+2028 or a form feed inside a JSON string is data, not a line break; CRLF files work."""
    path = tmp_path / "t.jsonl"
    rows = [{"source": "a\u2028b", "translation": "x\u2028y"}, {"source": "c", "translation": "d\x0ce"}]
    path.write_bytes("".join(json.dumps(r, ensure_ascii=False) + "\r\n" for r in rows).encode())
    out = load_backend(f"file:{path}").translate(["a b", "c"], "en", "es")
    assert [t.text for t in out] == ["x\u2028y", "d\x0ce"]


def test_file_unreadable(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads a file whatever its mode")
    path = tmp_path / "secret.tsv"
    path.write_text("a\tb\n", encoding="utf-8")
    path.chmod(0)
    with pytest.raises(TranslationFileError, match=r"cannot read .*secret.tsv: Permission denied"):
        load_backend(f"file:{path}").translate(["a"], "en", "es")
