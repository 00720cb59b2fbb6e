"""A text against its translations, one hop each: what became of every loaded term in each translation.

Round trips (:mod:`compare.shifts`) compare the source with its back-translation, in one language.
Here the source is compared with a translation into another language — a published human
translation, an outlet's other language edition, exported output of an MT system or an LLM, or
:func:`compare.translate`'s own output — so the forms on the two sides are different words and only
their concepts and framing labels can be compared. The rules are stated in
``compare/lexicon/README.md`` (*Across languages*); in short, per source occurrence:

* ``kept`` — the aligned text in the translation holds a form of the same concept with the same
  framing label ("government" → "Regierung", neutral → neutral; "ISIS" → "ИГИЛ");
* ``variant`` — a form of the same concept with another label, ``frame_change`` softened or
  intensified ("ISIS" → "داعش": neutral → delegitimising, intensified);
* ``replaced`` — a form of another concept (``back_concept``, with ``frame_change``), or unlisted
  words (``replacement``: a wording the lexicon does not list, or the alignment missed);
* ``dropped`` — the translation segment is empty, or nothing with content aligns with the term;
* ``added`` — a watched term in the translation that no source occurrence accounts for.

The row model is the round trip's :class:`~compare.analysis.Shift`, with the translation in the
``back_*`` fields (a one-hop path has no pivots), so tidy rows, CSV, statistics with bootstrap CIs
and the HTML report all work as for round trips: :func:`parallel` returns a
:class:`~compare.results.RoundTrip` whose paths each hold one hop, analysed by :func:`compare.analyse`.

**Alignment of terms.** With the engine's word links (Apertium's word-bound blanks, an HF model's
attention) a term is followed through them (``engine``). Without links (human translations) the
term's concept is looked up in the translation and the occurrences of one concept are paired by
relative position (``lexicon``, confidence 0.6); failing that, token positions map proportionally
(``position``, 0.3: a guess, which the rows say).

**Alignment of segments.** Line-aligned files (line N translates line N) are paired line by line.
Otherwise :func:`align_sentences` aligns sentences with Gale and Church's length-based algorithm
(NLTK's ``nltk.translate.gale_church``, the ``align`` extra), its character-length ratio estimated
from the two texts: it needs no model, so it works for every language pair offline, where
embedding aligners (bertalign's LaBSE, vecalign's LASER) need a multilingual model from a hub and the
installed all-MiniLM-L6-v2 is English-only. Each bead's probability is its ``score``.
"""

from __future__ import annotations

import math
import unicodedata
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import _checks as check
from .errors import ArgumentValueError, InputError, MissingExtraError, MtcompareWarning

if TYPE_CHECKING:
    from .analysis import Shift
    from .lexicon import Lexicon
    from .results import Hop, Path, RoundTrip, Segment

#: How segments of the source and a translation are paired.
ALIGN_MODES: tuple[str, ...] = ("lines", "sentences")
#: The backend name of a hop read from a translation (not made by an engine here).
BACKEND = "parallel"
#: The system name of translations read from files unless one is given.
DEFAULT_SYSTEM = "reference"
#: Alignment method names of the rows made here (the engine's own are :mod:`compare.align`'s).
LEXICON, POSITION, NONE = "lexicon", "position", "none"
#: Confidence of pairing a term with a form of its concept in the translation by relative position.
LEXICON_CONFIDENCE = 0.6
#: How far (a share of the sentence) an anchor may stand from its proportional place to be used.
MAX_ANCHOR_SHIFT = 0.25
#: Share of the non-empty lines written mostly in another script above which a warning is given.
SCRIPT_WARNING_SHARE = 0.5

# Scripts the lexicon's languages are written in (the language subtag; everything else: Latin).
_SCRIPTS = {"ar": "ARABIC", "fa": "ARABIC", "ckb": "ARABIC", "ur": "ARABIC", "ru": "CYRILLIC", "uk": "CYRILLIC"}
_SCRIPTS.update({"he": "HEBREW", "zh": "CJK", "ja": "CJK", "el": "GREEK", "hy": "ARMENIAN", "ka": "GEORGIAN"})


# --- sentence alignment --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bead:
    """Sentences of the source and of the translation aligned with each other (Gale–Church's bead).

    ``source`` and ``target`` are sentence indices (0, 1 or 2 of each); ``score`` the bead's
    probability under the model (prior of its type × probability of the length difference), 0–1.
    """

    source: tuple[int, ...]
    target: tuple[int, ...]
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"source": list(self.source), "target": list(self.target), "score": round(self.score, 4)}


