"""Rows of an analysed result, built once for every tabular output: tidy occurrence rows and summary rows.

:func:`tidy` gives one flat row per loaded-term occurrence and path (CSV, JSON Lines, a DataFrame);
:func:`summary` one row per concept (and all concepts) and path with each outcome's count, rate and
confidence interval and the framing tallies (terminal, Markdown and LaTeX tables). Both read
``result.analysis``; a result that was not analysed raises :class:`~compare.errors.ResultFormatError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import MissingExtraError

if TYPE_CHECKING:
    from .results import RoundTrip

STATUSES: tuple[str, ...] = ("kept", "variant", "replaced", "dropped", "added")
FRAMINGS: tuple[str, ...] = ("softened", "intensified", "same_frame")
#: The concept label of the rows that pool every concept.
ALL = "(all)"


def tidy(result: RoundTrip) -> list[dict[str, Any]]:
    """One flat row per occurrence and path, with document, segment id and text, offsets, pivot and
    back spans, outcome and framing (and the segment's metrics when they were computed).

    >>> import compare
    >>> rows = compare.tidy(compare.roundtrip("Daesh attacked.", via="es"))  # doctest: +SKIP
    >>> rows[0]["document"], rows[0]["segment"], rows[0]["status"]  # doctest: +SKIP
    ('', 0, 'kept')
    """
    from .analysis import require_analysis

    analysis = require_analysis(result)
    segments = {s.id: s for s in result.segments}
    rows = []
    for pa in analysis.paths:
        path = result.path(pa.path)
        per_segment: dict[int, dict[str, float]] = {}
        if pa.scores is not None:
            for seg_scores in pa.scores.segments:
                per_segment[seg_scores.segment] = {
                    f"segment_{s.metric.lower().rstrip('+').replace('chrf2', 'chrf')}": s.score
                    for s in seg_scores.scores
                }
        similarity = {s.segment: s.similarity for s in pa.semantic.segments} if pa.semantic is not None else {}
        for s in pa.shifts:
            seg = segments.get(s.segment)
            row: dict[str, Any] = {
                "path": path.name,
                "system": path.system_name,
                "langs": path.langs,
                "backends": "+".join(path.backends),
                "document": seg.document if seg else "",
                "segment": s.segment,
                "segment_text": seg.text if seg else "",
                "back_segment_text": path.back.segments[s.segment] if s.segment < len(path.back.segments) else "",
            }
            d = s.to_dict()
            forms, texts = d.pop("pivot_forms"), d.pop("pivot_texts")
            spans, found = d.pop("pivot_spans"), d.pop("pivot_found")
            d.pop("segment")
            for side in ("source", "back"):
                span = d.pop(f"{side}_span")
                row[f"{side}_start"], row[f"{side}_end"] = span if span else (None, None)
            d["alignment"] = "+".join(d["alignment"])
            row.update(d)
            for k, pivot in enumerate(path.pivots):
                span = spans[k] if k < len(spans) else None
                row[f"pivot{k + 1}_lang"] = pivot
                row[f"pivot{k + 1}_form"] = forms[k] if k < len(forms) else None
                row[f"pivot{k + 1}_text"] = texts[k] if k < len(texts) else None
                row[f"pivot{k + 1}_found"] = found[k] if k < len(found) else None
                row[f"pivot{k + 1}_start"], row[f"pivot{k + 1}_end"] = span if span else (None, None)
            row.update(per_segment.get(s.segment, {}))
            if similarity:
                row["segment_similarity"] = similarity.get(s.segment)
            rows.append(row)
    return rows


def summary(result: RoundTrip) -> list[dict[str, Any]]:
    """Per path and concept (and ``(all)`` concepts), each outcome's count, rate and CI, and the framing tallies.

    Keys: ``path``, ``concept``, ``source_occurrences``, ``back_occurrences``; per outcome
    ``kept``, ``kept_rate``, ``kept_ci_low``, ``kept_ci_high`` (rates over source occurrences;
    ``added`` over back-translation occurrences; ``None`` with a zero denominator or without
    statistics); ``softened``, ``intensified``, ``same_frame`` (a same-frame swap).

    >>> import compare
    >>> rows = compare.summary(compare.roundtrip(text, via=["es", "ca"]))  # doctest: +SKIP
    >>> rows[0]["concept"], rows[0]["kept"], rows[0]["kept_rate"], rows[0]["kept_ci_low"]  # doctest: +SKIP
    ('isis', 4, 1.0, 1.0)
    """
    from .analysis import require_analysis

    analysis = require_analysis(result)
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def row_for(path: str, concept: str) -> dict[str, Any]:
        if (path, concept) not in rows:
            row: dict[str, Any] = {"path": path, "concept": concept, "source_occurrences": 0, "back_occurrences": 0}
            for status in STATUSES:
                row.update({status: 0, f"{status}_rate": None, f"{status}_ci_low": None, f"{status}_ci_high": None})
            row.update(dict.fromkeys(FRAMINGS, 0))
            rows[(path, concept)] = row
        return rows[(path, concept)]

    from .stats import FRAME_CHANGES

    for pa in analysis.paths:
        for s in pa.shifts:
            for concept in (s.concept, ALL):
                row = row_for(pa.path, concept)
                row[s.status] += 1
                if s.frame_change in FRAME_CHANGES:
                    row[FRAME_CHANGES[s.frame_change]] += 1
    if analysis.statistics is not None:
        for r in analysis.statistics.rates:
            concept = ALL if r.concept is None else r.concept
            if (r.path, concept) not in rows:
                continue
            row = rows[(r.path, concept)]
            row[f"{r.outcome}_rate"], row[f"{r.outcome}_ci_low"], row[f"{r.outcome}_ci_high"] = (
                r.rate,
                r.ci_low,
                r.ci_high,
            )
            key = "back_occurrences" if r.outcome == "added" else "source_occurrences"
            row[key] = r.denominator
    else:
        for row in rows.values():
            row["source_occurrences"] = sum(row[s] for s in STATUSES if s != "added")
    order = {pa.path: i for i, pa in enumerate(analysis.paths)}
    return sorted(rows.values(), key=lambda r: (r["concept"] == ALL, r["concept"], order.get(r["path"], 0)))


def metric_rows(result: RoundTrip) -> list[dict[str, Any]]:
    """Per path the corpus-level scores (``BLEU``, ``chrF2++``, ``TER``, ``semantic`` mean) and their signatures."""
    from .analysis import require_analysis

    rows = []
    for pa in require_analysis(result).paths:
        row: dict[str, Any] = {"path": pa.path}
        if pa.scores is not None:
            for s in pa.scores.corpus:
                row[s.metric] = s.score
        if pa.semantic is not None:
            row["semantic"] = pa.semantic.mean
        rows.append(row)
    return rows


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise MissingExtraError(
            "to_dataframe needs pandas; install the extra: pip install 'mtcompare[pandas]'"
        ) from None
    return pandas


def to_dataframe(result: RoundTrip, kind: str = "occurrences") -> Any:
    """A pandas DataFrame of an analysed result: ``occurrences`` (the :func:`tidy` rows, the default),
    ``summary`` (:func:`summary`) or ``metrics`` (:func:`metric_rows`). pandas is the ``pandas`` extra.

    >>> import compare
    >>> df = compare.to_dataframe(compare.roundtrip(text, via=["es", "ca"]))  # doctest: +SKIP
    >>> df.groupby(["path", "status"]).size()  # doctest: +SKIP
    """
    from .errors import ArgumentValueError

    makers = {"occurrences": tidy, "summary": summary, "metrics": metric_rows}
    if kind not in makers:
        raise ArgumentValueError(f"unknown kind {kind!r}; accepted: {', '.join(makers)}")
    rows = makers[kind](result)
    return _pandas().DataFrame(rows)
