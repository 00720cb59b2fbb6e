"""Where a stretch of text went in a translation: word alignment through the hops of a path.

A source occurrence is followed hop by hop as a set of *pieces* (character spans) of each hop's text:

* ``engine`` — the engine's own word links (Apertium's word-bound blanks, :attr:`Hop.alignment`);
  a word the engine left without a link takes the target region between its linked neighbours
  (``engine+gap``);
* ``lemma`` — two texts in the same language (the source and its back-translation) aligned on
  lemmas with difflib; words of a replaced block map proportionally;
* ``position`` — no links and two languages: the token positions map proportionally.

Every :class:`Projection` says which method made it and how far to trust it (``confidence``, 0–1):
1.0 for engine links that cover every word, less for gaps, 0.7 for lemma alignment, 0.3 for positions.

:func:`content_lemmas` is the comparison that makes word order and function words irrelevant:
"Kurdish militias" and "militias of Kurdish" have the same content lemmas. Function words come from
the stopwords-iso lists (package ``stopwordsiso``), less every word the lexicon uses in a form of
that language ("state", "group", "so" and "self" are stop words there, but parts of terms here).
"""

from __future__ import annotations

import os
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .lexicon import Lexicon
    from .results import Link

Piece = tuple[int, int]

ENGINE, GAP, LEMMA, POSITION = "engine", "engine+gap", "lemma", "position"
CONFIDENCE = {ENGINE: 1.0, GAP: 0.6, LEMMA: 0.7, POSITION: 0.3}


@dataclass(frozen=True)
class Projection:
    """The pieces of a target text that a stretch of the source became, and how they were found."""

    pieces: tuple[Piece, ...]
    method: str
    confidence: float

    @property
    def cover(self) -> Piece | None:
        """The smallest span holding every piece, or ``None`` when nothing aligned."""
        if not self.pieces:
            return None
        return min(a for a, _ in self.pieces), max(b for _, b in self.pieces)

    def text(self, target: str) -> str | None:
        cover = self.cover
        return target[cover[0] : cover[1]] if cover else None

    def overlaps(self, start: int, end: int) -> bool:
        return any(a < end and start < b for a, b in self.pieces)


# --- words and lemmas --------------------------------------------------------------------------------


def words(text: str) -> list[tuple[int, int, str]]:
    """Word tokens, as the matcher cuts them (a Han character is a word of its own)."""
    from .matching import tokenize

    return tokenize(text)


@lru_cache(maxsize=65536)
def lemma(token: str, lang: str) -> str:
    """The folded lemma of one word (the word itself, folded, where simplemma has no dictionary)."""
    from .matching import _lemmatizer, normalize_form

    low = token.lower()
    try:  # the matcher's lemmatizer: one dictionary cache for every language of a run
        low = _lemmatizer().lemmatize(low, lang.split("-")[0]).lower()
    except ValueError:  # a language simplemma does not know
        pass
    folded = normalize_form(low, lang)
    return "".join(folded) if folded else low


@lru_cache(maxsize=256)
def function_words(lang: str, lexicon: Lexicon | None = None) -> frozenset[str]:
    """Stop words of ``lang`` (stopwords-iso), less the words of the lexicon's forms in that language."""
    import stopwordsiso

    base = lang.split("-")[0]
    listed = stopwordsiso.stopwords(base) if stopwordsiso.has_lang(base) else set()
    keep: set[str] = set()
    if lexicon is not None:
        from .errors import MtcompareError

        try:
            for form in lexicon.forms(lang):
                # The head of a form carries it ("Islamic State group"), and so does a first word joined
                # to the next by a hyphen ("so-called", "self-styled"); "el llamado" keeps "el" a stop word.
                toks = words(form.text)
                if toks:
                    keep.add(toks[-1][2].lower())
                    if len(toks) > 1 and not form.text[toks[0][1] : toks[1][0]].isspace():
                        keep.add(toks[0][2].lower())
        except MtcompareError:  # a language the lexicon does not cover
            pass
    # Inflections of a kept word stay content words too ("groups" is a stop word there, "group" a head).
    kept_lemmas = {lemma(w, lang) for w in keep}
    return frozenset(w.lower() for w in listed if w.lower() not in keep and lemma(w.lower(), lang) not in kept_lemmas)


def content_lemmas(text: str, lang: str, lexicon: Lexicon | None = None) -> frozenset[str]:
    """The lemmas of the content words of ``text``: order, articles and prepositions do not count."""
    stop = function_words(lang, lexicon)
    return frozenset(lemma(w, lang) for a, b, w in words(text) if not _is_function_word(w, stop, _elided(text, b)))


_ELISION_VOWELS = ("e", "a", "o", "i")


def _elided(text: str, end: int) -> bool:
    """Whether the word ending at ``end`` is elided before the next one (l'exèrcit, d'ISIS, dell'Isis)."""
    return end + 1 < len(text) and text[end] in "'’" and text[end + 1].isalpha()