@dataclass(frozen=True)
class SentenceAlignment:
    """How one translation's sentences were aligned with the source's: method, length ratio, beads."""

    lang: str
    method: str
    ratio: float
    beads: tuple[Bead, ...]
    target_sentences: tuple[str, ...]

    @property
    def mean_score(self) -> float | None:
        return sum(b.score for b in self.beads) / len(self.beads) if self.beads else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "method": self.method,
            "length_ratio": round(self.ratio, 4),
            "mean_score": None if self.mean_score is None else round(self.mean_score, 4),
            "beads": [b.to_dict() for b in self.beads],
            "target_sentences": list(self.target_sentences),
        }


def _gale_church() -> Any:
    try:
        from nltk.translate import gale_church
    except ImportError:
        raise MissingExtraError(
            "sentence alignment needs NLTK's Gale-Church aligner; install the extra: pip install 'mtcompare[align]' "
            "(or give line-aligned files)"
        ) from None
    return gale_church


def aligner_signature() -> str:
    """``gale-church:nltk-3.10.4``: the sentence aligner and its version."""
    from importlib.metadata import version

    _gale_church()
    return f"gale-church:nltk-{version('nltk')}"


def align_sentences(source: Sequence[str], target: Sequence[str]) -> tuple[tuple[Bead, ...], float]:
    """Gale–Church alignment of two lists of sentences: the beads in order, and the length ratio used.

    The expected characters of the translation per character of the source is estimated from the two
    texts (Chinese is shorter than English, Persian longer); every sentence of both sides is in
    exactly one bead (a 1-0 bead: a source sentence left untranslated; 0-1: a sentence added).
    """
    gc = _gale_church()
    src_lens = [max(len(s), 1) for s in source]
    tgt_lens = [max(len(t), 1) for t in target]
    if not source or not target:
        beads = [Bead((i,), (), 0.0) for i in range(len(source))] + [Bead((), (j,), 0.0) for j in range(len(target))]
        return tuple(beads), 1.0
    ratio = sum(tgt_lens) / sum(src_lens)

    class Params(gc.LanguageIndependent):  # type: ignore[name-defined,misc]
        AVERAGE_CHARACTERS = ratio

    limit = max(len(src_lens), len(tgt_lens))
    if limit > gc.MAX_ALIGN_BLOCKS:
        raise InputError(
            f"sentence alignment of {limit:,} sentences at once is too slow (at most {gc.MAX_ALIGN_BLOCKS:,}); "
            "keep blank lines between paragraphs (the same number on both sides) or give line-aligned files"
        )
    links = gc.align_blocks(src_lens, tgt_lens, Params)
    # Links to beads: source and target sentences joined by links form one bead.
    beads: list[tuple[list[int], list[int]]] = []
    for i, j in links:
        if beads and (i in beads[-1][0] or j in beads[-1][1]):
            bead = beads[-1]
            if i not in bead[0]:
                bead[0].append(i)
            if j not in bead[1]:
                bead[1].append(j)
        else:
            beads.append(([i], [j]))
    linked_src = {i for i, _ in links}
    linked_tgt = {j for _, j in links}
    beads += [([i], []) for i in range(len(src_lens)) if i not in linked_src]
    beads += [([], [j]) for j in range(len(tgt_lens)) if j not in linked_tgt]
    beads.sort(key=lambda b: (b[0][0] if b[0] else _before(b[1][0], links), b[1][0] if b[1] else -1))
    out = []
    for s, t in beads:
        kind = (len(s), len(t))
        if kind not in Params.PRIORS:
            score = 0.0
        else:
            cost = gc.align_log_prob(
                (s[-1] + 1) if s else _before(t[0], links) + 1,
                (t[-1] + 1) if t else 0,
                src_lens,
                tgt_lens,
                kind,
                Params,
            )
            score = math.exp(-cost) if math.isfinite(cost) else 0.0
        out.append(Bead(tuple(s), tuple(t), min(1.0, score)))
    return tuple(out), ratio


def _before(j: int, links: Sequence[tuple[int, int]]) -> float:
    """Where a target sentence without a link stands among the source sentences (for ordering)."""
    earlier = [i for i, jj in links if jj < j]
    return (max(earlier) + 0.5) if earlier else -0.5


