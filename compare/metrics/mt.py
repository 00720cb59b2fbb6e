"""BLEU, chrF++ and TER of back-translations against their sources, through sacrebleu's own API.

A round trip's back-translation is scored as a hypothesis with the source segment as its one
reference. Scores come per segment (sacrebleu's sentence-level scores), per document and per path
(corpus-level scores over the segments), each with sacrebleu's signature string, so a number can be
reproduced with the ``sacrebleu`` command line::

    sacrebleu source.txt -i back.txt -m bleu chrf ter --chrf-word-order 2 [-l en-en]

The metrics are sacrebleu's defaults except chrF's word order 2 (chrF++). ``lang`` is the language
of source and back-translation; as on sacrebleu's command line (``-l xx-LANG``) it only picks BLEU's
tokenizer (``zh`` for Chinese, MeCab for Japanese and Korean, ``13a`` otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._checks import _fail
from ..errors import ArgumentValueError, MissingExtraError
from ._inputs import check_documents, check_ids, check_parallel, check_texts

if TYPE_CHECKING:
    from sacrebleu.metrics.base import Metric

#: The metrics, by the names sacrebleu's command line gives them (``-m bleu chrf ter``).
METRICS: tuple[str, ...] = ("bleu", "chrf", "ter")

#: Segments whose statistics are extracted at once (see :class:`_Scored`).
_CHUNK = 256

#: Extras sacrebleu needs for BLEU's tokenizer in these languages.
_TOKENIZER_EXTRAS = {"ja": "sacrebleu[ja]", "ko": "sacrebleu[ko]"}


@dataclass(frozen=True)
class MetricScore:
    """One metric's score with sacrebleu's signature.

    ``metric`` is sacrebleu's name for it (``BLEU``, ``chrF2++``, ``TER``; for TER lower is
    better), ``details`` sacrebleu's own one-line report (for BLEU the n-gram precisions, brevity
    penalty and lengths).
    """

    metric: str
    score: float
    signature: str
    details: str

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "score": self.score, "signature": self.signature, "details": self.details}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> MetricScore:
        return cls(
            metric=str(d["metric"]), score=float(d["score"]), signature=str(d["signature"]), details=str(d["details"])
        )


@dataclass(frozen=True)
class SegmentScores:
    """Sentence-level scores of one segment's back-translation against its source."""

    segment: int
    document: str
    scores: tuple[MetricScore, ...]

    def get(self, metric: str) -> MetricScore:
        """The score of one metric, by sacrebleu's name (``BLEU``) or the command line's (``bleu``)."""
        return _find(self.scores, metric)

    def to_dict(self) -> dict[str, Any]:
        return {"segment": self.segment, "document": self.document, "scores": [s.to_dict() for s in self.scores]}


@dataclass(frozen=True)
class DocumentScores:
    """Corpus-level scores over the segments of one document."""

    document: str
    segments: int
    scores: tuple[MetricScore, ...]

    def get(self, metric: str) -> MetricScore:
        return _find(self.scores, metric)

    def to_dict(self) -> dict[str, Any]:
        return {"document": self.document, "segments": self.segments, "scores": [s.to_dict() for s in self.scores]}


@dataclass(frozen=True)
class PathScores:
    """BLEU, chrF++ and TER of one path's back-translations: over the path, per document, per segment."""

    corpus: tuple[MetricScore, ...]
    documents: tuple[DocumentScores, ...]
    segments: tuple[SegmentScores, ...]
    #: sacrebleu's sufficient statistics of each metric (``bleu``, ``chrf``, ``ter``) summed over the path's
    #: segments: what a corpus of many paths adds up to its score (``mtcompare corpus``). In memory only,
    #: not in :meth:`to_dict`; empty for scores read back from a file.
    sums: Mapping[str, tuple[float, ...]] = field(default_factory=dict, compare=False, repr=False)

    def get(self, metric: str) -> MetricScore:
        """The corpus-level score of one metric, by sacrebleu's name (``BLEU``) or the command line's (``bleu``)."""
        return _find(self.corpus, metric)

    def to_dict(self) -> dict[str, Any]:
        return {
            "corpus": [s.to_dict() for s in self.corpus],
            "documents": [d.to_dict() for d in self.documents],
            "segments": [s.to_dict() for s in self.segments],
        }


def _find(scores: Sequence[MetricScore], metric: str) -> MetricScore:
    wanted = metric.lower()
    for score in scores:
        name = score.metric.lower()
        if name == wanted or name.startswith(wanted):
            return score
    raise KeyError(f"no {metric!r} score; scored: {', '.join(s.metric for s in scores)}")


