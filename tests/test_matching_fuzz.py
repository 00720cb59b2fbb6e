"""Fuzzing the matcher: any text Python can hold (every plane, combining marks, right-to-left scripts,
control and format characters, terminal escape sequences; no lone surrogates) gives no exception, and
every occurrence indexes the text it was found in. A term stays found whatever invisible characters
or control sequences are written next to it or inside it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from compare.matching import Occurrence, find_terms, find_terms_in_lines, matcher_for

LANGS = ["en", "ar", "fa", "ru", "tr", "de", "fr", "es", "ca", "gl", "kmr", "ckb", "he", "zh"]

# Characters that stress the tokenizer and the folding: combining marks, Arabic-script and Hebrew
# letters and marks, Han, controls, bidi and zero-width format characters, quotation marks, hyphens,
# apostrophes, geresh and gershayim, the Catalan middle dot, full-width and compatibility forms.
SPECIAL = (
    "\u0300\u0301\u0308\u0327\u064b\u064e\u0650\u0651\u0652\u05b0\u05b4\u05bc\u0670\u20dd"
    "داعشقسدالإرهابيينمیلیشیاڕژێمەکانیיםמחבלדאעשכיבוש"
    "恐怖分子伊斯兰國组织占领所谓政府"
    "\x00\x07\x08\x0b\x0c\x1b\x7f\x85\x9b\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u2028\u2029"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff\u00ad"
    "\"'“”„‟«»‘’‚‛‹›「」『』〝〞＂＇-‐‑–—/·׳״`ʼ"
    "ﷲﻻﬁ①Ⅻ\uff21\uff41ı İ ß ẞ ς"
)
ESCAPES = ["\x1b[31m", "\x1b[0m", "\x1b[1;4m", "\x1b]0;title\x07", "\x1b(B", "\x1bD", "\x07", "\x08", "\x1b", "\x9b2J"]
TERMS = [
    "Daesh", "ISIS", "so-called", "SDF militias", "terrorists", "regime", "occupation forces",
    "داعش", "ميليشيا «قسد»", "الإرهابيين", "تروریست\u200cها", "رژیم", "террористов", "ИГИЛ", "режим",
    "DEAŞ'ın", "PKK/YPG", "işgal", "Terrormiliz", "Besatzungstruppen", "Daech", "l'EI", "régimen", "règim",
    "HSD'ê", "DAIŞê", "داعشییەکان", "ڕژێمی", "מחבלים", "דאע\"ש", "הכיבוש", "恐怖分子", "叙利亚民主力量", "所谓",
]  # fmt: skip

any_char = st.characters(exclude_categories=("Cs",))  # every plane, no lone surrogates
special_char = st.sampled_from(SPECIAL)
fuzzy_text = st.lists(
    st.one_of(
        st.text(any_char, max_size=8),
        st.text(special_char, max_size=6),
        st.sampled_from(TERMS),
        st.sampled_from(ESCAPES),
        st.sampled_from([" ", "\n", " \u00ab ", " \u00bb ", "\u201c", "\u201d", ", ", ". "]),
    ),
    max_size=20,
).map("".join)


def check(text: str, occurrences: list[Occurrence]) -> None:
    previous_end = 0
    for occ in occurrences:
        assert 0 <= occ.start < occ.end <= len(text), occ
        assert text[occ.start : occ.end] == occ.text, occ
        assert occ.start >= previous_end, occurrences  # sorted, never overlapping
        previous_end = occ.end


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(any_char, max_size=200), lang=st.sampled_from(LANGS), unwatched=st.booleans())
def test_any_unicode_text(text: str, lang: str, unwatched: bool) -> None:
    check(text, find_terms(text, lang, include_unwatched=unwatched))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=fuzzy_text, lang=st.sampled_from(LANGS), unwatched=st.booleans())
def test_terms_marks_controls_and_quotes(text: str, lang: str, unwatched: bool) -> None:
    check(text, find_terms(text, lang, include_unwatched=unwatched))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=fuzzy_text, lang=st.sampled_from(LANGS))
def test_segments_of_a_document_and_lines(text: str, lang: str) -> None:
    document = text + "\n" + text[::-1]
    for segment in document.split("\n"):
        check(segment, matcher_for(lang).find(segment, document=document))
    lines = document.split("\n")
    for no, occ in find_terms_in_lines(document, lang):
        line = lines[no - 1]
        assert line[occ.start : occ.end] == occ.text


# A term alone, then with invisible characters or control sequences around it and between its
# characters: the same concept is still found, at offsets that index the new text.
SINGLE_TERMS = [
    ("en", "Daesh", "isis"),
    ("en", "terrorists", "terrorist"),
    ("en", "Islamic State", "isis"),
    ("ar", "داعش", "isis"),
    ("ar", "الإرهابيين", "terrorist"),
    ("fa", "تروریست", "terrorist"),
    ("ru", "террористы", "terrorist"),
    ("tr", "DEAŞ", "isis"),
    ("de", "Terroristen", "terrorist"),
    ("fr", "terroristes", "terrorist"),
    ("kmr", "terorîstan", "terrorist"),
    ("ckb", "تیرۆریست", "terrorist"),
    ("he", "מחבלים", "terrorist"),
    ("zh", "恐怖分子", "terrorist"),
]
INVISIBLE = [
    "\u00ad",
    "\u200b",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u200e",
    "\u202e",
    "\u2066",
    "\u2069",
    "\x1b[31m",
    "\x07",
    "\x08",
]


@settings(max_examples=300, deadline=None)
@given(
    case=st.sampled_from(SINGLE_TERMS),
    before=st.sampled_from(["", " ", "\x1b[31m", "\x07", "\u202e", "\u2067", "\x1b[1m ", "( "]),
    after=st.sampled_from(["", " ", "\x1b[0m", "\x07", "\u202c", "\u2069", ".", " )"]),
    inserts=st.lists(st.tuples(st.integers(min_value=1), st.sampled_from(INVISIBLE)), max_size=2),
)
def test_a_term_survives_invisible_characters(
    case: tuple[str, str, str], before: str, after: str, inserts: list[tuple[int, str]]
) -> None:
    lang, term, concept = case
    cuts = {1 + position % (len(term) - 1): char for position, char in inserts}  # strictly inside the term
    assume(all(term[cut - 1] != " " and term[cut] != " " for cut in cuts))
    word = term
    for cut in sorted(cuts, reverse=True):  # between two characters of the term, never inside an insert
        word = word[:cut] + cuts[cut] + word[cut:]
    text = f"{before}{word}{after}"
    found = find_terms(text, lang)
    check(text, found)
    hits = [o for o in found if o.concept == concept]
    assert len(hits) == 1, (text, found)
    assert hits[0].start == len(before) and hits[0].end == len(before) + len(word)


@pytest.mark.parametrize(
    ("lang", "text", "term"),
    [
        ("en", "\x1b[31mISIS\x1b[0m claims the attack", "ISIS"),
        ("en", "the\x07 militants", "militants"),
        ("en", "Dae\x08sh", "Dae\x08sh"),
        ("en", "the \x1b[1mIslamic\x1b[0m State", "Islamic\x1b[0m State"),
        ("he", "\u202bמחבלי חמאס", "מחבלי"),
        ("ar", "\u202eداعش\u202c", "داعش"),
        ("zh", "\x1b[33m恐怖分子\x1b[0m", "恐怖分子"),
    ],
)
def test_terms_next_to_control_sequences(lang: str, text: str, term: str) -> None:
    found = find_terms(text, lang)
    assert [o.text for o in found] == [term]
    assert found[0].start == text.index(term)