def _split_proportionally(text: str, weights: Sequence[int]) -> list[str]:
    """``text`` cut at word boundaries into pieces whose lengths follow ``weights`` (a 2-1 bead)."""
    total = sum(weights) or 1
    pieces, rest, done = [], text, 0
    for w in weights[:-1]:
        done += w
        want = round(len(text) * done / total) - (len(text) - len(rest))
        cut = rest.rfind(" ", 0, max(want, 0) + 1)
        if cut <= 0:
            cut = rest.find(" ", want)
        if cut <= 0:
            pieces.append("")
            continue
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    pieces.append(rest)
    return pieces


def _targets_for(sources: Sequence[str], beads: Sequence[Bead], sentences: Sequence[str]) -> list[str]:
    """The translation text of each source sentence, from the beads.

    1-1 and 1-2: the target sentences joined; 2-1 and 2-2: the target text shared out at word
    boundaries in proportion to the source sentences' lengths; 0-1: appended to the translation of
    the source sentence before it (its terms are then ``added``); 1-0: empty (its terms ``dropped``).
    """
    n_source = len(sources)
    out = [""] * n_source
    last = -1
    for bead in beads:
        text = " ".join(sentences[j] for j in bead.target).strip()
        if not bead.source:
            k = last if last >= 0 else 0
            if n_source:
                out[k] = f"{out[k]} {text}".strip()
            continue
        last = bead.source[-1]
        if len(bead.source) == 1:
            out[bead.source[0]] = text
        else:
            for i, piece in zip(bead.source, _split_proportionally(text, [len(sources[i]) for i in bead.source])):
                out[i] = piece
    return out


# --- checks --------------------------------------------------------------------------------------------


def _script_of(text: str) -> str | None:
    """The script most letters of ``text`` are written in (LATIN, ARABIC, CYRILLIC, CJK …)."""
    counts: Counter[str] = Counter()
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            first = name.split(" ")[0]
            counts["CJK" if first in ("CJK", "HIRAGANA", "KATAKANA") else first] += 1
    return counts.most_common(1)[0][0] if counts else None


def expected_script(lang: str) -> str:
    """The script a language of the lexicon is written in (``LATIN`` for the ones not listed)."""
    return _SCRIPTS.get(lang.split("-")[0], "LATIN")


def language_warning(lines: Sequence[str], lang: str, source: Sequence[str] | None = None) -> str | None:
    """Why ``lines`` may not be text in ``lang``, or ``None``: most non-empty lines are written in
    another script, or most of them are the source lines unchanged (an untranslated file)."""
    texts = [t for t in lines if t.strip()]
    if not texts:
        return None
    want = expected_script(lang)
    scripts = Counter(_script_of(t) for t in texts)
    scripts.pop(None, None)
    other = sum(n for s, n in scripts.items() if s != want)
    if scripts and other / len(texts) > SCRIPT_WARNING_SHARE:
        top = scripts.most_common(1)[0][0]
        return (
            f"the {lang} translation looks like another language: {other} of {len(texts)} lines are written "
            f"mostly in {top.title()} script, not {want.title()}; check --to and the file order"
        )
    if source is not None:
        same = sum(1 for s, t in zip(source, lines) if t.strip() and " ".join(s.split()) == " ".join(t.split()))
        if same / len(texts) > SCRIPT_WARNING_SHARE:
            return f"the {lang} translation is the source text unchanged on {same} of {len(texts)} lines"
    return None


def _check_align(align: object) -> str:
    if not isinstance(align, str) or align not in ALIGN_MODES:
        raise ArgumentValueError(
            f"unknown align mode {align!r}; accepted: lines (line N translates line N), "
            "sentences (Gale-Church sentence alignment)"
        )
    return align


def _lines(name: str, value: object) -> list[str]:
    """A text as lines (a str is split at newlines; a trailing newline ends the last line)."""
    if isinstance(value, str):
        text = value.replace("\r\n", "\n").replace("\r", "\n")
        return text[:-1].split("\n") if text.endswith("\n") else text.split("\n")
    items = check._items(name, value, "a text (str) or a list of lines")
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise check._fail(f"{name}[{i}]", "a str (one line)", item)
    return list(items)


