"""The lexicon: the shipped default, merging files, and an error at FILE:LINE for each kind of mistake."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from compare.errors import LexiconError
from compare.lexicon import FRAME_RANKS, FRAMES, Lexicon, canonical_lang, frame_change, frame_rank

DATA = Path(__file__).parent / "data" / "lexicons"

CONCEPTS = ("isis", "sdf", "occupation", "terrorist", "terrorism", "militia", "regime", "takfiri", "so_called")
LANGUAGES = ("en", "ar", "fa", "ru", "tr", "de", "fr", "es", "ca", "gl", "kmr", "ckb", "he", "zh")


@pytest.fixture(scope="module")
def default() -> Lexicon:
    return Lexicon.default()


def test_default_is_loaded_once(default: Lexicon) -> None:
    assert Lexicon.default() is default
    assert default.sources == ("compare/lexicon/default.yaml",)


@pytest.mark.parametrize("concept", CONCEPTS)
def test_default_has_every_concept_in_every_language(default: Lexicon, concept: str) -> None:
    assert concept in default
    missing = [lang for lang in LANGUAGES if not default.forms(lang, concept)]
    assert missing == []


def test_default_languages(default: Lexicon) -> None:
    assert set(LANGUAGES) <= set(default.languages)


@pytest.mark.parametrize(
    ("lang", "text", "concept", "frame"),
    [
        ("en", "Daesh", "isis", "delegitimising"),
        ("en", "ISIS", "isis", "neutral"),
        ("en", "Islamic State", "isis", "self_designation"),
        ("en", "terrorist", "terrorist", "condemning"),
        ("en", "militant", "terrorist", "neutral"),
        ("en", "extremist", "takfiri", "delegitimising"),
        ("en", "regime", "regime", "delegitimising"),
        ("en", "government", "regime", "neutral"),
        ("en", "occupation forces", "occupation", "condemning"),
        ("en", "deployment", "occupation", "neutral"),
        ("en", "so-called", "so_called", "delegitimising"),
        ("ar", "داعش", "isis", "delegitimising"),
        ("fa", "رژیم", "regime", "delegitimising"),
        ("ru", "правительство", "regime", "neutral"),
        ("tr", "DEAŞ", "isis", "delegitimising"),
        ("de", "Besatzungstruppen", "occupation", "condemning"),
        ("fr", "Daech", "isis", "delegitimising"),
        ("es", "régimen", "regime", "delegitimising"),
    ],
)
def test_framing_labels_of_the_default(default: Lexicon, lang: str, text: str, concept: str, frame: str) -> None:
    form = default.lookup(text, lang)
    assert form is not None
    assert (form.concept, form.frame) == (concept, frame)


def test_lookup_folds_case_accents_and_spelling(default: Lexicon) -> None:
    assert default.lookup("SO CALLED", "en").text == "so-called"
    assert default.lookup("Dáesh", "es").text == "Daesh"
    assert default.lookup("no such word", "en") is None


def test_unwatched_forms_are_marked(default: Lexicon) -> None:
    assert default.lookup("troops", "en").watch is False
    assert default.lookup("government", "en").watch is True
    assert default.lookup("IS", "en").case_sensitive is True


def test_form_sources_name_file_and_line(default: Lexicon) -> None:
    form = default.lookup("Daesh", "en")
    assert re.fullmatch(r"compare/lexicon/default\.yaml:\d+", form.source)


def test_frame_scale() -> None:
    assert FRAMES == ("condemning", "delegitimising", "neutral", "legitimising", "self_designation")
    assert [frame_rank(label) for label in FRAMES] == [-2, -1, 0, 1, 1]
    assert FRAME_RANKS["self_designation"] == FRAME_RANKS["legitimising"]


@pytest.mark.parametrize(
    ("old", "new", "change"),
    [
        ("condemning", "neutral", "softened"),  # terrorists → militants
        ("delegitimising", "self_designation", "softened"),  # Daesh → Islamic State
        ("neutral", "delegitimising", "intensified"),  # government → regime
        ("neutral", "condemning", "intensified"),
        ("neutral", "neutral", "same_frame"),  # ISIS → ISIL: a same-frame swap, not the label "neutral"
        ("legitimising", "self_designation", "same_frame"),
    ],
)
def test_frame_change(old: str, new: str, change: str) -> None:
    assert frame_change(old, new) == change


def test_frame_rank_rejects_unknown_labels() -> None:
    with pytest.raises(LexiconError, match=r"unknown framing label 'hostile'; accepted: condemning"):
        frame_rank("hostile")


@pytest.mark.parametrize(("code", "expected"), [("arb", "ar"), ("ku", "kmr"), ("eng", "en"), ("zh-CN", "zh-CN")])
def test_canonical_lang(code: str, expected: str) -> None:
    assert canonical_lang(code) == expected


@pytest.mark.parametrize(("lang", "resolved"), [("arb", "ar"), ("zho-CN", "zh"), ("ckb-Arab", "ckb"), ("ku", "kmr")])
def test_resolve_lang(default: Lexicon, lang: str, resolved: str) -> None:
    assert default.resolve_lang(lang) == resolved


def test_resolve_lang_without_forms(default: Lexicon) -> None:
    with pytest.raises(LexiconError, match=r"no forms for language 'sw'; languages: ar, ca"):
        default.resolve_lang("sw")


# --- merging ------------------------------------------------------------------------------------


def test_later_files_extend_and_override() -> None:
    lexicon = Lexicon.load(DATA / "base.yaml", DATA / "extend.yaml", include_default=False)
    isis = lexicon.concepts["isis"]
    assert [f.text for f in isis.forms["en"]] == ["Daesh", "ISIS", "Islamic State", "ISIL"]
    assert [f.text for f in isis.forms["es"]] == ["Daesh", "Estado Islámico"]
    assert isis.gloss == "the group"  # kept: the extending file has none
    militant = lexicon.lookup("militant", "en")
    assert (militant.frame, militant.source) == ("delegitimising", f"{DATA / 'extend.yaml'}:15")
    extremist = lexicon.lookup("extremist", "en")
    assert extremist.concept == "terrorist"  # moved from takfiri
    assert [f.text for f in lexicon.forms("en", "takfiri")] == ["Takfiri"]
    assert lexicon.sources == (str(DATA / "base.yaml"), str(DATA / "extend.yaml"))


def test_user_file_on_top_of_the_default() -> None:
    lexicon = Lexicon.load(DATA / "extend.yaml")
    assert lexicon.lookup("militant", "en").frame == "delegitimising"
    assert lexicon.lookup("داعش", "ar") is not None  # the default's forms are still there
    assert Lexicon.default().lookup("militant", "en").frame == "neutral"  # the default is untouched


def test_to_dict_round_trips(tmp_path: Path) -> None:
    import yaml

    lexicon = Lexicon.load(DATA / "base.yaml", DATA / "extend.yaml", include_default=False)
    path = tmp_path / "merged.yaml"
    path.write_text(yaml.safe_dump(lexicon.to_dict(), allow_unicode=True), encoding="utf-8")
    again = Lexicon.load(path, include_default=False)
    assert again.to_dict() == lexicon.to_dict()


def test_default_round_trips(tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "default.yaml"
    path.write_text(yaml.safe_dump(Lexicon.default().to_dict(), allow_unicode=True), encoding="utf-8")
    assert Lexicon.load(path, include_default=False).to_dict() == Lexicon.default().to_dict()


# --- errors at FILE:LINE ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [
        ("syntax_error.yaml", 7, r"YAML syntax error"),
        ("unknown_frame.yaml", 8, r"unknown framing label 'hostile' .*; accepted: condemning \(-2\), delegitimising"),
        (
            "two_concepts.yaml",
            13,
            r"form 'Extremist' \(en\) is listed under concept 'takfiri' and under 'terrorist' "
            r"\(line 6\); a form belongs to one concept per language",
        ),
        ("unknown_language.yaml", 9, r"unknown language 'xx' — did you mean 'xh'\?; languages are ISO 639 codes"),
        ("unknown_key.yaml", 8, r"unknown key 'case_sensitve' in a form entry; accepted: form, case_sensitive"),
        ("duplicate_key.yaml", 7, r"key 'isis' appears twice in one mapping \(first on line 3\)"),
        ("bad_value.yaml", 7, r"case_sensitive: expected true or false, got 'yes'"),
    ],
)
def test_bad_lexicons_name_file_and_line(name: str, line: int, message: str) -> None:
    path = DATA / name
    with pytest.raises(LexiconError) as caught:
        Lexicon.load(path, include_default=False)
    text = str(caught.value)
    assert text.startswith(f"{path}:{line}: "), text
    assert re.search(message, text), text


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("", 1, "empty lexicon"),
        ("- a\n- b\n", 1, "expected a mapping"),
        ("version: 2\nconcepts: {}\n", 1, "unsupported lexicon version 2; accepted: 1"),
        ("concepts:\n  ok: {forms: {}}\n  Bad-Id:\n    forms: {}\n", 3, "concept id 'Bad-Id' is not accepted"),
        ("concepts:\n  x:\n    forms:\n      en:\n        neutral: ['  ']\n", 5, "empty form"),
        ("concepts:\n  x:\n    forms:\n      en:\n        neutral: [a, A]\n", 5, "listed twice for en in concept 'x'"),
        ("concepts:\n  x:\n    forms:\n      en:\n        neutral: ['--']\n", 5, "has no letters"),
        ("concepts:\n  x:\n    colour: red\n    forms: {}\n", 3, "unknown key 'colour' in concept 'x'"),
        (
            "concepts:\n  x:\n    forms:\n      en:\n        neutral: [{form: a, compound: left}]\n",
            5,
            "compound must be",
        ),
    ],
)
def test_more_mistakes(tmp_path: Path, body: str, line: int, message: str) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(LexiconError) as caught:
        Lexicon.load(path, include_default=False)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert message in str(caught.value)


def test_missing_file() -> None:
    with pytest.raises(LexiconError, match="nope.yaml: lexicon file not found"):
        Lexicon.load("nope.yaml")


def test_lexicon_error_exit_code() -> None:
    assert LexiconError.exit_code == 2


# --- names and absorption ---------------------------------------------------------------------------


def test_names_and_absorbs(tmp_path) -> None:
    path = tmp_path / "names.yaml"
    path.write_text(
        "concepts:\n"
        "  group:\n"
        "    names: true\n"
        "    absorbs: [gang]\n"
        "    forms:\n"
        "      en:\n"
        "        neutral: [Acme Front, {form: acme fighter, name: false}]\n"
        "  gang:\n"
        "    forms:\n"
        "      en:\n"
        "        condemning: [gang]\n",
        encoding="utf-8",
    )
    lexicon = Lexicon.load(path, include_default=False)
    forms = {f.text: f for f in lexicon.forms("en")}
    assert forms["Acme Front"].name and not forms["acme fighter"].name and not forms["gang"].name
    assert lexicon.concepts["group"].absorbs == ("gang",)
    assert lexicon.to_dict()["concepts"]["group"]["absorbs"] == ["gang"]
    assert forms["Acme Front"].to_dict() == {"form": "Acme Front", "name": True}
    from compare.matching import find_terms

    found = find_terms("the Acme Front gangs", "en", lexicon)
    assert [(o.text, o.concept, o.frame) for o in found] == [("Acme Front gangs", "group", "condemning")]


def test_absorbs_must_name_concept_ids(tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("concepts:\n  x:\n    absorbs: [Not An Id]\n    forms:\n      en:\n        neutral: [x]\n")
    with pytest.raises(LexiconError, match="bad.yaml:3"):
        Lexicon.load(path, include_default=False)


def test_default_lexicon_marks_names() -> None:
    lexicon = Lexicon.default()
    assert lexicon.lookup("Daesh", "en").name and lexicon.lookup("SDF", "en").name
    assert not lexicon.lookup("terrorist", "en").name and not lexicon.lookup("Kurdish militia", "en").name
    assert lexicon.concepts["sdf"].absorbs == ("militia",)


def test_the_shipped_lexicon_passes_the_schema() -> None:
    """Loading skips the schema check for the shipped file (it costs a tenth of a second a process): here it is
    checked, as every other lexicon file is when it is loaded."""
    from compare.lexicon.loader import _check_schema, _default_document, _loader_class

    name, text = _default_document()
    loader = _loader_class()(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root)
    finally:
        loader.dispose()
    _check_schema(name, root, data)  # raises LexiconError with FILE:LINE on any violation
    broken = text.replace("concepts:", "concepts_misspelt:", 1)
    with pytest.raises(LexiconError, match=r"default\.yaml-edited:\d+: "):
        Lexicon.from_documents([(name + "-edited", broken)])
