"""Tracing loaded terms through the hops of a path and classifying what became of them.

Each source occurrence is followed through the hops by word alignment (:mod:`compare.align`: the
engine's own links where it gives them, Apertium's word-bound blanks; lemma alignment between the
source and the back-translation otherwise). Per pivot the row gives the aligned span, always, and
the concept's form found in it (or ``"untranslated"``). In the back-translation only what is aligned
with the term counts, never another occurrence elsewhere in the segment:

* ``kept`` — the same form came back, or the same content words in any order, with articles or
  prepositions added or lost ("Kurdish militias" → "militias of Kurdish"); a scare quote is kept
  when the words it enclosed come back enclosed by any quotation marks;
* ``variant`` — another form of the same concept, with ``frame_change`` softened / intensified /
  same_frame (another form with the same framing label: a same-frame swap);
* ``replaced`` — the aligned text holds no form of the concept: either a form of another concept
  (``back_concept``, with ``frame_change``: one linked row, "Kurdish militias" → "militias" is
  sdf → militia) or unlisted words (``replacement``);
* ``dropped`` — nothing with content aligns with the term (for a scare quote: the marks are gone);
* ``added`` — a watched term in the back-translation that no source term's alignment reaches
  (``replacement`` then holds the source text that it aligns with).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .align import (
    POSITION,
    Piece,
    Projection,
    _elided,
    _is_function_word,
    by_lemmas,
    by_position,
    content_lemmas,
    covers,
    function_words,
    lemma,
    name_lemmas,
    near_lemmas,
    pieces_text,
    through_links,
    trim,
    words,
)
from .analysis import Shift
from .errors import LexiconError
from .lexicon import Lexicon, frame_change
from .matching import CLOSING_QUOTES, OPENING_QUOTES, SO_CALLED, find_terms, matcher_for
from .results import Hop, Path

if TYPE_CHECKING:
    from .matching import Occurrence

STATUSES = ("kept", "variant", "replaced", "dropped", "added")
UNTRANSLATED = "untranslated"


def align_span(source: str, target: str, start: int, end: int, lang: str) -> str | None:
    """The text of ``target`` that aligns with ``source[start:end]`` (both in language ``lang``), on lemmas."""
    return by_lemmas(source, target, [(start, end)], lang).text(target)


def is_quote(occ: Occurrence) -> bool:
    """Whether an occurrence is a scare quote (a ``so_called`` whose form is a pair of marks, "“…”")."""
    return occ.concept == "so_called" and "…" in occ.form and len(occ.form) <= 5


def _pair(
    left: Sequence[Occurrence],
    left_len: int,
    right: Sequence[Occurrence],
    right_len: int,
) -> dict[int, int]:
    """Pair occurrences of the same concept by relative position; {left index: right index}."""
    candidates = []
    for i, a in enumerate(left):
        for j, b in enumerate(right):
            if a.concept == b.concept:
                distance = abs(a.start / max(left_len, 1) - b.start / max(right_len, 1))
                candidates.append((distance, i, j))
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for _, i, j in sorted(candidates):
        if i not in pairs and j not in used:
            pairs[i] = j
            used.add(j)
    return pairs


def _find_all(text: str, lang: str, lexicon: Lexicon) -> tuple[list[Occurrence], set[int]]:
    """Every form of the lexicon in ``text``, and the indices of the watched ones among them.

    Unwatched forms (generic counterparts such as "troops", "forces") are what a term may have become;
    they are never reported as occurrences of their own.
    """
    try:
        matcher = matcher_for(lang, lexicon)
        every = matcher.find(text, include_unwatched=True)
    except LexiconError:  # a pivot language the lexicon has no forms for: the aligned span still shows
        return [], set()
    unwatched, contextual = matcher.unwatched_forms, matcher.contextual_forms
    watched = {k for k, o in enumerate(every) if (o.concept, o.form) not in unwatched}
    # A form marked alone: false (German sogenannt) is an occurrence of its own only beside another
    # concept's term; alone it is what a term may have become, as an unwatched form is.
    context = any(
        every[k].concept != SO_CALLED and (every[k].concept, every[k].form) not in contextual for k in watched
    )
    if not context:
        watched = {k for k in watched if (every[k].concept, every[k].form) not in contextual}
    return every, watched


def quote_around(
    text: str, start: int, end: int, lang: str, lexicon: Lexicon, others: int = 0
) -> tuple[int, int] | None:
    """The positions of the quotation marks enclosing ``text[start:end]``, or ``None``.

    Function words may stand between a mark and the words (“the terrorist groups”), and ``others``
    other words on each side (the source's “occupation base”), never a sentence mark; any quote
    characters pair with any other (“…” → ‘…’ → "…"); a closing mark may follow a full stop or
    comma. A mark stuck to the word before it closes that word and opens nothing.
    """
    stop = function_words(lang, lexicon)
    toks = words(text)
    before = [t for t in toks if t[1] <= start]
    opening = None
    i, skipped, content = start, 0, 0
    while opening is None:
        j = i
        while j > 0 and text[j - 1].isspace():
            j -= 1
        if j > 0 and text[j - 1] in OPENING_QUOTES and not _closes_word(text, j - 1):
            opening = j - 1
        elif before and before[-1][1] == j and skipped < 5:
            function = before[-1][2].lower() in stop
            if not function and content >= others:
                return None
            content += not function
            i = before.pop()[0]
            skipped += 1
        else:
            return None
    after = [t for t in toks if t[0] >= end]
    i, skipped, content = end, 0, 0
    while True:
        j = i
        while j < len(text) and (text[j].isspace() or text[j] in ".,;:!?"):
            j += 1
        punct = any(c in ".,;:!?" for c in text[i:j])
        if j < len(text) and text[j] in CLOSING_QUOTES and not _opens_word(text, j):
            return opening, j
        if after and after[0][0] == j and skipped < 5 and not punct:
            function = after[0][2].lower() in stop
            if function or content < others:
                content += not function
                i = after.pop(0)[1]
                skipped += 1
                continue
        # The opening mark stands but the closing one was lost (engines mangle a closing apostrophe
        # into "'s"): the words are still marked off, so the quote counts; it ends at the words.
        return opening, max(end - 1, opening)


def _opens_word(text: str, at: int) -> bool:
    """Whether the mark at ``at`` opens the word after it (and so closes nothing before it)."""
    return text[at] in OPENING_QUOTES and at + 1 < len(text) and text[at + 1].isalnum()


def _closes_word(text: str, at: int) -> bool:
    """Whether the mark at ``at`` closes what stands before it: a mark that may close ('"’), stuck to a
    word or a full stop ("… 'terrorist groups' and 'm…": the mark after "groups" opens nothing)."""
    return text[at] in CLOSING_QUOTES and at > 0 and (text[at - 1].isalnum() or text[at - 1] in ".,;:!?")


def _marks_form(text: str, quote: tuple[int, int]) -> str:
    """The form of a pair of quotation marks, "“…”"; "‘…" when only the opening mark survived."""
    closing = text[quote[1]] if text[quote[1]] in CLOSING_QUOTES else ""
    return f"{text[quote[0]]}…{closing}"


# --- tracing -----------------------------------------------------------------------------------------


class _Segment:
    """One segment of one path: its texts, languages, lexicon occurrences and engine links."""

    def __init__(self, segment_id: int, source: str, hops: Sequence[Hop], source_lang: str, lexicon: Lexicon):
        self.id = segment_id
        self.hops = hops
        self.lexicon = lexicon
        self.texts = [source, *(h.segments[segment_id] for h in hops)]
        self.langs = [source_lang, *(h.lang for h in hops)]
        self.source_occ = find_terms(source, source_lang, lexicon)
        # Each hop's lexicon forms, found when first asked for: a pivot's only when the source has a term.
        self._found: dict[int, tuple[list[Occurrence], set[int]]] = {}

    @property
    def back(self) -> str:
        return self.texts[-1]

    @cached_property
    def engine(self) -> bool:
        """Whether every hop has the engine's word links for this segment."""
        return all(h.links(self.id) for h in self.hops)

    def found(self, k: int) -> tuple[list[Occurrence], set[int]]:
        """The lexicon forms in hop ``k``'s text (-1: the back-translation) and which of them are watched."""
        k = k % len(self.hops)
        hit = self._found.get(k)
        if hit is None:
            hit = self._found[k] = _find_all(self.texts[k + 1], self.langs[k + 1], self.lexicon)
        return hit

    def follow(self, pieces: Sequence[Piece], occ: Occurrence | None) -> list[Projection]:
        """Where ``pieces`` of the source went in every hop's text, hop by hop."""
        out: list[Projection] = []
        current, text = list(pieces), self.texts[0]
        for k, hop in enumerate(self.hops):
            target = self.texts[k + 1]
            links = hop.links(self.id)
            if not current:
                proj = Projection((), out[-1].method if out else POSITION, 0.0)
            elif links:
                proj = through_links(links, text, target, current)
                if hop.signature.backend != "apertium":
                    # A model's cross-attention is a softer link than a rule-based engine's own transfer.
                    proj = Projection(proj.pieces, proj.method, round(proj.confidence * ATTENTION_TRUST, 2))
            elif self.langs[k] == self.langs[k + 1]:
                proj = by_lemmas(text, target, current, self.langs[k])
            else:
                proj = by_position(text, target, current)
                if occ is not None and k == 0:  # the concept's own form in the pivot, paired by position
                    found = self.found(k)[0]
                    pairs = _pair(self.source_occ, len(self.texts[0]), found, len(target))
                    j = pairs.get(self.source_occ.index(occ)) if occ in self.source_occ else None
                    if j is not None:
                        proj = Projection(((found[j].start, found[j].end),), "lexicon", 0.6)
            out.append(proj)
            current, text = list(proj.pieces), target
        if self.langs[-1] == self.langs[0]:
            # Without the engine's links all the way, the back-translation is aligned with the source
            # directly, on lemmas (both are in the source language). With them, the lemma alignment
            # still wins where it finds the term's own words and the links land on function words
            # only: a transfer rule that moves a word can leave its link on a neighbour
            # ("com ‘terroristes'" → "how terrorist ‘'").
            # The lemma alignment is made only where it may be used (the common engine case needs none).
            if not self.engine or not _has_words(self.back, out[-1].pieces):
                lemma_proj = by_lemmas(self.texts[0], self.back, pieces, self.langs[0])
                if lemma_proj.pieces or not self.engine:
                    out[-1] = lemma_proj
            elif not content_lemmas(pieces_text(self.back, out[-1].pieces), self.langs[0], self.lexicon):
                lemma_proj = by_lemmas(self.texts[0], self.back, pieces, self.langs[0])
                if lemma_proj.pieces and self._words_found(pieces, lemma_proj):
                    out[-1] = lemma_proj
        return out

    def _words_found(self, pieces: Sequence[Piece], proj: Projection) -> bool:
        """Whether the content words of ``pieces`` of the source all stand in ``proj``'s back text."""
        lang = self.langs[0]
        wanted = content_lemmas(pieces_text(self.texts[0], pieces), lang, self.lexicon)
        found = content_lemmas(pieces_text(self.back, proj.pieces), lang, self.lexicon)
        return bool(wanted) and covers(wanted, found)


_HYPHEN = re.compile(r"\w[-\u2010\u2011]\w")


def _interrupted(
    back: str, proj: Projection, wanted: frozenset[str], names: frozenset[str], lang: str, lexicon: Lexicon
) -> bool:
    """Whether other content words stand between the term's own words in the aligned back text."""
    cover = proj.cover
    if cover is None or len(wanted) < 2:
        return False
    stop = function_words(lang, lexicon)
    toks = [(a, b, w) for a, b, w in words(back) if a < cover[1] and cover[0] < b]
    own = [k for k, (_, _, w) in enumerate(toks) if any(near_lemmas(n, lemma(w, lang), n in names) for n in wanted)]
    if len(own) < 2:
        return False
    return any(
        k not in own and not _is_function_word(toks[k][2], stop, _elided(back, toks[k][1]))
        for k in range(own[0], own[-1] + 1)
    )


def _encloses_term(text: str, quote: Occurrence, found: Sequence[Occurrence], lang: str, lexicon: Lexicon) -> bool:
    """Whether the scare quote ``quote`` opens on a term of ``found``."""
    inner = next((o for o in found if o.start > quote.start and not is_quote(o)), None)
    if inner is None:
        return False
    marks = quote_around(text, inner.start, inner.end, lang, lexicon, others=2)
    return marks is not None and marks[0] == quote.start


#: How far links read from a model's cross-attention are trusted, relative to Apertium's word-bound blanks.
ATTENTION_TRUST = 0.7


def _has_words(text: str, pieces: Sequence[Piece]) -> bool:
    """Whether any piece holds a word (an engine link may land on a quotation mark only)."""
    return any(a < e and s < b for a, b, _ in words(text) for s, e in pieces)


def _anchor(occ: Occurrence, occurrences: Sequence[Occurrence]) -> tuple[Piece, Occurrence | None]:
    """The span to follow for an occurrence: a scare quote follows the term it encloses."""
    if is_quote(occ):
        inner = next((o for o in occurrences if o.start > occ.start and not is_quote(o)), None)
        if inner is not None:
            return (inner.start, inner.end), inner
    return (occ.start, occ.end), None


def _overlapping(found: Sequence[Occurrence], proj: Projection) -> list[int]:
    return [j for j, o in enumerate(found) if proj.overlaps(o.start, o.end)]


def _unmatched(common: dict[str, Any], text: str, cover: tuple[int, int] | None) -> Shift:
    """An occurrence with no lexicon form where it went: ``replaced`` by the content words ``cover`` spans
    in ``text``, or ``dropped`` when there are none (``cover`` None)."""
    if cover is None:
        return Shift(**common, back_form=None, back_text=None, back_frame=None, status="dropped")
    return Shift(
        **common,
        back_form=None,
        back_text=None,
        back_frame=None,
        back_span=cover,
        status="replaced",
        replacement=text[cover[0] : cover[1]],
    )


def trace_segment(
    segment_id: int,
    source: str,
    hops: Sequence[Hop],
    source_lang: str,
    lexicon: Lexicon,
) -> list[Shift]:
    """The shifts of one segment along one path (the last hop is the back-translation)."""
    seg = _Segment(segment_id, source, hops, source_lang, lexicon)
    back, back_lang = seg.back, seg.langs[-1]
    back_occ, back_watched = seg.found(-1)
    plans = []
    for occ in seg.source_occ:
        anchor, inner = _anchor(occ, seg.source_occ)
        if is_quote(occ):  # the row shows the quoted stretch, marks included, and follows its words
            marks = quote_around(source, *anchor, source_lang, lexicon, others=2)
            if marks is not None and marks[0] == occ.start:
                occ = replace(occ, end=marks[1] + 1, text=source[occ.start : marks[1] + 1])
                if source[marks[1]] in CLOSING_QUOTES and marks[1] > anchor[1]:
                    anchor = (anchor[0], len(source[: marks[1]].rstrip(" .,;:!?")))
        plans.append((occ, anchor, inner, seg.follow([anchor], inner or occ)))

    # Back occurrences that are the same concept's counterpart of some source occurrence belong to it.
    owner: dict[int, int] = {}
    for i, (occ, _, _, projs) in enumerate(plans):
        if is_quote(occ):
            continue
        for j in _overlapping(back_occ, projs[-1]):
            if back_occ[j].concept == occ.concept:
                owner.setdefault(j, i)
    consumed: set[int] = set()
    shifts: list[Shift] = []
    for i, (occ, anchor, _, projs) in enumerate(plans):
        back_proj = projs[-1]
        common = _common(seg, occ, anchor, projs)
        if is_quote(occ):
            shifts.append(_trace_quote(seg, occ, back_proj, common, consumed))
            continue
        candidates = [j for j in _overlapping(back_occ, back_proj) if owner.get(j, i) == i]
        same = sorted(
            (j for j in candidates if back_occ[j].concept == occ.concept),
            key=lambda j: (j not in back_watched, -(back_occ[j].end - back_occ[j].start)),
        )
        cover = trim(back, back_proj.cover, back_lang, lexicon)
        back_words = pieces_text(back, back_proj.pieces)
        src_content = content_lemmas(occ.text, source_lang, lexicon)
        back_content = content_lemmas(back_words, back_lang, lexicon)
        occ_content = {j: content_lemmas(back_occ[j].text, back_lang, lexicon) for j in candidates}
        # Another concept's form stands for the term only when it and the term's own words explain the
        # aligned text ("Kurdish militias" → "militias"), not when it is one word of a longer span.
        other = sorted(
            (
                j
                for j in candidates
                if back_occ[j].concept != occ.concept
                and not is_quote(back_occ[j])
                and covers(back_content, occ_content[j] | src_content)
            ),
            key=lambda j: (j not in back_watched, -(back_occ[j].end - back_occ[j].start)),
        )
        # The term's own words in the back-translation are never added terms of their own.
        consumed.update(j for j in candidates if covers(occ_content[j], src_content))
        one_language = back_lang == source_lang
        names = name_lemmas(occ.text, source_lang)
        # A hyphenated compound comes back whole, with function words between its parts at most:
        # "self-the caliphate proclaimed" has lost "self-proclaimed" (a modifier moved into a noun
        # phrase, "forces of American occupation", leaves the term whole).
        whole = one_language and not (
            _HYPHEN.search(occ.text) and _interrupted(back, back_proj, src_content, names, back_lang, lexicon)
        )
        same_words = whole and bool(src_content) and src_content <= back_content
        # The same words up to spelling or a name's ending (organisation ~ organization, SDFajn ~ SDF),
        # unless another whole form of the concept is there.
        near_words = (
            whole
            and bool(src_content)
            and covers(src_content, back_content, names)
            and all(len(occ_content[j]) < len(src_content) or covers(occ_content[j], src_content, names) for j in same)
        )
        if any(back_occ[j].form == occ.form for j in same) or same_words or near_words:
            hit = next((back_occ[j] for j in same if back_occ[j].form == occ.form), None)
            consumed.update(same[:1])
            shifts.append(
                Shift(
                    **common,
                    back_form=occ.form,
                    back_text=hit.text if hit else back[cover[0] : cover[1]] if cover else None,
                    back_frame=occ.frame,
                    back_concept=occ.concept,
                    back_span=(hit.start, hit.end) if hit else cover,
                    status="kept",
                )
            )
        elif same or other:
            consumed.add((same or other)[0])
            b = back_occ[(same or other)[0]]
            shifts.append(
                Shift(
                    **common,
                    back_form=b.form,
                    back_text=b.text,
                    back_frame=b.frame,
                    back_concept=b.concept,
                    back_span=(b.start, b.end),
                    status="variant" if same else "replaced",
                    frame_change=_frame_change(occ.frame, b.frame),
                    replacement=None if same else b.text,
                )
            )
        else:
            replaced = bool(cover) and bool(content_lemmas(back_words, back_lang, lexicon))
            shifts.append(_unmatched(common, back, cover if replaced else None))
    for j, hit in enumerate(back_occ):
        if j in consumed or j not in back_watched:
            continue
        if is_quote(hit) and not _encloses_term(back, hit, back_occ, back_lang, lexicon):
            continue  # marks around no term ("terrorists “”"): nothing is quoted
        origin = by_lemmas(back, source, [(hit.start, hit.end)], source_lang) if back_lang == source_lang else None
        origin_text = origin.text(source) if origin else None
        # The same words stand in the source, where the matcher read them in another sense ("the
        # administration of services" → "the administration of the services"): nothing was added.
        if origin_text and covers(
            content_lemmas(hit.text, back_lang, lexicon), content_lemmas(origin_text, source_lang, lexicon)
        ):
            continue
        shifts.append(
            Shift(
                segment=segment_id,
                concept=hit.concept,
                source_form=None,
                source_text=None,
                source_frame=None,
                pivot_forms=tuple(None for _ in hops[:-1]),
                pivot_texts=tuple(None for _ in hops[:-1]),
                pivot_spans=tuple(None for _ in hops[:-1]),
                pivot_found=tuple(False for _ in hops[:-1]),
                back_form=hit.form,
                back_text=hit.text,
                back_frame=hit.frame,
                back_concept=hit.concept,
                back_span=(hit.start, hit.end),
                status="added",
                replacement=origin_text,
                quoted=getattr(hit, "quoted", False),
            )
        )
    return shifts


def _frame_change(old: str | None, new: str | None) -> str | None:
    return frame_change(old, new) if old and new else None


def _common(seg: _Segment, occ: Occurrence, anchor: Piece, projs: Sequence[Projection]) -> dict[str, Any]:
    """The fields of a source occurrence's row that do not depend on its outcome: source and pivots."""
    pivot_forms: list[str | None] = []
    pivot_texts: list[str | None] = []
    pivot_spans: list[Piece | None] = []
    pivot_found: list[bool] = []
    for k, proj in enumerate(projs[:-1]):
        text = seg.texts[k + 1]
        found = seg.found(k)[0]
        cover = proj.cover
        form: str | None = None
        hit_found = False
        quote = None
        if is_quote(occ):
            quote = quote_around(text, *cover, seg.langs[k + 1], seg.lexicon) if cover else None
            if quote is not None:
                form, hit_found = _marks_form(text, quote), True
        else:
            same = [j for j in _overlapping(found, proj) if found[j].concept == occ.concept]
            if same:
                form, hit_found = found[same[0]].form, True
        # The span shown is the aligned one less edge function words ("de Daesh" → "Daesh"); it is
        # untranslated when the engine marked every word of it unknown.
        # A scare quote shows the quoted stretch, marks included (“base d'ocupació”).
        cover = (quote[0], quote[1] + 1) if quote else trim(text, cover, seg.langs[k + 1], seg.lexicon)
        unknown = set(seg.hops[k].unknown[seg.id]) if seg.id < len(seg.hops[k].unknown) else set()
        if cover and unknown:
            inside = [w for a, b, w in words(text) if a < cover[1] and cover[0] < b]
            if inside and unknown.issuperset(inside):
                form = UNTRANSLATED
        pivot_forms.append(form)
        pivot_texts.append(text[cover[0] : cover[1]] if cover else None)
        pivot_spans.append(cover)
        pivot_found.append(hit_found)
    return {
        "segment": seg.id,
        "concept": occ.concept,
        "source_form": occ.form,
        "source_text": occ.text,
        "source_frame": occ.frame,
        "source_span": (occ.start, occ.end),
        "pivot_forms": tuple(pivot_forms),
        "pivot_texts": tuple(pivot_texts),
        "pivot_spans": tuple(pivot_spans),
        "pivot_found": tuple(pivot_found),
        "quoted": getattr(occ, "quoted", False),
        "alignment": tuple(p.method for p in projs),
        "confidence": min((p.confidence for p in projs), default=None),
    }


def _trace_quote(
    seg: _Segment, occ: Occurrence, back_proj: Projection, common: dict[str, Any], consumed: set[int]
) -> Shift:
    """A scare quote is kept when the words it enclosed come back enclosed in quotation marks."""
    back, back_lang = seg.back, seg.langs[-1]
    back_occ = seg.found(-1)[0]
    cover = back_proj.cover
    quote = quote_around(back, *cover, back_lang, seg.lexicon) if cover else None
    if quote is None:
        return Shift(
            **common,
            back_form=None,
            back_text=None,
            back_frame=None,
            back_span=cover,
            status="dropped",
        )
    for j, b in enumerate(back_occ):
        if is_quote(b) and quote[0] <= b.start <= quote[1]:
            consumed.add(j)
    return Shift(
        **common,
        back_form=_marks_form(back, quote),
        back_text=back[quote[0] : quote[1] + 1],
        back_frame=occ.frame,
        back_concept=occ.concept,
        back_span=(quote[0], quote[1] + 1),
        status="kept",
    )


def trace_path(path: Path, segments: Sequence[Any], lexicon: Lexicon | None = None) -> tuple[Shift, ...]:
    """The shifts of every loaded term of ``segments`` on ``path``, segment by segment.

    The path is not changed: shifts are analysis results (:class:`compare.analysis.PathAnalysis`).
    """
    lexicon = lexicon or Lexicon.default()
    shifts: list[Shift] = []
    for seg in segments:
        shifts += trace_segment(seg.id, seg.text, path.hops, path.source_lang, lexicon)
    return tuple(shifts)