def _check_translations(value: object) -> list[tuple[str, Any]]:
    expected = "a mapping of language code to text (or list of lines), or a list of (lang, text) pairs"
    if isinstance(value, Mapping):
        pairs = list(value.items())
    else:
        pairs = check._items("translations", value, expected)
    if not pairs:
        raise ArgumentValueError(f"translations is empty; expected {expected}")
    out = []
    for i, pair in enumerate(pairs):
        if isinstance(pair, str) or not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise check._fail(f"translations[{i}]", "a (lang, text) pair", pair)
        out.append((check.check_str(f"translations[{i}] lang", pair[0], empty=False), pair[1]))
    return out


def check_target_lang(lang: str, source_lang: str, lexicon: Lexicon) -> str:
    """``lang`` normalised; an unknown code, the source language itself or a language the lexicon has no
    forms for is refused (:class:`~compare.errors.UnknownLanguageError`, ``ArgumentValueError``,
    :class:`~compare.errors.LexiconError`)."""
    from .languages import normalize_lang

    norm = normalize_lang(lang)
    if norm == source_lang:
        raise ArgumentValueError(
            f"translation language {lang!r} is the source language; a translation is compared with a source "
            "in another language (use mtcompare roundtrip for back-translations)"
        )
    lexicon.resolve_lang(norm)
    return norm


# --- building the result -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParallelText:
    """A source and its translations paired segment by segment, ready to be compared.

    ``segments`` are the source's; ``targets`` holds per language the translation text of each segment
    (``""`` where nothing aligns); ``alignments`` per language the sentence alignment (``None`` when
    the files were paired line by line); ``warnings`` what looked wrong in the input.
    """

    source_lang: str
    segments: tuple[Segment, ...]
    targets: tuple[tuple[str, tuple[str, ...]], ...]
    align: str
    alignments: tuple[tuple[str, SentenceAlignment | None], ...] = ()
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The segment pairing, as the JSON's ``parallel`` section: mode and, per language, its sentence beads."""
        return {
            "align": self.align,
            "aligner": None if self.align == "lines" else aligner_signature(),
            "languages": {lang: (a.to_dict() if a else None) for lang, a in self.alignments},
            "warnings": list(self.warnings),
        }


def pair_texts(
    source: str | Sequence[str],
    translations: Mapping[str, str | Sequence[str]] | Sequence[tuple[str, str | Sequence[str]]],
    source_lang: str = "en",
    *,
    align: str = "lines",
    lexicon: Any = None,
    document: str = "",
) -> ParallelText:
    """Pair the source with each translation: line by line (``align="lines"``: as many lines on each
    side, an empty line is an empty segment) or by Gale–Church sentence alignment (``"sentences"``).

    A translation with another number of lines than the source is refused in line mode
    (:class:`~compare.errors.InputError`, with both counts); a translation that looks like another
    language (another script on most lines, or the source unchanged) gives a
    :class:`~compare.errors.MtcompareWarning` and is compared all the same.
    """
    from .languages import normalize_lang
    from .lexicon import Lexicon
    from .results import Segment
    from .text import segment_text

    mode = _check_align(align)
    src = normalize_lang(check.check_str("source_lang", source_lang, empty=False))
    lex = check.check_lexicon("lexicon", lexicon) or Lexicon.default()
    lex.resolve_lang(src)
    pairs = [(check_target_lang(lang, src, lex), text) for lang, text in _check_translations(translations)]
    langs = [lang for lang, _ in pairs]
    repeated = sorted({lang for lang in langs if langs.count(lang) > 1})
    if repeated:
        raise ArgumentValueError(f"two translations into {repeated[0]!r}; give one translation per language")
    notes: list[str] = []
    targets: list[tuple[str, tuple[str, ...]]] = []
    alignments: list[tuple[str, SentenceAlignment | None]] = []
    if mode == "lines":
        lines = _lines("source", source)
        segments = tuple(Segment(id=i, text=t, paragraph=i, document=document) for i, t in enumerate(lines))
        for lang, text in pairs:
            tgt = _lines(f"translations[{lang!r}]", text)
            if len(tgt) != len(lines):
                raise InputError(
                    f"the {lang} translation has {len(tgt):,} lines and the source {len(lines):,}; line-aligned "
                    "files translate line N on line N (pass align='sentences', --align sentences, to align "
                    "sentences instead)"
                )
            targets.append((lang, tuple(tgt)))
            alignments.append((lang, None))
            notes.append(language_warning(tgt, lang, lines) or "")
    else:
        text = source if isinstance(source, str) else "\n\n".join(_lines("source", source))
        segments = segment_text(text, src, document=document, paragraphs="blank")
        for lang, translation in pairs:
            body = translation if isinstance(translation, str) else "\n\n".join(_lines(lang, translation))
            cut = segment_text(body, lang, paragraphs="blank") if body.strip() else ()
            sentences = [s.text for s in cut]
            beads, ratio = _aligned_by_paragraph(segments, cut)
            per_segment = _targets_for([s.text for s in segments], beads, sentences)
            targets.append((lang, tuple(per_segment)))
            alignments.append((lang, SentenceAlignment(lang, aligner_signature(), ratio, beads, tuple(sentences))))
            notes.append(language_warning(sentences, lang, [s.text for s in segments]) or "")
    messages = tuple(n for n in notes if n)
    for message in messages:
        warnings.warn(message, MtcompareWarning, stacklevel=2)
    return ParallelText(src, segments, tuple(targets), mode, tuple(alignments), messages)