def _is_function_word(word: str, stop: frozenset[str], elided: bool = False) -> bool:
    """A stop word, an elided one ("l'", "d'", "dell'", "qu'") or a number."""
    low = word.lower()
    if low in stop or f"{low}'" in stop or f"{low}’" in stop or word.isdigit():
        return True
    # An elided article or preposition: one letter, or a stop word less its final vowel (de → d', la → l').
    return elided and len(low) <= 4 and (len(low) == 1 or any(low + v in stop for v in _ELISION_VOWELS))


def near_lemmas(a: str, b: str, name: bool = False) -> bool:
    """The same word up to spelling (organisation ~ organization: one letter in a long word) or, for a
    name, up to an ending of at most three letters glued on (SDF ~ SDFajn, PKK ~ PKKan)."""
    if a == b:
        return True
    if len(a) == len(b) >= 8 and sum(x != y for x, y in zip(a, b)) == 1:
        return True
    short, long = sorted((a, b), key=len)
    return name and len(short) >= 3 and long.startswith(short) and len(long) - len(short) <= 3


def covers(needed: frozenset[str], available: frozenset[str], names: frozenset[str] = frozenset()) -> bool:
    """Whether every lemma of ``needed`` has a near lemma in ``available`` (``names``: lemmas of names)."""
    return all(any(near_lemmas(n, a, n in names) for a in available) for n in needed)


def name_lemmas(text: str, lang: str) -> frozenset[str]:
    """The lemmas of the words of ``text`` written as names (a capital letter first)."""
    return frozenset(lemma(w, lang) for _, _, w in words(text) if w[:1].isupper())


def pieces_text(text: str, pieces: Sequence[Piece]) -> str:
    return " ".join(text[a:b] for a, b in sorted(set(pieces)))


# --- engine links --------------------------------------------------------------------------------------


def _overlap(a: int, b: int, pieces: Sequence[Piece]) -> bool:
    return any(a < e and s < b for s, e in pieces)


def through_links(links: Sequence[Link], source: str, target: str, pieces: Sequence[Piece]) -> Projection:
    """Follow ``pieces`` of ``source`` through the engine's word links into ``target``.

    Words of the pieces without a link take the target region between the targets of their nearest
    linked neighbours (method ``engine+gap``); nothing aligned gives no pieces.
    """
    out = sorted({(c, d) for a, b, c, d in links if _overlap(a, b, pieces)})
    src_words = [(a, b) for a, b, _ in words(source)]
    is_linked = _linked(src_words, links)
    inside = [k for k, (a, b) in enumerate(src_words) if _overlap(a, b, pieces)]
    linked = [k for k in inside if is_linked[k]]
    if inside and len(linked) == len(inside):
        return Projection(tuple(out), ENGINE, CONFIDENCE[ENGINE])
    # Gaps: a run of unlinked source words shares, in proportion, the target words between the targets
    # of its nearest linked neighbours.
    target_words = [(a, b) for a, b, _ in words(target)]
    for k in inside:
        if is_linked[k]:
            continue
        first = k
        while first > 0 and not is_linked[first - 1]:
            first -= 1
        last = k
        while last + 1 < len(src_words) and not is_linked[last + 1]:
            last += 1
        lo = max((d for a, b, c, d in links if b <= src_words[first][0]), default=0)
        hi = min((c for a, b, c, d in links if a >= src_words[last][1]), default=len(target))
        if lo > hi:
            lo, hi = hi, lo
        region = [(a, b) for a, b in target_words if a >= lo and b <= hi]
        if not region or len(region) > 2 * (last - first + 1) + 2:
            continue
        scale = len(region) / (last - first + 1)
        i = int((k - first) * scale)
        out += region[i : max(i + 1, round((k - first + 1) * scale))]
    if not out:
        return Projection((), GAP, 0.0)
    share = len(linked) / len(inside) if inside else 0.0
    return Projection(tuple(sorted(set(out))), ENGINE if share == 1 else GAP, round(0.4 + 0.6 * share, 2))


def _linked(src_words: Sequence[Piece], links: Sequence[Link]) -> list[bool]:
    """For each word (in text order, not overlapping), whether some link's source span overlaps it.

    The same as testing every link against every word, in one pass per link over the words it can reach.
    """
    linked = [False] * len(src_words)
    ends = [e for _, e in src_words]
    for a, b, _, _ in links:
        k = bisect_right(ends, a)  # the first word ending after a
        while k < len(src_words) and src_words[k][0] < b:
            linked[k] = True
            k += 1
    return linked


# --- without engine links -------------------------------------------------------------------------------


