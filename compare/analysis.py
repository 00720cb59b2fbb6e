"""The analysis of a translation result: loaded-term shifts, metrics, statistics and their signature.

A :class:`~compare.results.RoundTrip` records what was translated; :func:`analyse` reads it (fresh
or saved and read back with :meth:`RoundTrip.from_dict`) and returns it with an :class:`Analysis`
attached: per round-trip path the shifts of every loaded term (each with its character offsets in the
source, pivot and back segments, traced by :mod:`compare.shifts`), BLEU, chrF++ and TER of the
back-translation against the source (sacrebleu), optionally semantic similarity; over all paths the
rate of each outcome with bootstrap confidence intervals and the framing tallies (:mod:`compare.stats`),
paired comparisons of two paths, and an :class:`AnalysisSignature` naming everything that decides the
numbers (lexicon files and content hash, matcher, metrics with sacrebleu's signatures, bootstrap
settings and seed). Translating again is never needed: no backend is loaded here.
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import TYPE_CHECKING, Any

from . import _checks as check
from .errors import ArgumentValueError, ResultFormatError

if TYPE_CHECKING:
    from .lexicon import Lexicon
    from .metrics.mt import PathScores
    from .metrics.semantic import Drift, SemanticScores
    from .metrics.significance import PairedMetricTest
    from .results import RoundTrip
    from .stats import OutcomeStatistics, PairedRateTest

#: The metrics :func:`analyse` computes unless told otherwise; ``semantic`` may be added (the extra).
DEFAULT_METRICS: tuple[str, ...] = ("bleu", "chrf", "ter")
#: Every metric name :func:`analyse` accepts.
ACCEPTED_METRICS: tuple[str, ...] = ("bleu", "chrf", "ter", "semantic")
#: Modules whose source decides which terms are found and how they are traced: the matcher version.
MATCHER_MODULES: tuple[str, ...] = ("matching", "align", "shifts", "parallel", "lexicon/loader")
#: The most bootstrap resamples :func:`analyse` takes (beyond this the intervals no longer move, and
#: the resample matrix would not fit in memory on a laptop).
MAX_RESAMPLES = 100_000
#: How many most-drifted segments a semantic analysis lists per path.
DRIFTED = 5


@dataclass(frozen=True)
class Shift:
    """What became of one source occurrence of a loaded term on one path.

    ``status`` is one of kept, variant, replaced, dropped (for source occurrences) or added (a watched
    term in the back-translation with no counterpart in the source). Per pivot hop, ``pivot_texts``
    holds the text the term was translated into (its aligned span, also when no lexicon form is
    there), ``pivot_forms`` the lexicon form of the concept found in that span, ``None``, or
    ``"untranslated"`` when the engine passed the words through unknown, and ``pivot_found`` whether a
    form of the concept was found. ``back_concept`` is the concept of the back-translation's form: a
    term that turned into another concept is one ``replaced`` row naming both, with ``frame_change``.
    Offsets: ``source_span`` indexes the segment, ``pivot_spans`` each pivot's segment,
    ``back_span`` the back-translated segment. ``alignment`` names how each hop was aligned
    (``engine``, ``engine+gap``, ``lemma``, ``position``) and ``confidence`` (0–1) the weakest step.
    """

    segment: int
    concept: str
    source_form: str | None
    source_text: str | None
    source_frame: str | None
    pivot_forms: tuple[str | None, ...]
    back_form: str | None
    back_text: str | None
    back_frame: str | None
    status: str
    frame_change: str | None = None
    replacement: str | None = None
    pivot_texts: tuple[str | None, ...] = ()
    back_concept: str | None = None
    source_span: tuple[int, int] | None = None
    back_span: tuple[int, int] | None = None
    pivot_spans: tuple[tuple[int, int] | None, ...] = ()
    pivot_found: tuple[bool, ...] = ()
    quoted: bool = False
    alignment: tuple[str, ...] = ()
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "segment": self.segment,
            "concept": self.concept,
            "source_form": self.source_form,
            "source_text": self.source_text,
            "source_frame": self.source_frame,
            "source_span": list(self.source_span) if self.source_span else None,
            "pivot_forms": list(self.pivot_forms),
            "pivot_texts": list(self.pivot_texts),
            "pivot_spans": [list(s) if s else None for s in self.pivot_spans],
            "pivot_found": list(self.pivot_found),
            "back_form": self.back_form,
            "back_text": self.back_text,
            "back_frame": self.back_frame,
            "back_concept": self.back_concept,
            "back_span": list(self.back_span) if self.back_span else None,
            "status": self.status,
            "frame_change": self.frame_change,
            "replacement": self.replacement,
            "quoted": self.quoted,
            "alignment": list(self.alignment),
            "confidence": self.confidence,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Shift:
        def span(value: Any) -> tuple[int, int] | None:
            return (int(value[0]), int(value[1])) if value else None

        return cls(
            segment=int(d["segment"]),
            concept=d["concept"],
            source_form=d.get("source_form"),
            source_text=d.get("source_text"),
            source_frame=d.get("source_frame"),
            pivot_forms=tuple(d.get("pivot_forms") or ()),
            pivot_texts=tuple(d.get("pivot_texts") or ()),
            back_form=d.get("back_form"),
            back_text=d.get("back_text"),
            back_frame=d.get("back_frame"),
            status=d["status"],
            frame_change=d.get("frame_change"),
            replacement=d.get("replacement"),
            back_concept=d.get("back_concept"),
            source_span=span(d.get("source_span")),
            back_span=span(d.get("back_span")),
            pivot_spans=tuple(span(s) for s in d.get("pivot_spans") or ()),
            pivot_found=tuple(bool(x) for x in d.get("pivot_found") or ()),
            quoted=bool(d.get("quoted", False)),
            alignment=tuple(d.get("alignment") or ()),
            confidence=d.get("confidence"),
        )

    @property
    def shifted(self) -> bool:
        """Whether the term did not come back as it was (variant, replaced, dropped or added)."""
        return self.status != "kept"


# --- signature -------------------------------------------------------------------------------------


def _version() -> str:
    from . import __version__

    return __version__


#: lexicon_hash per Lexicon object (a corpus run analyses thousands of documents with one lexicon).
_LEXICON_HASHES: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def lexicon_hash(lexicon: Lexicon) -> str:
    """``sha256:`` and 16 hex digits of the merged lexicon's content (concepts, forms, frames, options,
    exclusions; not the file names or line numbers), so two runs with the same terms share it."""
    try:
        return _LEXICON_HASHES[lexicon]
    except (KeyError, TypeError):
        pass
    digest = _lexicon_hash(lexicon)
    try:
        _LEXICON_HASHES[lexicon] = digest
    except TypeError:  # not weakly referenceable
        pass
    return digest


def _lexicon_hash(lexicon: Lexicon) -> str:
    content = []
    for concept in sorted(lexicon, key=lambda c: c.id):
        content.append(
            {
                "id": concept.id,
                "absorbs": sorted(concept.absorbs),
                "exclude": {lang: sorted(v) for lang, v in sorted(concept.exclude.items())},
                "forms": {
                    lang: sorted(
                        json.dumps({**f.to_dict(), "frame": f.frame}, sort_keys=True, ensure_ascii=False) for f in forms
                    )
                    for lang, forms in sorted(concept.forms.items())
                },
            }
        )
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
    return f"sha256:{digest[:16]}"


def matcher_version() -> str:
    """The toolkit version and a hash of the matcher's and tracer's source (:data:`MATCHER_MODULES`):
    any change to how terms are found or traced changes it."""
    root = FilePath(__file__).resolve().parent
    digest = hashlib.sha256()
    for module in MATCHER_MODULES:
        digest.update((root / f"{module}.py").read_bytes())
    return f"{_version()}+{digest.hexdigest()[:12]}"


@dataclass(frozen=True)
class AnalysisSignature:
    """How an analysis was made, sacrebleu-style: a short string and JSON.

    ``str(sig)`` gives e.g.
    ``lex:default.yaml+my-terms.yaml@sha256:1f0c…|matcher:0.1.0+ab12…|bleu:[nrefs:1|…]|chrf:[…]|ter:[…]|ci:percentile-bootstrap|unit:segment|n:1000|seed:12345|conf:0.95|numpy:2.1.3|version:0.1.0``;
    the toolkit version comes last. The translation signature (``RoundTrip.signature``) is separate.
    """

    lexicon_files: tuple[str, ...]
    lexicon_hash: str
    matcher: str
    metrics: tuple[tuple[str, str], ...] = ()
    bootstrap: str | None = None
    resamples: int | None = None
    seed: int | None = None
    version: str = field(default_factory=_version)

    def __str__(self) -> str:
        parts = [f"lex:{'+'.join(self.lexicon_files) or 'none'}@{self.lexicon_hash}", f"matcher:{self.matcher}"]
        parts += [f"{name}:[{sig}]" for name, sig in self.metrics]
        if self.bootstrap:
            parts.append(self.bootstrap)
        parts.append(f"version:{self.version}")
        return "|".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "short": str(self),
            "lexicon": {"files": list(self.lexicon_files), "hash": self.lexicon_hash},
            "matcher": self.matcher,
            "metrics": {name: sig for name, sig in self.metrics},
            "bootstrap": self.bootstrap,
            "resamples": self.resamples,
            "seed": self.seed,
            "version": self.version,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> AnalysisSignature:
        return cls(
            lexicon_files=tuple(d["lexicon"]["files"]),
            lexicon_hash=str(d["lexicon"]["hash"]),
            matcher=str(d["matcher"]),
            metrics=tuple((str(k), str(v)) for k, v in dict(d.get("metrics") or {}).items()),
            bootstrap=d.get("bootstrap"),
            resamples=d.get("resamples"),
            seed=d.get("seed"),
            version=str(d["version"]),
        )


# --- per path and over paths -------------------------------------------------------------------------


@dataclass(frozen=True)
class PathAnalysis:
    """What the analysis found on one round-trip path (``path`` is its name, ``RoundTrip.path(name)``).

    ``shifts`` holds one row per loaded-term occurrence with its offsets; ``scores`` BLEU, chrF++ and
    TER per segment, document and path (``None`` when no metric was asked for); ``semantic`` the
    similarities and ``drifted`` the segments whose meaning drifted most (``None``/empty unless the
    ``semantic`` metric was asked for).
    """

    path: str
    shifts: tuple[Shift, ...] = ()
    scores: PathScores | None = None
    semantic: SemanticScores | None = None
    drifted: tuple[Drift, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "shifts": [s.to_dict() for s in self.shifts],
            "scores": self.scores.to_dict() if self.scores is not None else None,
            "semantic": self.semantic.to_dict() if self.semantic is not None else None,
            "drifted": [d.to_dict() for d in self.drifted],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PathAnalysis:
        return cls(
            path=str(d["path"]),
            shifts=tuple(Shift.from_dict(s) for s in d.get("shifts") or ()),
            scores=_path_scores(d["scores"]) if d.get("scores") else None,
            semantic=_semantic(d["semantic"]) if d.get("semantic") else None,
            drifted=tuple(_drift(x) for x in d.get("drifted") or ()),
        )


@dataclass(frozen=True)
class PathComparison:
    """Two paths compared on the same segments: sacrebleu's paired test of the metrics (``None``
    without metrics) and a paired permutation test of the rate of shifted terms."""

    a: str
    b: str
    metrics: PairedMetricTest | None
    shift_rate: PairedRateTest

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "metrics": self.metrics.to_dict() if self.metrics is not None else None,
            "shift_rate": self.shift_rate.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PathComparison:
        return cls(
            a=str(d["a"]),
            b=str(d["b"]),
            metrics=_paired_metrics(d["metrics"]) if d.get("metrics") else None,
            shift_rate=_paired_rate(d["shift_rate"]),
        )


@dataclass(frozen=True)
class Analysis:
    """Everything :func:`analyse` found in a translation result, and how (``signature``)."""

    signature: AnalysisSignature
    paths: tuple[PathAnalysis, ...]
    statistics: OutcomeStatistics | None = None
    comparisons: tuple[PathComparison, ...] = ()

    def path(self, name: str) -> PathAnalysis:
        """The analysis of one path, by its name."""
        for p in self.paths:
            if p.path == name:
                return p
        raise KeyError(name)

    @property
    def shifts(self) -> tuple[Shift, ...]:
        """Every path's shifts, path after path."""
        return tuple(s for p in self.paths for s in p.shifts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "signature": self.signature.to_dict(),
            "paths": [p.to_dict() for p in self.paths],
            "statistics": self.statistics.to_dict() if self.statistics is not None else None,
            "comparisons": [c.to_dict() for c in self.comparisons],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Analysis:
        return cls(
            signature=AnalysisSignature.from_dict(d["signature"]),
            paths=tuple(PathAnalysis.from_dict(p) for p in d["paths"]),
            statistics=_statistics(d["statistics"]) if d.get("statistics") else None,
            comparisons=tuple(PathComparison.from_dict(c) for c in d.get("comparisons") or ()),
        )


# --- reading the metric and statistics types back --------------------------------------------------


def _path_scores(d: Mapping[str, Any]) -> PathScores:
    from .metrics.mt import DocumentScores, MetricScore, PathScores, SegmentScores

    def scores(items: Any) -> tuple[MetricScore, ...]:
        return tuple(MetricScore.from_dict(s) for s in items)

    return PathScores(
        corpus=scores(d["corpus"]),
        documents=tuple(
            DocumentScores(document=str(x["document"]), segments=int(x["segments"]), scores=scores(x["scores"]))
            for x in d["documents"]
        ),
        segments=tuple(
            SegmentScores(segment=int(x["segment"]), document=str(x["document"]), scores=scores(x["scores"]))
            for x in d["segments"]
        ),
    )


def _semantic(d: Mapping[str, Any]) -> SemanticScores:
    from .metrics.semantic import SegmentSimilarity, SemanticScores

    return SemanticScores(
        model=str(d["model"]),
        signature=str(d["signature"]),
        segments=tuple(
            SegmentSimilarity(
                segment=int(x["segment"]),
                document=str(x["document"]),
                similarity=float(x["similarity"]),
                source=str(x["source"]),
                back=str(x["back"]),
            )
            for x in d["segments"]
        ),
    )


def _drift(d: Mapping[str, Any]) -> Drift:
    from .metrics.semantic import Drift

    return Drift(
        segment=int(d["segment"]),
        document=str(d["document"]),
        similarity=float(d["similarity"]),
        source=str(d["source"]),
        back=str(d["back"]),
        term_shifted=d.get("term_shifted"),
    )


def _settings(d: Mapping[str, Any]) -> Any:
    from .stats import BootstrapSettings

    return BootstrapSettings(resamples=int(d["resamples"]), seed=d.get("seed"), confidence=float(d["confidence"]))


def _statistics(d: Mapping[str, Any]) -> OutcomeStatistics:
    from .stats import FramingTally, OutcomeRate, OutcomeStatistics

    rate_fields = OutcomeRate.__dataclass_fields__
    tally_fields = ("path", "concept", "softened", "intensified", "same_frame")
    return OutcomeStatistics(
        settings=_settings(d["settings"]),
        rates=tuple(OutcomeRate(**{k: r[k] for k in rate_fields}) for r in d["rates"]),
        framing=tuple(FramingTally(**{k: f[k] for k in tally_fields}) for f in d["framing"]),
    )


def _paired_metrics(d: Mapping[str, Any]) -> PairedMetricTest:
    from .metrics.significance import PairedMetricTest, PairedScore

    score_fields = [k for k in PairedScore.__dataclass_fields__]
    return PairedMetricTest(
        method=str(d["method"]),
        baseline=str(d["baseline"]),
        system=str(d["system"]),
        samples=int(d["samples"]),
        seed=int(d["seed"]),
        segments=int(d["segments"]),
        differing_segments=int(d["differing_segments"]),
        scores=tuple(PairedScore(**{k: s[k] for k in score_fields}) for s in d["scores"]),
    )


def _paired_rate(d: Mapping[str, Any]) -> PairedRateTest:
    from .stats import PairedRateTest

    plain = [k for k in PairedRateTest.__dataclass_fields__ if k not in ("outcomes", "settings")]
    return PairedRateTest(**{k: d[k] for k in plain}, outcomes=tuple(d["outcomes"]), settings=_settings(d["bootstrap"]))


# --- analyse -------------------------------------------------------------------------------------------


def _check_metric_names(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = (value,)
    items = check._items("metrics", value, f"a list of metric names from {', '.join(ACCEPTED_METRICS)}")
    names: list[str] = []
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise check._fail(f"metrics[{i}]", f"a metric name from {', '.join(ACCEPTED_METRICS)}", item)
        key = item.strip().lower()
        if key not in ACCEPTED_METRICS:
            raise ArgumentValueError(f"unknown metric {item!r}; accepted: {', '.join(ACCEPTED_METRICS)}")
        if key not in names:
            names.append(key)
    return tuple(names)


def _check_pairs(value: object) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    expected = "a list of (path, path) pairs such as [('en>es>en (apertium)', 'en>ca>en (apertium)')]"
    items = check._items("compare", value, expected)
    pairs = []
    for i, item in enumerate(items):
        if isinstance(item, str) or not isinstance(item, (tuple, list)) or len(item) != 2:
            raise check._fail(f"compare[{i}]", "a pair of path names", item)
        a, b = (check.check_str(f"compare[{i}][{k}]", x, empty=False) for k, x in enumerate(item))
        pairs.append((a, b))
    return tuple(pairs)


def _outcomes(shifts: Sequence[Shift]) -> list[Any]:
    from .stats import Outcome

    return [Outcome(s.segment, s.concept, s.status, s.frame_change, s.back_concept) for s in shifts]


def prepare(lexicon: Lexicon | None, langs: Sequence[str], metrics: Sequence[str] = ()) -> threading.Thread:
    """Start loading what an analysis of ``langs`` will need, in a background thread; join it before analysing.

    The lexicon, each language's matcher (its forms compiled, its lemma dictionary read) and sacrebleu
    take most of a first analysis's time in a fresh process; :func:`compare.roundtrip` loads them while
    the engine translates. Any error is left for the analysis itself to raise, with its own message.
    """

    def load() -> None:
        from .lexicon import Lexicon
        from .matching import matcher_for

        try:
            lex = lexicon if lexicon is not None else Lexicon.default()
            for lang in dict.fromkeys(langs):
                matcher_for(lang, lex)
            if any(m != "semantic" for m in metrics):
                import sacrebleu.metrics  # noqa: F401  (mt imports it only when a metric is made)
        except Exception:  # noqa: BLE001  (reported by the analysis, which runs the same steps)
            pass

    thread = threading.Thread(target=load, name="mtcompare-prepare-analysis", daemon=True)
    thread.start()
    return thread


def analyse(
    result: RoundTrip,
    *,
    lexicon: Any = None,
    metrics: Sequence[str] | str | None = DEFAULT_METRICS,
    statistics: bool = True,
    compare: Sequence[tuple[str, str]] | None = None,
    method: str = "bs",
    resamples: int = 1000,
    seed: int = 12345,
    confidence: float = 0.95,
    semantic_model: str | None = None,
) -> RoundTrip:
    """Analyse a translation result: ``result`` with its :class:`Analysis` attached (replacing any).

    Every round-trip path (one that ends in the source language) gets its loaded-term shifts,
    traced with ``lexicon`` (``None``: the default; a :class:`~compare.Lexicon`, or lexicon file
    paths loaded on top of the default) and the ``metrics`` asked for (``bleu``, ``chrf`` — chrF++ —
    and ``ter`` through sacrebleu, by default all three; ``semantic`` adds sentence-embedding
    similarity and needs the ``semantic`` extra; ``None`` or ``[]`` for none). With ``statistics``
    the rate of each outcome per concept and path gets a percentile bootstrap CI over segments
    (``resamples``, ``seed``, ``confidence``) and the framing tallies. ``compare`` names pairs of
    paths to test against each other: sacrebleu's paired ``method`` (``bs`` bootstrap, ``ar``
    approximate randomisation) for the metrics and a paired permutation test of the shift rate.
    No backend is loaded: a saved result (:meth:`RoundTrip.from_dict`) is analysed as it was written.

    A one-hop path into another language (:func:`compare.translate`, :func:`compare.parallel`) gets
    its shifts too, by the cross-lingual rules of :mod:`compare.parallel` (the translation's forms in
    the ``back_*`` fields), and takes part in the statistics and the paired shift-rate test; it has no
    metrics (a translation is not scored against its source) and none of its comparisons a metric test.

    >>> import compare
    >>> saved = compare.RoundTrip.from_dict(json.load(open("result.json")))  # doctest: +SKIP
    >>> again = compare.analyse(saved, lexicon="my-terms.yaml", metrics=["bleu"])  # doctest: +SKIP
    >>> str(again.analysis.signature)  # doctest: +SKIP
    'lex:default.yaml+my-terms.yaml@sha256:…|matcher:…|bleu:[nrefs:1|…]|ci:percentile-bootstrap|…|version:0.1.0'
    """
    from .lexicon import Lexicon
    from .parallel import is_one_hop, trace_one_hop_path
    from .results import RoundTrip
    from .shifts import trace_path

    if not isinstance(result, RoundTrip):
        raise check._fail("result", "a RoundTrip (from compare.roundtrip or RoundTrip.from_dict)", result)
    lex = check.check_lexicon("lexicon", lexicon) or Lexicon.default()
    chosen = _check_metric_names(metrics)
    check.check_bool("statistics", statistics)
    pairs = _check_pairs(compare)
    if method not in ("bs", "ar"):
        raise ArgumentValueError(
            f"unknown method {method!r}; accepted: bs (paired bootstrap), ar (approximate randomisation)"
        )
    if isinstance(resamples, bool) or not isinstance(resamples, int) or not 1 <= resamples <= MAX_RESAMPLES:
        raise check._fail("resamples", f"an int from 1 to {MAX_RESAMPLES:,}", resamples)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 1 <= seed < 2**32:
        raise check._fail("seed", "an int from 1 to 2**32 - 1 (sacrebleu treats 0 as no seed)", seed)
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise check._fail("confidence", "a float between 0 and 1, such as 0.95", confidence)
    if semantic_model is not None:
        check.check_str("semantic_model", semantic_model, empty=False)

    mt_metrics = tuple(m for m in chosen if m != "semantic")
    roundtrips = [p for p in result.paths if p.is_roundtrip or is_one_hop(p)]
    names = [p.name for p in roundtrips]
    resolved = []
    for a, b in pairs:
        full = []
        for name in (a, b):
            try:
                found = result.path(name)
            except (KeyError, IndexError):
                found = None
            if found is None or found.name not in names:
                raise ArgumentValueError(
                    f"compare names path {name!r}, which is not one analysed path of this result; "
                    f"the analysed paths (round trips and one-hop translations) are: {', '.join(names) or 'none'}"
                )
            full.append(found.name)
        if full[0] == full[1]:
            raise ArgumentValueError(f"compare pairs a path with itself ({full[0]!r}); name two different paths")
        resolved.append((full[0], full[1]))
    pairs = tuple(resolved)

    ids = [s.id for s in result.segments]
    documents = [s.document for s in result.segments]
    sources = [s.text for s in result.segments]
    model = None
    if "semantic" in chosen and any(p.is_roundtrip for p in roundtrips):
        from .metrics.semantic import load_model

        model = load_model(semantic_model)

    analysed: list[PathAnalysis] = []
    for path in roundtrips:
        scores = semantic = None
        drifted: tuple[Any, ...] = ()
        if not path.is_roundtrip:  # one hop into another language: shifts only
            analysed.append(PathAnalysis(path=path.name, shifts=trace_one_hop_path(path, result.segments, lex)))
            continue
        traced = trace_path(path, result.segments, lex)
        backs = list(path.back.segments)
        if mt_metrics:
            from .metrics.mt import score_path

            scores = score_path(
                sources, backs, segment_ids=ids, documents=documents, metrics=mt_metrics, lang=result.source_lang
            )
        if model is not None:
            from .metrics.semantic import most_drifted, similarities

            semantic = similarities(sources, backs, segment_ids=ids, documents=documents, model=model)
            shifted = {s.segment for s in traced if s.shifted}
            drifted = most_drifted(semantic, DRIFTED, shifted_segments=shifted)
        analysed.append(PathAnalysis(path=path.name, shifts=traced, scores=scores, semantic=semantic, drifted=drifted))

    stats = None
    bootstrap = None
    if statistics:
        from .stats import BootstrapSettings, outcome_statistics

        stats = outcome_statistics(
            {p.path: _outcomes(p.shifts) for p in analysed},
            segments=ids,
            resamples=resamples,
            seed=seed,
            confidence=confidence,
        )
        bootstrap = BootstrapSettings(resamples=resamples, seed=seed, confidence=float(confidence)).signature

    comparisons = []
    for a, b in pairs:
        from .metrics.significance import paired_test
        from .stats import paired_shift_test

        pa, pb = result.path(a), result.path(b)
        metric_test = None
        if mt_metrics and pa.is_roundtrip and pb.is_roundtrip:
            metric_test = paired_test(
                sources,
                list(pa.back.segments),
                list(pb.back.segments),
                names=(a, b),
                method=method,
                metrics=mt_metrics,
                seed=seed,
                lang=result.source_lang,
            )
        rate_test = paired_shift_test(
            _outcomes(next(p for p in analysed if p.path == a).shifts),
            _outcomes(next(p for p in analysed if p.path == b).shifts),
            names=(a, b),
            segments=ids,
            resamples=resamples,
            seed=seed,
            confidence=confidence,
        )
        comparisons.append(PathComparison(a=a, b=b, metrics=metric_test, shift_rate=rate_test))

    metric_signatures = _metric_signatures(mt_metrics, analysed)
    if model is not None:
        from .metrics.semantic import signature as semantic_signature

        metric_signatures.append(("semantic", semantic_signature(model)))
    signature = AnalysisSignature(
        lexicon_files=tuple(FilePath(s).name for s in lex.sources),
        lexicon_hash=lexicon_hash(lex),
        matcher=matcher_version(),
        metrics=tuple(metric_signatures),
        bootstrap=bootstrap,
        resamples=resamples if statistics or pairs else None,
        seed=seed if statistics or pairs else None,
    )
    analysis = Analysis(signature=signature, paths=tuple(analysed), statistics=stats, comparisons=tuple(comparisons))
    return result.with_analysis(analysis)


def _metric_signatures(names: Sequence[str], analysed: Sequence[PathAnalysis]) -> list[tuple[str, str]]:
    """sacrebleu's corpus-level signature of each metric, as ``sacrebleu`` prints it (none if nothing was scored)."""
    scored = next((p.scores for p in analysed if p.scores is not None), None)
    if scored is None:
        return []
    return [(name, score.signature) for name, score in zip(names, scored.corpus)]


def require_analysis(result: RoundTrip) -> Analysis:
    """``result.analysis``, or a one-line error saying how to get one."""
    if result.analysis is None:
        raise ResultFormatError("this result was not analysed (analysis: null); run compare.analyse(result) first")
    return result.analysis