def _aligned_by_paragraph(source: Sequence[Segment], target: Sequence[Segment]) -> tuple[tuple[Bead, ...], float]:
    """Sentence beads, paragraph by paragraph when both sides have the same number of paragraphs
    (sentences never align across a paragraph break then), else over the whole text."""
    src_paras = sorted({s.paragraph for s in source})
    tgt_paras = sorted({s.paragraph for s in target})
    if len(src_paras) != len(tgt_paras) or len(src_paras) <= 1:
        return align_sentences([s.text for s in source], [t.text for t in target])
    beads: list[Bead] = []
    ratio = sum(len(t.text) for t in target) / max(sum(len(s.text) for s in source), 1)
    for sp, tp in zip(src_paras, tgt_paras):
        si = [k for k, s in enumerate(source) if s.paragraph == sp]
        ti = [k for k, t in enumerate(target) if t.paragraph == tp]
        found, _ = align_sentences([source[k].text for k in si], [target[k].text for k in ti])
        beads += [Bead(tuple(si[i] for i in b.source), tuple(ti[j] for j in b.target), b.score) for b in found]
    return tuple(beads), ratio


def build_result(paired: ParallelText, system: str = DEFAULT_SYSTEM) -> RoundTrip:
    """A :class:`RoundTrip` with one one-hop path per translation (not analysed): backend ``parallel``,
    the hop signature naming the system and how the segments were paired."""
    from .results import Hop, HopSignature, RoundTrip
    from .roundtrip import make_path, segmenter_signature

    check.check_str("system", system, empty=False)
    paths = []
    aligned = dict(paired.alignments)
    for lang, texts in paired.targets:
        settings: tuple[tuple[str, Any], ...] = (("align", paired.align),)
        found = aligned.get(lang)
        if found is not None:
            settings += (("aligner", found.method), ("length_ratio", round(found.ratio, 4)))
        signature = HopSignature(BACKEND, paired.source_lang, lang, system, None, settings)
        hop = Hop(
            lang=lang,
            source_lang=paired.source_lang,
            backend=BACKEND,
            segments=texts,
            unknown=tuple(() for _ in texts),
            signature=signature,
        )
        paths.append(make_path(paired.source_lang, [hop], system))
    return RoundTrip(
        source_lang=paired.source_lang,
        segments=paired.segments,
        paths=tuple(paths),
        segmenter="lines" if paired.align == "lines" else segmenter_signature(),
        paragraphs="line" if paired.align == "lines" else "blank",
    )


def parallel(
    source: str | Sequence[str],
    translations: Mapping[str, str | Sequence[str]] | Sequence[tuple[str, str | Sequence[str]]],
    source_lang: str = "en",
    *,
    align: str = "lines",
    system: str = DEFAULT_SYSTEM,
    lexicon: Any = None,
    statistics: bool = True,
    resamples: int = 1000,
    seed: int = 12345,
    confidence: float = 0.95,
    document: str = "",
) -> RoundTrip:
    """Compare a source text with its translations, one hop each, and return the analysed result.

    ``translations`` maps a language code to its translation (a text, or a list of lines). With
    ``align="lines"`` (the default) line N of each translation translates line N of the source;
    with ``"sentences"`` both sides are cut into sentences and aligned (:func:`align_sentences`).
    Each translation becomes a path ``en>ar (reference)`` (``system`` names it) whose shifts are
    :class:`~compare.analysis.Shift` rows with the translation in the ``back_*`` fields; with
    ``statistics`` each outcome's rate per concept and language gets a bootstrap CI. An empty
    translation line leaves its terms ``dropped``.

    >>> from compare.parallel import parallel
    >>> result = parallel(["The government denied it."], {"de": ["Die Regierung bestritt es."]})
    >>> [(s.source_text, s.back_text, s.status) for s in result.analysis.shifts]
    [('government', 'Regierung', 'kept')]
    """
    from .analysis import analyse

    paired = pair_texts(source, translations, source_lang, align=align, lexicon=lexicon, document=document)
    result = build_result(paired, system)
    return analyse(
        result,
        lexicon=lexicon,
        metrics=None,
        statistics=statistics,
        resamples=resamples,
        seed=seed,
        confidence=confidence,
    )


