"""Tracing loaded terms through the hops of a path and classifying what became of them.

For each source occurrence of a lexicon concept, on each path: the form found in every pivot (or
``None``, or ``"untranslated"`` when the engine passed the word through unknown), and the outcome in
the back-translation:

* ``kept`` — the same form came back;
* ``variant`` — another form of the same concept, with ``frame_change`` softened / intensified / neutral;
* ``replaced`` — no form of the concept, but the aligned back-translated text (``replacement``) stands
  where the term stood; the alignment is computed on lemmas of the source and back-translated segment,
  which are in the same language;
* ``dropped`` — nothing in the back-translation aligns with the term;
* ``added`` — a watched term in the back-translation with no counterpart in the source (``replacement``
  then holds the source text that it aligns with).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from difflib import SequenceMatcher
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .results import Hop, Path, RoundTrip, Shift

if TYPE_CHECKING:
    from .lexicon import Lexicon
    from .matching import Occurrence

STATUSES = ("kept", "variant", "replaced", "dropped", "added")
UNTRANSLATED = "untranslated"
_TOKEN = re.compile(r"\w+(?:['’-]\w+)*", re.UNICODE)


# --- alignment of a source span with the back-translation --------------------------------------------


@lru_cache(maxsize=4096)
def _lemma(token: str, lang: str) -> str:
    import simplemma

    low = token.lower()
    try:
        return simplemma.lemmatize(low, lang=lang).lower()
    except ValueError:  # a language simplemma does not know
        return low


def _tokens(text: str, lang: str) -> tuple[list[tuple[int, int]], list[str]]:
    spans = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    return spans, [_lemma(text[a:b], lang) for a, b in spans]


def align_span(source: str, target: str, start: int, end: int, lang: str) -> str | None:
    """The text of ``target`` that aligns with ``source[start:end]`` (both in language ``lang``).

    Tokens are compared by lemma with difflib; inside a replaced block, positions map proportionally.
    Returns ``None`` when the span aligns with nothing (it was deleted).
    """
    src_spans, src_lemmas = _tokens(source, lang)
    tgt_spans, tgt_lemmas = _tokens(target, lang)
    inside = [k for k, (a, b) in enumerate(src_spans) if a < end and b > start]
    if not inside or not tgt_spans:
        return None
    first, last = inside[0], inside[-1] + 1
    hit: list[int] = []
    unmatched: list[tuple[int, int, int, int, int]] = []  # (source token, block i1, i2, j1, j2)
    matcher = SequenceMatcher(a=src_lemmas, b=tgt_lemmas, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        for k in range(max(i1, first), min(i2, last)):
            if op == "equal":
                hit.append(j1 + k - i1)
            elif op == "replace":
                unmatched.append((k, i1, i2, j1, j2))
    for k, i1, i2, j1, j2 in unmatched:
        # A word of the span that recurs nearby anchors it ("Kurdish militias" -> "militias of
        # Kurdish"); otherwise its position in the replaced block maps proportionally.
        lo, hi = (min(hit) - 3, max(hit) + 4) if hit else (j1, j2)
        near = [j for j in range(max(lo, 0), min(hi, len(tgt_lemmas))) if tgt_lemmas[j] == src_lemmas[k]]
        if near:
            hit.append(near[0])
        else:
            scale = (j2 - j1) / (i2 - i1)
            a = j1 + int((k - i1) * scale)
            hit += range(a, max(a + 1, j1 + round((k - i1 + 1) * scale)))
    if not hit:
        return None
    return target[tgt_spans[min(hit)][0] : tgt_spans[max(hit)][1]]


# --- pairing occurrences of one concept across two texts ---------------------------------------------


def _pair(
    left: Sequence[Occurrence],
    left_len: int,
    right: Sequence[Occurrence],
    right_len: int,
    preferred: set[int] | None = None,
) -> dict[int, int]:
    """Pair occurrences of the same concept; {left index: right index}.

    Right-hand occurrences in ``preferred`` (the watched ones) are taken first, then the nearest by
    relative position, so a generic counterpart ("forces") only stands in when no watched form does.
    """
    candidates = []
    for i, a in enumerate(left):
        for j, b in enumerate(right):
            if a.concept == b.concept:
                distance = abs(a.start / max(left_len, 1) - b.start / max(right_len, 1))
                rank = 0 if preferred is None or j in preferred else 1
                candidates.append((rank, distance, i, j))
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for _, _, i, j in sorted(candidates):
        if i not in pairs and j not in used:
            pairs[i] = j
            used.add(j)
    return pairs


def _find_all(text: str, lang: str, lexicon: Lexicon) -> tuple[list[Occurrence], set[int]]:
    """Every form of the lexicon in ``text``, and the indices of the watched ones among them.

    Unwatched forms (generic counterparts such as "troops", "forces") are what a term may have become;
    they are never reported as occurrences of their own.
    """
    from .matching import find_terms

    every = find_terms(text, lang, lexicon, include_unwatched=True)
    watched = {(o.start, o.end, o.concept) for o in find_terms(text, lang, lexicon)}
    return every, {k for k, o in enumerate(every) if (o.start, o.end, o.concept) in watched}


def _same_form(a: Occurrence, b: Occurrence) -> bool:
    return a.form == b.form


def _pivot_form(
    occurrence: Occurrence, pair: int | None, found: Sequence[Occurrence], unknown: Sequence[str]
) -> tuple[str | None, str | None]:
    """(form, text) of the concept in a pivot hop; ``untranslated`` when the engine passed it through.

    A form counts as untranslated when every word of it is one the engine marked unknown ("SDF" in
    "SDF milicias"), not when only a part is ("Kurdish milicias" is a Spanish rendering).
    """
    unknown_set = set(unknown)
    if pair is not None:
        hit = found[pair]
        words = _TOKEN.findall(hit.text)
        if words and unknown_set.issuperset(words):
            return UNTRANSLATED, hit.text
        return hit.form, hit.text
    words = _TOKEN.findall(occurrence.text)
    if words and unknown_set.issuperset(words):
        return UNTRANSLATED, occurrence.text
    return None, None


# --- tracing -----------------------------------------------------------------------------------------


def trace_segment(
    segment_id: int,
    source: str,
    hops: Sequence[Hop],
    source_lang: str,
    lexicon: Lexicon,
) -> list[Shift]:
    """The shifts of one segment along one path (the last hop is the back-translation)."""
    from .lexicon import frame_change
    from .matching import find_terms

    back_hop = hops[-1]
    back = back_hop.segments[segment_id]
    src_occ = find_terms(source, source_lang, lexicon)
    back_occ, back_watched = _find_all(back, back_hop.lang, lexicon)
    pivots = []
    for hop in hops[:-1]:
        text = hop.segments[segment_id]
        found, watched = _find_all(text, hop.lang, lexicon)
        pivots.append((found, _pair(src_occ, len(source), found, len(text), watched), hop.unknown[segment_id]))
    to_back = _pair(src_occ, len(source), back_occ, len(back), back_watched)

    shifts: list[Shift] = []
    for i, occ in enumerate(src_occ):
        pivot_forms, pivot_texts = [], []
        for found, pairs, unknown in pivots:
            form, text = _pivot_form(occ, pairs.get(i), found, unknown)
            pivot_forms.append(form)
            pivot_texts.append(text)
        common: dict[str, Any] = {
            "segment": segment_id,
            "concept": occ.concept,
            "source_form": occ.form,
            "source_text": occ.text,
            "source_frame": occ.frame,
            "pivot_forms": tuple(pivot_forms),
            "pivot_texts": tuple(pivot_texts),
        }
        j = to_back.get(i)
        if j is not None:
            hit = back_occ[j]
            kept = _same_form(occ, hit)
            shifts.append(
                Shift(
                    **common,
                    back_form=hit.form,
                    back_text=hit.text,
                    back_frame=hit.frame,
                    status="kept" if kept else "variant",
                    frame_change=None if kept else frame_change(occ.frame, hit.frame),
                )
            )
            continue
        aligned = align_span(source, back, occ.start, occ.end, source_lang)
        shifts.append(
            Shift(
                **common,
                back_form=None,
                back_text=None,
                back_frame=None,
                status="replaced" if aligned else "dropped",
                replacement=aligned,
            )
        )
    paired_back = set(to_back.values())
    for j, hit in enumerate(back_occ):
        if j in paired_back or j not in back_watched:
            continue
        shifts.append(
            Shift(
                segment=segment_id,
                concept=hit.concept,
                source_form=None,
                source_text=None,
                source_frame=None,
                pivot_forms=tuple(None for _ in pivots),
                back_form=hit.form,
                back_text=hit.text,
                back_frame=hit.frame,
                status="added",
                replacement=align_span(back, source, hit.start, hit.end, source_lang),
                pivot_texts=tuple(None for _ in pivots),
            )
        )
    return shifts


def trace_path(path: Path, segments: Sequence[Any], lexicon: Lexicon | None = None) -> Path:
    """``path`` with its ``shifts`` filled in, segment by segment."""
    from .lexicon import Lexicon

    lexicon = lexicon or Lexicon.default()
    shifts: list[Shift] = []
    for seg in segments:
        shifts += trace_segment(seg.id, seg.text, path.hops, path.source_lang, lexicon)
    return replace(path, shifts=tuple(shifts))


def trace_roundtrip(result: RoundTrip, lexicon: Lexicon | None = None) -> RoundTrip:
    """Every path of ``result`` traced; only paths that end in the source language are round trips."""
    from .lexicon import Lexicon

    lexicon = lexicon or Lexicon.default()
    paths = tuple(
        trace_path(p, result.segments, lexicon) if p.back.lang == result.source_lang else p for p in result.paths
    )
    return replace(result, paths=paths)


# --- summaries and tidy tables -------------------------------------------------------------------------


def summary(result: RoundTrip) -> list[dict[str, Any]]:
    """Counts per concept and path: one row each, with a column per status."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for path in result.paths:
        for s in path.shifts:
            row = rows.setdefault(
                (s.concept, path.name), {"concept": s.concept, "path": path.name, **{k: 0 for k in STATUSES}}
            )
            row[s.status] += 1
    return sorted(rows.values(), key=lambda r: (r["concept"], r["path"]))


def tidy(result: RoundTrip) -> list[dict[str, Any]]:
    """One flat row per occurrence and path, ready for ``pandas.DataFrame(tidy(result))``."""
    rows = []
    for path in result.paths:
        for s in path.shifts:
            row: dict[str, Any] = {"path": path.name, "backends": "+".join(path.backends)}
            d = s.to_dict()
            forms, texts = d.pop("pivot_forms"), d.pop("pivot_texts")
            row.update(d)
            for k, (pivot, form, text) in enumerate(zip(path.pivots, forms, texts), 1):
                row[f"pivot{k}_lang"] = pivot
                row[f"pivot{k}_form"] = form
                row[f"pivot{k}_text"] = text
            rows.append(row)
    return rows


def to_dataframe(result: RoundTrip) -> Any:
    """The tidy table as a pandas DataFrame (pandas imported here, only when asked for)."""
    import pandas as pd

    return pd.DataFrame(tidy(result))
