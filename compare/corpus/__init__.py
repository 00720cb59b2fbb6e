"""Corpus runs: many documents streamed through round trips, resumable, on this machine or a Ray cluster.

- :class:`CorpusReader` reads a folder of .txt files, JSON Lines, CSV/TSV or stdin, one document at a time;
- :func:`pipe` yields one analysed :class:`DocumentResult` per document, batching segments across documents;
- :func:`run_corpus` writes a resumable output folder (``documents.jsonl``, ``summary.json``);
- :func:`make_executor` chooses where translations run (``local`` threads, or ``ray``).
"""

from .driver import CHUNK_SEGMENTS, CorpusProgress, DocumentResult, pipe
from .executor import Executor, LocalExecutor, TranslationJob, make_executor
from .reader import CorpusReader, Document
from .run import CorpusSummary, aggregate, run_corpus

__all__ = [
    "CHUNK_SEGMENTS",
    "CorpusProgress",
    "CorpusReader",
    "CorpusSummary",
    "Document",
    "DocumentResult",
    "Executor",
    "LocalExecutor",
    "TranslationJob",
    "aggregate",
    "make_executor",
    "pipe",
    "run_corpus",
]