# --- anchored positions ---------------------------------------------------------------------------------


def anchors(
    source: str, target: str, pairs: Sequence[tuple[tuple[int, int], tuple[int, int]]] = ()
) -> list[tuple[int, int]]:
    """Token positions that certainly correspond, ``(source token, target token)``, in increasing order.

    Numbers and words written the same on both sides (names in two Latin-script languages, "NATO",
    "2018") that occur once in each, and ``pairs`` of character spans known to correspond (lexicon
    terms of one concept, paired): a monotone chain of them, the longest one.
    """
    from .align import words

    src, tgt = words(source), words(target)
    found: list[tuple[int, int]] = []
    src_counts = Counter(w.casefold() for _, _, w in src)
    tgt_index: dict[str, list[int]] = {}
    for j, (_, _, w) in enumerate(tgt):
        tgt_index.setdefault(w.casefold(), []).append(j)
    for i, (_, _, w) in enumerate(src):
        key = w.casefold()
        hits = tgt_index.get(key, [])
        if src_counts[key] == 1 and len(hits) == 1 and (len(key) >= 3 or key.isdigit()):
            found.append((i, hits[0]))
    for (sa, sb), (ta, tb) in pairs:
        si = [i for i, (a, b, _) in enumerate(src) if a < sb and sa < b]
        ti = [j for j, (a, b, _) in enumerate(tgt) if a < tb and ta < b]
        if si and ti:
            found.append((si[0], ti[0]))
    # An anchor far from where its position would put it (a name moved from the end of the sentence to
    # its start: "…, Lee said." → "Lee, … söyledi.") would bend every guess around it: left out.
    near = [(i, j) for i, j in set(found) if abs(i / len(src) - j / len(tgt)) <= MAX_ANCHOR_SHIFT]
    return _monotone(sorted(near))


