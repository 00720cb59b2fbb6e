"""Fuzzing the shift tracer (issue 7, "Also"): arbitrary Unicode in the source, the pivot and the
back-translation — every plane, combining marks, right-to-left text, control characters, quotation
marks, loaded terms in several languages — gives no exception; every row's spans index the texts
they name, and every source occurrence of the matcher has exactly one row."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compare.lexicon import Lexicon
from compare.matching import find_terms
from compare.results import Hop, HopSignature
from compare.shifts import trace_segment

from .test_matching_fuzz import ESCAPES, SPECIAL, TERMS, any_char

piece = st.one_of(
    st.text(any_char, max_size=6),
    st.text(st.sampled_from(SPECIAL), max_size=5),
    st.sampled_from(TERMS),
    st.sampled_from(ESCAPES),
    st.sampled_from([" ", " the ", " of ", "“", "”", "'", "‘", "’", "«", "»", ", ", ". ", "-"]),
)
text = st.lists(piece, max_size=14).map("".join)
# Links as an engine could give them: any four numbers, inside or outside the texts.
link = st.tuples(*(st.integers(min_value=-3, max_value=80) for _ in range(4)))


def hop(lang: str, prev: str, out: str, links: list[tuple[int, int, int, int]]) -> Hop:
    return Hop(lang, prev, "fuzz", (out,), ((),), HopSignature("fuzz", prev, lang, "hand"), alignment=(tuple(links),))


def inside(span: tuple[int, int] | None, s: str) -> bool:
    return span is None or 0 <= span[0] <= span[1] <= len(s)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    source=text,
    pivot=text,
    back=text,
    pivot_lang=st.sampled_from(["es", "ar", "zh", "ru", "he"]),
    links1=st.lists(link, max_size=4),
    links2=st.lists(link, max_size=4),
)
def test_tracer_on_arbitrary_unicode(
    source: str, pivot: str, back: str, pivot_lang: str, links1: list, links2: list
) -> None:
    lexicon = Lexicon.default()
    # Engine links must point into the texts; out-of-range ones are dropped as a backend would never give them.
    links1 = [k for k in links1 if 0 <= k[0] < k[1] <= len(source) and 0 <= k[2] < k[3] <= len(pivot)]
    links2 = [k for k in links2 if 0 <= k[0] < k[1] <= len(pivot) and 0 <= k[2] < k[3] <= len(back)]
    hops = [hop(pivot_lang, "en", pivot, links1), hop("en", pivot_lang, back, links2)]
    shifts = trace_segment(0, source, hops, "en", lexicon)
    for s in shifts:
        assert inside(s.source_span, source), s
        assert inside(s.back_span, back), s
        for span in s.pivot_spans:
            assert inside(span, pivot), s
        if s.source_span and s.source_text is not None:
            assert source[s.source_span[0] : s.source_span[1]] == s.source_text, s
    rows = [s for s in shifts if s.status != "added"]
    assert len(rows) == len(find_terms(source, "en", lexicon))
