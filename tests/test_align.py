"""Word alignment: Apertium's own links (word-bound blanks, real Apertium), their storage, and the fallbacks."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from compare.align import by_lemmas, by_position, content_lemmas, near_lemmas, through_links, trim
from compare.backends import load_backend
from compare.backends.apertium import read_tagged, tag_units
from compare.cache import TranslationCache
from compare.lexicon import Lexicon
from compare.results import Hop, HopSignature, Translation


def linked(source: str, out: Translation, word: str) -> set[str]:
    """The target words that the source word ``word`` is linked to."""
    start = source.index(word)
    return {out.text[c:d] for a, b, c, d in out.alignment if a < start + len(word) and start < b}


@pytest.mark.parametrize(
    ("pivot", "word", "expected"),
    [
        ("ca", "militias", {"Milícies"}),
        ("ca", "Kurdish", {"de kurd"}),  # the preposition Apertium inserts belongs to the word it governs
        ("es", "Forces", {"Fuerzas"}),
        ("es", "Syrian", {"sirias"}),
        ("gl", "Democratic", {"Democráticas"}),
        ("eo", "militias", {"milicioj"}),
    ],
)
def test_apertium_links_words_to_their_translation(apertium: str, pivot: str, word: str, expected: set[str]) -> None:
    source = "Kurdish militias attacked the so-called Syrian Democratic Forces."
    [out] = load_backend("apertium").translate([source], "en", pivot)
    assert linked(source, out, word) == expected
    for a, b, c, d in out.alignment:  # every link indexes both texts
        assert 0 <= a < b <= len(source) and 0 <= c < d <= len(out.text)


def test_apertium_aligned_text_equals_its_command_line(apertium: str) -> None:
    import subprocess

    source = "It has arisen because of plans to change the name of the assembly to the Welsh Parliament."
    [out] = load_backend("apertium").translate([source], "en", "es")
    plain = subprocess.run(
        ["apertium", "-u", "eng-spa"], input=source, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out.text == plain  # multi-word units ("because of") are formed before the tags go in
    assert linked(source, out, "because of") == {"debido a"}


def test_stream_specials_and_marks_keep_their_links(apertium: str) -> None:
    source = "Cost $5 [x] a^b {y} @me"
    [out] = load_backend("apertium").translate([source], "en", "es")
    assert "$5" in out.text and "[x]" in out.text and "@me" in out.text
    assert out.alignment and "@me" not in out.unknown


def test_tag_units_and_read_tagged() -> None:
    analysed = r"^Kurdish/*Kurdish$ ^militias/militia<n><pl>$ ^\@me/*\@me$\^x"
    tagged, spans = tag_units(analysed, "Kurdish militias @me^x", 10)
    assert tagged.startswith("[[10]]^Kurdish/") and "[[12]]^\\@me" in tagged and tagged.endswith("\\^x")
    assert spans == [(0, 7), (8, 16), (17, 20)]
    raw, text, groups = read_tagged(" [[11]]Las[[/]] [[11]]milicias[[/]] \\@[[12]]me[[/]]\n")
    assert (raw, text) == ("Las milicias \\@me", "Las milicias @me")
    assert groups == [(0, 3, ("11",)), (4, 12, ("11",)), (14, 16, ("12",))]


def test_cache_keeps_links_and_upgrades_an_old_cache(tmp_path: Path) -> None:
    sig = HopSignature("apertium", "en", "es", "eng-spa")
    old = tmp_path / "old.sqlite"
    db = sqlite3.connect(old)
    db.execute(
        "CREATE TABLE translations (key TEXT PRIMARY KEY, signature TEXT NOT NULL, source TEXT NOT NULL,"
        " target TEXT NOT NULL, unknown TEXT NOT NULL)"
    )
    db.commit()
    db.close()
    with TranslationCache(old) as cache:
        cache.put_many(sig, ["a b"], [Translation("x y", (), ((0, 1, 0, 1), (2, 3, 2, 3)))])
        assert cache.get_many(sig, ["a b"]) == [Translation("x y", (), ((0, 1, 0, 1), (2, 3, 2, 3)))]


def test_cached_translation_without_links_is_translated_again(apertium: str, tmp_path: Path) -> None:
    backend = load_backend("apertium")
    sig = backend.hop_signature("en", "es")
    with TranslationCache(tmp_path) as cache:
        cache.put_many(sig, ["The terrorists fled."], [Translation("STALE")])
        [out] = backend.translate(["The terrorists fled."], "en", "es", cache=cache)
        assert out.text != "STALE" and out.alignment


def test_hop_alignment_json_round_trip() -> None:
    hop = Hop("es", "en", "apertium", ("x y",), ((),), HopSignature("apertium", "en", "es", "m"), (((0, 1, 0, 1),),))
    assert Hop.from_dict(json.loads(json.dumps(hop.to_dict()))) == hop
    assert hop.links(0) == ((0, 1, 0, 1),) and hop.links(5) == ()


def test_engine_gap_takes_the_words_between_linked_neighbours() -> None:
    source = "the so-called Syrian Forces"
    target = "la laŭdiraj siriaj Fortoj"
    links = [(0, 3, 0, 2), (21, 27, 19, 25)]  # "the" and "Forces" linked, the rest not
    proj = through_links(links, source, target, [(4, 13)])
    assert proj.text(target) == "laŭdiraj" and proj.method == "engine+gap" and proj.confidence < 1


def test_lemma_alignment_and_positions() -> None:
    src = "maintained by allied Kurdish militias of the so-called Syrian"
    back = "maintained for militias of Kurdish aliar of the so-nicknamed Syrian"
    start = src.index("Kurdish militias")
    assert by_lemmas(src, back, [(start, start + 16)], "en").text(back) == "militias of Kurdish"
    proj = by_position("a b c d", "w x y z", [(2, 3)])
    assert proj.text("w x y z") == "x" and proj.method == "position"


def test_content_lemmas_ignore_order_and_function_words() -> None:
    lexicon = Lexicon.default()
    assert content_lemmas("Kurdish militias", "en", lexicon) == content_lemmas("the militias of Kurdish", "en", lexicon)
    # "so" is a stop word, but the first word of a lexicon form ("so-called"); "of"/"the" stay stop words.
    assert "so" in content_lemmas("so-called", "en", lexicon)
    assert content_lemmas("the Islamic State group", "en", lexicon) >= {"state", "group"}
    assert content_lemmas("el llamado", "es", lexicon) == content_lemmas("llamado", "es", lexicon)
    # An elided article is a function word; an inflection of a form's head word is not ("groups").
    assert content_lemmas("l'administració", "ca", lexicon) == content_lemmas("administració", "ca", lexicon)
    assert content_lemmas("terrorist groups", "en", lexicon) == {"terrorist", "group"}


def test_near_lemmas_spelling_and_name_endings() -> None:
    assert near_lemmas("organisation", "organization")  # one letter in a long word
    assert not near_lemmas("organisation", "organisational")  # a derivation of a common noun is another word
    assert near_lemmas("sdf", "sdfajn", name=True)  # a name with an ending glued on
    assert not near_lemmas("sdf", "sdfajn")


def test_trim_drops_edge_function_words_only() -> None:
    text = "de l'així que-anomenat Forces"
    assert trim("Los terroristas", (0, 15), "es") == (4, 15)
    assert trim("tan-chamado", (0, 11), "gl") == (0, 11)  # joined by a hyphen: stays whole
    assert trim(text, (0, 22), "ca") == (5, 22)  # "de" and the elided "l'" go; "així" is part of the calque
    assert trim("d'administració", (0, 15), "ca") == (2, 15)
    assert trim("través d'ISIS", (0, 13), "ca") == (0, 13)  # a longer function word stays
    assert trim("the", (0, 3), "en") == (0, 3)  # nothing but function words: left as it is
