"""The Apertium backend against the apertium program itself."""

import subprocess

import pytest

from compare.backends import load_backend
from compare.backends.apertium import installed_modes, unknown_words
from compare.errors import UnsupportedPairError
from compare.text import segment_text


def test_modes_map_iso_codes(apertium: str) -> None:
    modes = installed_modes()
    assert modes[("en", "es")] == "eng-spa"
    assert modes[("es", "en")] == "spa-eng"
    assert modes[("en", "ca")] == "eng-cat"
    assert ("eu", "en") in modes and ("en", "eu") not in modes


def test_batch_equals_command_line_one_by_one(apertium: str, article_text: str) -> None:
    """One NUL-separated batch gives exactly what `apertium eng-spa` gives segment by segment."""
    segments = [s.text for s in segment_text(article_text, "en")][:6]
    backend = load_backend("apertium")
    batch = backend.translate(segments, "en", "es")
    for seg, got in zip(segments, batch, strict=True):
        cli = subprocess.run(["apertium", "-u", "eng-spa"], input=seg, capture_output=True, text=True, check=True)
        assert got.text == cli.stdout.strip()


def test_unknown_marks_kept_and_stripped(apertium: str) -> None:
    [out] = load_backend("apertium").translate(["Daesh Takfiri terrorists were moved."], "en", "es")
    assert "*" not in out.text
    assert out.text.startswith("Daesh Takfiri")
    assert out.unknown == ("Daesh", "Takfiri")


def test_stream_specials_survive(apertium: str) -> None:
    [out] = load_backend("apertium").translate(["Cost $5 [x] a^b {y} <tag> @me"], "en", "es")
    for literal in ("$5", "[", "]", "^", "{", "}", "<", ">", "@me"):
        assert literal in out.text


def test_final_punctuation_kept(apertium: str) -> None:
    out = load_backend("apertium").translate(["One.", "Two!", "Three?"], "en", "es")
    assert [t.text[-1] for t in out] == [".", "!", "?"]


def test_pair_missing_lists_pairs(apertium: str) -> None:
    with pytest.raises(UnsupportedPairError, match=r"apertium has no pair en→ar; it has: .*en↔es"):
        load_backend("apertium").translate(["x"], "en", "ar")


def test_unknown_words_tell_marks_from_literals() -> None:
    assert unknown_words("El *Daesh y @foo #bar", "El Daesh y foo bar") == ("Daesh", "foo", "bar")
    # A literal @ or * in the text is in the clean output too, so it is not a mark.
    assert unknown_words(r"cuesta \@me 5*3 \@1930s libras*illion", r"cuesta \@me 5*3 1930s librasillion") == (
        "1930s",
        "illion",
    )


def test_marks_inside_tokens_and_literal_at(apertium: str) -> None:
    [out] = load_backend("apertium").translate(
        ["In the 1930s at 2pm, DM @MerPolCC about the £11million deal."], "en", "es"
    )
    assert "@MerPolCC" in out.text and "2pm" in out.text and "*" not in out.text
    assert "1930s" in out.unknown and "MerPolCC" in out.unknown


def test_engine_superblanks_are_unwrapped_as_apertium_does(apertium: str) -> None:
    """en-eo's rules write apostrophes as superblanks ("[']"); the text is what `apertium -u` prints."""
    seg = "They describe the groups as 'terrorist groups' and 'mercenaries'."
    [out] = load_backend("apertium").translate([seg], "en", "eo")
    cli = subprocess.run(["apertium", "-u", "en-eo"], input=seg, capture_output=True, text=True, check=True)
    assert "[" not in out.text
    assert out.text == cli.stdout.strip()
