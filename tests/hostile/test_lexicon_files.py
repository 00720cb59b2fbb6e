"""Hostile lexicon files (issue 7, defects 16 and 17): YAML aliases and bombs, deep nesting, keys that
YAML would read as dates, numbers or booleans. Each is refused at FILE:LINE, or read as written.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from compare.errors import LexiconError
from compare.lexicon import Lexicon

from ..conftest import ROOT

ALIAS_MESSAGE = "is not accepted in a lexicon; write the entries out instead of reusing them with &anchor and *alias"
ALIAS = re.escape(ALIAS_MESSAGE)


def write(tmp_path: Path, body: str, name: str = "hostile.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return path


def alias_bomb(levels: int = 9) -> str:
    """A billion-laughs document: each level lists the one before nine times (9**levels leaves)."""
    lines = ["version: 1", 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]")
    lines.append("concepts: {}")
    return "\n".join(lines) + "\n"


# --- defect 16: aliases are refused before anything is built ----------------------------------------


def test_alias_bomb_refused_at_its_first_alias(tmp_path: Path) -> None:
    path = write(tmp_path, alias_bomb())
    with pytest.raises(LexiconError, match=rf"^{path}:3: YAML alias \*l0 {ALIAS}$"):
        Lexicon.load(path)


def test_alias_bomb_inside_concepts(tmp_path: Path) -> None:
    body = """
    concepts:
      isis:
        forms:
          en:
            neutral: &forms [Islamic State]
      daesh:
        forms:
          en:
            neutral: *forms
    """
    path = write(tmp_path, body)
    with pytest.raises(LexiconError, match=rf"^{path}:9: YAML alias \*forms {ALIAS}$"):
        Lexicon.load(path)


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("a: &a [*a]\n", 1),
        ("concepts: &c {x: *c}\n", 1),
        ("concepts:\n  isis: &i\n    forms:\n      en: {neutral: [x]}\n    gloss: *i\n", 5),
        ("base: &b {gloss: g}\nconcepts:\n  isis:\n    <<: *b\n    forms: {}\n", 4),
    ],
    ids=["recursive-sequence", "recursive-mapping", "recursive-inside-concept", "merge-key"],
)
def test_recursive_and_merge_aliases_refused(tmp_path: Path, body: str, line: int) -> None:
    path = write(tmp_path, body)
    with pytest.raises(LexiconError, match=rf"^{path}:{line}: YAML alias \*\w+ {ALIAS}$"):
        Lexicon.load(path)


def test_alias_bomb_through_the_cli(tmp_path: Path) -> None:
    """One line, exit 2, no traceback, and no gigabytes: the run is capped at 512 MB of memory."""
    path = write(tmp_path, alias_bomb(12))
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (512 << 20, 512 << 20)); "
    run = subprocess.run(
        [sys.executable, "-c", limit + "from compare.cli import main; main()", "terms", "-", "--lexicon", str(path)],
        input=b"Daesh\n",
        capture_output=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    stderr = run.stderr.decode()
    assert run.returncode == 2, stderr
    assert stderr == f"mtcompare: error: {path}:3: YAML alias *l0 {ALIAS_MESSAGE}\n"


def test_anchor_without_alias_is_harmless(tmp_path: Path) -> None:
    path = write(tmp_path, "concepts:\n  isis: &i\n    forms:\n      en: {neutral: [Islamic State]}\n")
    assert Lexicon.load(path, include_default=False).forms("en", "isis")[0].text == "Islamic State"


def test_deep_nesting_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "concepts:\n  isis:\n    note: " + "[" * 40 + "]" * 40 + "\n")
    with pytest.raises(LexiconError, match=rf"^{path}:3: nesting deeper than 20 levels; a lexicon needs at most 7$"):
        Lexicon.load(path)


# --- defect 17: keys are the text written, checked as strings -------------------------------------


@pytest.mark.parametrize("key", ["2023-01-01", "12345", "1.5", "~", "0x1F", "2023-01-01 10:00:00"])
def test_concept_keys_yaml_would_not_read_as_strings(tmp_path: Path, key: str) -> None:
    body = f"concepts:\n  isis:\n    forms:\n      en: {{neutral: [Islamic State]}}\n  {key}:\n    forms: {{}}\n"
    path = write(tmp_path, body)
    with pytest.raises(LexiconError, match=rf"^{path}:5: concept id '{key}' is not accepted; use lower-case letters"):
        Lexicon.load(path)


@pytest.mark.parametrize("key", ["true", "no", "off", "yes", "null"])
def test_concept_keys_that_look_boolean_are_words(tmp_path: Path, key: str) -> None:
    path = write(tmp_path, f"concepts:\n  {key}:\n    forms:\n      en: {{neutral: [a {key} word]}}\n")
    lexicon = Lexicon.load(path, include_default=False)
    assert list(lexicon.concepts) == [key]
    assert lexicon.forms("en")[0].concept == key


def test_language_key_no_is_norwegian(tmp_path: Path) -> None:
    path = write(tmp_path, "concepts:\n  terrorist:\n    forms:\n      no: {condemning: [terrorist]}\n")
    lexicon = Lexicon.load(path, include_default=False)
    assert lexicon.languages == ("no",)


def test_numeric_language_key_has_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "concepts:\n  isis:\n    forms:\n      2023:\n        neutral: [x]\n")
    with pytest.raises(LexiconError, match=rf"^{path}:4: unknown language '2023'"):
        Lexicon.load(path)


def test_non_scalar_key_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "concepts:\n  ? [a, b]\n  : {forms: {}}\n")
    with pytest.raises(LexiconError, match=rf"^{path}:2: .*a key must be a word or a quoted string"):
        Lexicon.load(path)


def test_duplicate_keys_compared_as_written(tmp_path: Path) -> None:
    path = write(tmp_path, "concepts:\n  isis:\n    forms: {}\n  isis:\n    forms: {}\n")
    with pytest.raises(LexiconError, match=rf"^{path}:4: key 'isis' appears twice in one mapping \(first on line 2\)"):
        Lexicon.load(path)


def test_default_lexicon_still_loads() -> None:
    lexicon = Lexicon.default()
    assert all(isinstance(cid, str) for cid in lexicon.concepts)
    assert {"isis", "so_called"} <= set(lexicon.concepts)
