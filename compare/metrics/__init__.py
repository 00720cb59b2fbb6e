"""Metrics of back-translations against their sources, one module per idea (as in sacrebleu's ``metrics/``).

* :mod:`compare.metrics.mt` — BLEU, chrF++ and TER through sacrebleu, per segment, document and path.
* :mod:`compare.metrics.significance` — sacrebleu's paired bootstrap and approximate randomisation
  tests between two systems or pivots on the same segments.
* :mod:`compare.metrics.semantic` — cosine similarity of source and back-translation with
  sentence-transformers (the ``semantic`` extra), and the segments whose meaning drifted most.

Importing this package imports none of sacrebleu, numpy, torch or sentence-transformers; each
function imports what it needs when called.
"""

from __future__ import annotations

from .mt import (
    METRICS,
    DocumentScores,
    MetricScore,
    PathScores,
    SegmentScores,
    corpus_scores,
    score_path,
    sentence_scores,
)
from .semantic import DEFAULT_MODEL, Drift, SegmentSimilarity, SemanticScores, load_model, most_drifted, similarities
from .significance import PairedMetricTest, PairedScore, paired_test

__all__ = [
    "DEFAULT_MODEL",
    "METRICS",
    "DocumentScores",
    "Drift",
    "MetricScore",
    "PairedMetricTest",
    "PairedScore",
    "PathScores",
    "SegmentScores",
    "SegmentSimilarity",
    "SemanticScores",
    "corpus_scores",
    "load_model",
    "most_drifted",
    "paired_test",
    "score_path",
    "sentence_scores",
    "similarities",
]