def check_metrics(name: str, value: object) -> tuple[str, ...]:
    """Metric names from :data:`METRICS`: one ``str`` or a non-empty list, case-insensitive, no repeats."""
    items: tuple[object, ...]
    if isinstance(value, str):
        items = (value,)
    elif isinstance(value, (list, tuple)):
        items = tuple(value)
    else:
        raise _fail(name, f"a metric name or a list of them, from {', '.join(METRICS)}", value)
    if not items:
        raise ArgumentValueError(f"{name} is empty; choose from {', '.join(METRICS)}")
    names: list[str] = []
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise _fail(f"{name}[{i}]", f"a metric name from {', '.join(METRICS)}", item)
        key = item.strip().lower()
        if key not in METRICS:
            raise ArgumentValueError(f"unknown metric {item!r} in {name}; accepted: {', '.join(METRICS)}")
        if key not in names:
            names.append(key)
    return tuple(names)


def _primary(lang: str) -> str:
    return lang.replace("_", "-").split("-")[0].lower()


def make_metric(name: str, *, lang: str = "", sentence: bool = False) -> Metric:
    """A sacrebleu metric object as the command line makes it; ``sentence`` gives BLEU effective order.

    ``name`` is ``bleu``, ``chrf`` (chrF++: word order 2) or ``ter``.
    """
    from sacrebleu.metrics import BLEU, CHRF

    key = check_metrics("name", name)[0]
    if key == "bleu":
        trg_lang = _primary(lang)
        try:
            return BLEU(trg_lang=trg_lang, effective_order=sentence)
        except RuntimeError as exc:  # sacrebleu's MeCab tokenizers raise this when MeCab is missing
            extra = _TOKENIZER_EXTRAS.get(trg_lang)
            if extra is None:
                raise
            raise MissingExtraError(
                f"BLEU for {trg_lang!r} needs sacrebleu's {trg_lang} tokenizer ({str(exc).splitlines()[0][:120]}); "
                f"install it: pip install '{extra}'"
            ) from None
    if key == "chrf":
        return CHRF(word_order=2)
    from .ter import fast_ter  # sacrebleu's TER, its edit counts computed faster (same numbers)

    return fast_ter()


def _score(metric: Metric, value: Any) -> MetricScore:
    return MetricScore(
        metric=value.name,
        score=float(value.score),
        signature=str(metric.get_signature()),
        details=value.format(),
    )


def corpus_scores(
    sources: Sequence[str], backs: Sequence[str], *, metrics: Sequence[str] | str = METRICS, lang: str = ""
) -> tuple[MetricScore, ...]:
    """Corpus-level scores of the back-translations ``backs`` against ``sources`` (one reference each).

    Equal to what ``sacrebleu SOURCES -i BACKS -m bleu chrf ter --chrf-word-order 2`` prints.
    """
    refs = check_texts("sources", sources)
    hyps = check_texts("backs", backs)
    check_parallel(("sources", "backs"), refs, hyps)
    names = check_metrics("metrics", metrics)
    return _corpus(names, refs, hyps, lang)


def _corpus(names: Sequence[str], refs: Sequence[str], hyps: Sequence[str], lang: str) -> tuple[MetricScore, ...]:
    scored = []
    for name in names:
        metric = make_metric(name, lang=lang)
        scored.append(_score(metric, metric.corpus_score(list(hyps), [list(refs)])))
    return tuple(scored)


def sentence_scores(
    sources: Sequence[str], backs: Sequence[str], *, metrics: Sequence[str] | str = METRICS, lang: str = ""
) -> tuple[tuple[MetricScore, ...], ...]:
    """Per segment, sentence-level scores of its back-translation against its source.

    BLEU uses effective order, as ``sacrebleu --sentence-level`` does (its signature says ``eff:yes``).
    """
    refs = check_texts("sources", sources)
    hyps = check_texts("backs", backs)
    check_parallel(("sources", "backs"), refs, hyps)
    names = check_metrics("metrics", metrics)
    return _sentences(names, refs, hyps, lang)


def _sentences(
    names: Sequence[str], refs: Sequence[str], hyps: Sequence[str], lang: str
) -> tuple[tuple[MetricScore, ...], ...]:
    per_metric = [_Scored(name, refs, hyps, lang).segments() for name in names]
    return tuple(zip(*per_metric))


def add_statistics(total: list[float] | None, row: Sequence[float]) -> list[float]:
    """``row`` of sacrebleu's sufficient statistics added into ``total`` element by element (a new list
    for ``None``): segments' statistics add up so to a path's, paths' to a corpus's."""
    if total is None:
        total = [0.0] * len(row)
    for i, value in enumerate(row):
        total[i] += value
    return total