def by_lemmas(source: str, target: str, pieces: Sequence[Piece], lang: str) -> Projection:
    """Align two texts of one language on lemmas; the target pieces that ``pieces`` of ``source`` align with.

    Equal lemmas align; inside a replaced block, a word of the span that recurs nearby anchors it
    ("Kurdish militias" → "militias of Kurdish"), otherwise positions map proportionally.
    """
    src = words(source)
    tgt = words(target)
    src_lemmas = [lemma(w, lang) for _, _, w in src]
    tgt_lemmas = [lemma(w, lang) for _, _, w in tgt]
    inside = [k for k, (a, b, _) in enumerate(src) if _overlap(a, b, pieces)]
    if not inside or not tgt:
        return Projection((), LEMMA, 0.0)
    first, last = inside[0], inside[-1] + 1
    hit: list[int] = []
    unmatched: dict[int, tuple[str, int, int, int, int]] = {}  # source token: its opcode
    matcher = SequenceMatcher(a=src_lemmas, b=tgt_lemmas, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        for k in range(max(i1, first), min(i2, last)):
            if op == "equal":
                hit.append(j1 + k - i1)
            else:
                unmatched[k] = (op, i1, i2, j1, j2)
    exact = len(hit)
    for k, block in unmatched.items():
        # A word of the span that recurs nearby anchors it, also when the aligner saw it as moved
        # ("Kurdish militias" → "militias of Kurdish"); failing that, a word of the same stem nearby
        # ("occupation" → "base of occupancy"); else its place in a replaced block maps in proportion.
        i1, i2, j1, j2 = block[1:]
        lo, hi = (min(hit) - 3, max(hit) + 4) if hit else (j1 - 3, j2 + 3)
        window = [j for j in range(max(lo, 0), min(hi, len(tgt_lemmas))) if j not in hit]
        near = [j for j in window if tgt_lemmas[j] == src_lemmas[k]] or [
            j for j in window if _same_stem(tgt_lemmas[j], src_lemmas[k])
        ]
        if near:
            hit.append(near[0])
            exact += 1
        elif block[0] == "replace":
            scale = (j2 - j1) / (i2 - i1)
            a = j1 + int((k - i1) * scale)
            hit += range(a, max(a + 1, j1 + round((k - i1 + 1) * scale)))
    if not hit:
        return Projection((), LEMMA, 0.0)
    span = range(min(hit), max(hit) + 1)
    confidence = CONFIDENCE[LEMMA] * (0.5 + 0.5 * exact / len(inside))
    return Projection(tuple((tgt[j][0], tgt[j][1]) for j in span), LEMMA, round(confidence, 2))


def _same_stem(a: str, b: str) -> bool:
    """Two long words with a long common beginning (occupation ~ occupancy, terrorism ~ terrorists)."""
    if len(a) < 5 or len(b) < 5:
        return False
    common = len(os.path.commonprefix([a, b]))
    return common >= 5 and common >= 0.6 * min(len(a), len(b))


def by_position(source: str, target: str, pieces: Sequence[Piece]) -> Projection:
    """Map token positions proportionally (two languages, no engine links): a rough guess."""
    src = words(source)
    tgt = words(target)
    inside = [k for k, (a, b, _) in enumerate(src) if _overlap(a, b, pieces)]
    if not inside or not tgt:
        return Projection((), POSITION, 0.0)
    scale = len(tgt) / len(src)
    lo = min(int(inside[0] * scale), len(tgt) - 1)
    hi = min(max(lo + 1, round((inside[-1] + 1) * scale)), len(tgt))
    return Projection(tuple((tgt[j][0], tgt[j][1]) for j in range(lo, hi)), POSITION, CONFIDENCE[POSITION])


def trim(
    text: str, span: Piece | None, lang: str, lexicon: Lexicon | None = None, keep: Piece | None = None
) -> Piece | None:
    """``span`` less the function words at its edges ("de l'així que-anomenat" → "així que-anomenat").

    Words inside ``keep`` (the term's own words, when it is a function word such as "so") stay, and
    a span of function words only is left as it is.
    """
    if span is None:
        return None
    stop = function_words(lang, lexicon)
    toks = [(a, b, w) for a, b, w in words(text) if a < span[1] and span[0] < b]

    def droppable(tok: tuple[int, int, str]) -> bool:
        inside_keep = keep is not None and tok[0] < keep[1] and keep[0] < tok[1]
        # Short words only (articles, prepositions, their elided forms): a longer function word at
        # the edge is more often part of the rendering ("així que-anomenat" for "so-called").
        short = len(tok[2]) <= 3
        return short and _is_function_word(tok[2], stop, _elided(text, tok[1])) and not inside_keep

    def apart(gap: str) -> bool:  # a space, or the apostrophe of an elided article (l'exèrcit)
        return gap.isspace() or gap in ("'", "’")

    if not toks or all(droppable(t) for t in toks):
        return span
    # Only a word set off by a space or elided goes: "tan-chamado" stays whole.
    while droppable(toks[0]) and apart(text[toks[0][1] : toks[1][0]]):
        toks.pop(0)
    # At the end, a word after a space goes, also with a stray hyphen before it (Apertium's "grupoj -a").
    while droppable(toks[-1]) and text[toks[-2][1] : toks[-1][0]].rstrip("-")[:1].isspace():
        toks.pop()
    return max(span[0], toks[0][0]), min(span[1], toks[-1][1])