def _monotone(points: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest chain of ``points`` increasing in both coordinates (patience sorting)."""
    import bisect

    tails: list[int] = []
    tail_at: list[int] = []
    back: list[int] = [-1] * len(points)
    for k, (i, j) in enumerate(points):
        if k and points[k - 1][0] == i:
            continue  # one target per source token
        pos = bisect.bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_at.append(k)
        else:
            tails[pos] = j
            tail_at[pos] = k
        back[k] = tail_at[pos - 1] if pos else -1
    chain: list[tuple[int, int]] = []
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        chain.append(points[k])
        k = back[k]
    return chain[::-1]


def by_anchors(source: str, target: str, piece: tuple[int, int], chain: Sequence[tuple[int, int]]) -> Any:
    """Where ``piece`` of ``source`` falls in ``target`` by position between the nearest anchors on
    each side (the sentence's ends when there are none): :func:`compare.align.by_position`, piecewise."""
    from .align import CONFIDENCE, POSITION, Projection, by_position, words

    if not chain:
        return by_position(source, target, [piece])
    src, tgt = words(source), words(target)
    inside = [k for k, (a, b, _) in enumerate(src) if a < piece[1] and piece[0] < b]
    if not inside or not tgt:
        return Projection((), POSITION, 0.0)
    points = [(0, 0), *chain, (len(src), len(tgt))]

    def place(k: float) -> float:
        for (s0, t0), (s1, t1) in zip(points, points[1:]):
            if s0 <= k <= s1 and s1 > s0:
                return t0 + (k - s0) * (t1 - t0) / (s1 - s0)
        return k * len(tgt) / len(src)

    lo = min(int(place(inside[0])), len(tgt) - 1)
    hi = min(max(lo + 1, round(place(inside[-1] + 1))), len(tgt))
    return Projection(tuple((tgt[j][0], tgt[j][1]) for j in range(lo, hi)), POSITION, CONFIDENCE[POSITION])


# --- tracing one hop -------------------------------------------------------------------------------------


def is_one_hop(path: Path) -> bool:
    """Whether ``path`` is one translation into another language (analysed by :func:`trace_one_hop_path`)."""
    return len(path.hops) == 1 and path.hops[0].lang != path.source_lang


def trace_one_hop_path(path: Path, segments: Sequence[Segment], lexicon: Lexicon | None = None) -> tuple[Shift, ...]:
    """The shifts of every loaded term of ``segments`` in the one-hop ``path``, segment by segment."""
    from .lexicon import Lexicon

    lex = lexicon or Lexicon.default()
    hop = path.hops[0]
    out: list[Shift] = []
    for seg in segments:
        out += trace_one_hop(seg.id, seg.text, hop, path.source_lang, lex)
    return tuple(out)


def _engine_projection(hop: Hop, segment_id: int, source: str, target: str, anchor: tuple[int, int]) -> Any:
    from .align import Projection, through_links
    from .shifts import ATTENTION_TRUST

    links = hop.links(segment_id)
    if not links:
        return None
    proj = through_links(links, source, target, [anchor])
    if hop.signature.backend != "apertium":
        proj = Projection(proj.pieces, proj.method, round(proj.confidence * ATTENTION_TRUST, 2))
    return proj


def _nearest_content(text: str, span: tuple[int, int], lang: str, lexicon: Lexicon) -> tuple[int, int]:
    """``span``, or the content word nearest to it when it holds function words only."""
    from .align import content_lemmas, words

    if content_lemmas(text[span[0] : span[1]], lang, lexicon):
        return span
    middle = (span[0] + span[1]) / 2
    content = [(a, b) for a, b, w in words(text) if content_lemmas(text[a:b], lang, lexicon)]
    return min(content, key=lambda ab: abs((ab[0] + ab[1]) / 2 - middle), default=span)


def _linked_origin(links: Sequence[tuple[int, int, int, int]], source: str, start: int, end: int) -> Any:
    """The source words the engine linked to ``target[start:end]`` (an added term's origin), or ``None``."""
    from .align import CONFIDENCE, ENGINE, Projection

    pieces = tuple(sorted({(a, b) for a, b, c, d in links if c < end and start < d}))
    return Projection(pieces, ENGINE, CONFIDENCE[ENGINE]) if pieces else None


def _without(chain: Sequence[tuple[int, int]], source: str, piece: tuple[int, int]) -> list[tuple[int, int]]:
    """The anchors less the ones inside ``piece`` itself (a term is not its own anchor)."""
    from .align import words

    inside = {k for k, (a, b, _) in enumerate(words(source)) if a < piece[1] and piece[0] < b}
    return [p for p in chain if p[0] not in inside]


def trace_one_hop(segment_id: int, source: str, hop: Hop, source_lang: str, lexicon: Lexicon) -> list[Shift]:
    """The shifts of one segment's terms in its translation ``hop.segments[segment_id]`` (another language).

    Same concept, same frame: ``kept``; same concept, another frame: ``variant`` (softened or
    intensified); another concept's form where the term aligns: ``replaced`` naming it; unlisted words
    there: ``replaced`` with the words; an empty translation or nothing aligned: ``dropped``; a watched
    term of the translation no source term accounts for: ``added``.
    """
    from .align import Projection, content_lemmas, trim
    from .analysis import Shift
    from .matching import find_terms
    from .shifts import _anchor, _encloses_term, _find_all, _frame_change, _pair, _unmatched, is_quote

    target = hop.segments[segment_id] if segment_id < len(hop.segments) else ""
    lang = hop.lang
    occs = find_terms(source, source_lang, lexicon)
    if not target.strip():
        return [
            Shift(
                segment=segment_id,
                concept=o.concept,
                source_form=o.form,
                source_text=o.text,
                source_frame=o.frame,
                source_span=(o.start, o.end),
                pivot_forms=(),
                back_form=None,
                back_text=None,
                back_frame=None,
                status="dropped",
                quoted=o.quoted,
                alignment=(NONE,),
                confidence=None,
            )
            for o in occs
        ]
    found, watched = _find_all(target, lang, lexicon)
    pairs = _pair(occs, len(source), found, len(target))
    # Anchors for the position guesses: words written alike, and every concept's terms paired.
    every = find_terms(source, source_lang, lexicon, include_unwatched=True)
    term_pairs = _pair(every, len(source), found, len(target))
    chain = anchors(
        source,
        target,
        [((every[i].start, every[i].end), (found[j].start, found[j].end)) for i, j in term_pairs.items()],
    )
    consumed: set[int] = set()
    plans: list[tuple[Any, Projection, int | None]] = []
    for i, occ in enumerate(occs):
        anchor, _ = _anchor(occ, occs)
        proj = _engine_projection(hop, segment_id, source, target, anchor)
        same = None
        if proj is not None:
            hits = [j for j, o in enumerate(found) if o.concept == occ.concept and proj.overlaps(o.start, o.end)]
            same = next((j for j in hits if j not in consumed), None)
        if same is None and pairs.get(i) is not None and pairs[i] not in consumed:
            same = pairs[i]
            if proj is None or not proj.overlaps(found[same].start, found[same].end):
                proj = Projection(((found[same].start, found[same].end),), LEXICON, LEXICON_CONFIDENCE)
        if proj is None:
            proj = by_anchors(source, target, anchor, _without(chain, source, anchor))
        if same is not None:
            consumed.add(same)
        plans.append((occ, proj, same))
    shifts: list[Shift] = []
    for occ, proj, same in plans:
        common: dict[str, Any] = {
            "segment": segment_id,
            "concept": occ.concept,
            "source_form": occ.form,
            "source_text": occ.text,
            "source_frame": occ.frame,
            "source_span": (occ.start, occ.end),
            "pivot_forms": (),
            "quoted": occ.quoted,
            "alignment": (proj.method,),
            "confidence": proj.confidence,
        }
        if same is not None:
            hit = found[same]
            change = None if hit.frame == occ.frame else _frame_change(occ.frame, hit.frame)
            shifts.append(
                Shift(
                    **common,
                    back_form=hit.form,
                    back_text=hit.text,
                    back_frame=hit.frame,
                    back_concept=hit.concept,
                    back_span=(hit.start, hit.end),
                    status="kept" if change is None else "variant",
                    frame_change=change,
                )
            )
            continue
        others = sorted(
            (
                j
                for j, o in enumerate(found)
                if j not in consumed and o.concept != occ.concept and not is_quote(o) and proj.overlaps(o.start, o.end)
            ),
            key=lambda j: (j not in watched, -(found[j].end - found[j].start)),
        )
        if others:
            hit = found[others[0]]
            consumed.add(others[0])
            shifts.append(
                Shift(
                    **common,
                    back_form=hit.form,
                    back_text=hit.text,
                    back_frame=hit.frame,
                    back_concept=hit.concept,
                    back_span=(hit.start, hit.end),
                    status="replaced",
                    frame_change=_frame_change(occ.frame, hit.frame),
                    replacement=hit.text,
                )
            )
            continue
        cover = trim(target, proj.cover, lang, lexicon)
        if cover and proj.method == POSITION:
            # A position guess is no evidence of an omission: it reaches the nearest content word.
            cover = _nearest_content(target, cover, lang, lexicon)
        replaced = bool(cover) and bool(content_lemmas(target[cover[0] : cover[1]], lang, lexicon))
        shifts.append(_unmatched(common, target, cover if replaced else None))
    for j, hit in enumerate(found):
        if j in consumed or j not in watched:
            continue
        if is_quote(hit) and not _encloses_term(target, hit, found, lang, lexicon):
            continue
        origin = _linked_origin(hop.links(segment_id), source, hit.start, hit.end)
        if origin is None:
            origin = by_anchors(target, source, (hit.start, hit.end), [(j, i) for i, j in chain])
        shifts.append(
            Shift(
                segment=segment_id,
                concept=hit.concept,
                source_form=None,
                source_text=None,
                source_frame=None,
                pivot_forms=(),
                back_form=hit.form,
                back_text=hit.text,
                back_frame=hit.frame,
                back_concept=hit.concept,
                back_span=(hit.start, hit.end),
                status="added",
                replacement=origin.text(source),
                quoted=hit.quoted,
                alignment=(origin.method,),
                confidence=origin.confidence,
            )
        )
    return shifts


def analyse_translation(result: RoundTrip, **options: Any) -> RoundTrip:
    """:func:`compare.translate`'s result with the one-hop analysis attached (what ``translate --terms``
    shows): :func:`compare.analyse` without metrics (a translation is not scored against its source)."""
    from .analysis import analyse

    options.setdefault("metrics", None)
    return analyse(result, **options)