class _Scored:
    """One metric's sufficient statistics of every segment, extracted once (sacrebleu's own
    ``_extract_corpus_statistics``), and the scores made from them: per segment as
    ``metric.sentence_score`` gives them (BLEU with effective order), over any subset of segments as
    ``metric.corpus_score`` gives them. sacrebleu computes both from the same per-segment statistics
    (``_aggregate_and_compute``), so the numbers are identical to calling it segment by segment and
    set by set, without tokenising, counting n-grams and aligning TER edits twice."""

    def __init__(self, name: str, refs: Sequence[str], hyps: Sequence[str], lang: str) -> None:
        self.corpus_metric = make_metric(name, lang=lang)
        self.sentence_metric = make_metric(name, lang=lang, sentence=True)
        # In chunks: sacrebleu holds every reference's n-grams until the statistics are made (chrF's
        # character n-grams take tens of kB a segment), so memory stays flat as the corpus grows.
        self.stats: list[Any] = []
        for start in range(0, len(refs), _CHUNK):
            part = slice(start, start + _CHUNK)
            self.stats += self.corpus_metric._extract_corpus_statistics(list(hyps[part]), [list(refs[part])])
        # What sentence_score would have set while reading its one reference: one reference a segment.
        self.sentence_metric.num_refs = self.corpus_metric.num_refs
        self._sentence_signature = str(self.sentence_metric.get_signature())

    def segments(self) -> list[MetricScore]:
        """The sentence-level score of each segment."""
        metric, signature = self.sentence_metric, self._sentence_signature
        out = []
        for stats in self.stats:
            value = metric._aggregate_and_compute([stats])
            out.append(
                MetricScore(metric=value.name, score=float(value.score), signature=signature, details=value.format())
            )
        return out

    def summed(self) -> tuple[float, ...]:
        """The statistics of every segment added up, element by element."""
        total: list[float] | None = None
        for row in self.stats:
            total = add_statistics(total, row)
        return tuple(total or ())

    def over(self, indices: Sequence[int] | None = None) -> MetricScore:
        """The corpus-level score over the segments ``indices`` (in that order; all when ``None``)."""
        stats = self.stats if indices is None else [self.stats[i] for i in indices]
        return _score(self.corpus_metric, self.corpus_metric._aggregate_and_compute(stats))


def score_path(
    sources: Sequence[str],
    backs: Sequence[str],
    *,
    segment_ids: Sequence[int] | None = None,
    documents: Sequence[str] | None = None,
    metrics: Sequence[str] | str = METRICS,
    lang: str = "",
) -> PathScores:
    """Score one path's back-translations against the sources: per segment, per document, over the path.

    ``sources`` and ``backs`` hold one text per segment, in the same order; ``segment_ids`` names the
    segments (default 0, 1, ...) and ``documents`` the document of each (default: all in one, ``""``).
    Documents are listed in order of first appearance.

    >>> scores = score_path(["The cat sat on the mat."], ["The cat sat on the mat."])
    >>> round(scores.get("bleu").score, 1), scores.get("ter").score
    (100.0, 0.0)
    """
    refs = check_texts("sources", sources)
    hyps = check_texts("backs", backs)
    check_parallel(("sources", "backs"), refs, hyps)
    ids = check_ids("segment_ids", segment_ids, len(refs))
    docs = check_documents("documents", documents, len(refs))
    names = check_metrics("metrics", metrics)

    scored = [_Scored(name, refs, hyps, lang) for name in names]
    per_segment = zip(*(m.segments() for m in scored))
    segments = tuple(SegmentScores(segment=i, document=d, scores=tuple(s)) for i, d, s in zip(ids, docs, per_segment))
    by_document: dict[str, list[int]] = {}
    for index, doc in enumerate(docs):
        by_document.setdefault(doc, []).append(index)
    whole = range(len(refs))
    document_scores = tuple(
        DocumentScores(
            document=doc,
            segments=len(indices),
            scores=tuple(m.over(None if len(indices) == len(whole) else indices) for m in scored),
        )
        for doc, indices in by_document.items()
    )
    # One document holding every segment (a single text) scores as the whole path: computed once.
    corpus = document_scores[0].scores if len(document_scores) == 1 else tuple(m.over() for m in scored)
    sums = {name: m.summed() for name, m in zip(names, scored)}
    return PathScores(corpus=corpus, documents=document_scores, segments=segments, sums=sums)
