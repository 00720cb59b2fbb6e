"""mtcompare: what machine translation does to loaded words.

A study in a few lines (see the README's library section for a complete one)::

    import compare

    result = compare.roundtrip_documents({"a.txt": text_a, "b.txt": text_b}, "en", via=["es", "ca"])
    df = compare.to_dataframe(result)          # one row per term occurrence and path (pandas extra)
    rows = compare.summary(result)             # rates with 95 % CIs and framing tallies per concept and path
    again = compare.analyse(result, lexicon="my-terms.yaml")   # re-analyse without translating
    for doc in compare.pipe(compare.CorpusReader("news.jsonl"), via=["es"]):   # a corpus, streamed
        print(doc.id, doc.result.analysis.paths[0].shifts)

Translation results (:class:`RoundTrip`, :class:`Path`, :class:`Hop`, :class:`Segment`,
:class:`Signature`) and analysis results (:class:`Analysis`: :class:`Shift` rows with offsets,
metrics, statistics, :class:`AnalysisSignature`) are separate types; ``RoundTrip.analysis`` holds the
analysis, or ``None``. ``import compare`` stays light: torch, transformers, sentence-transformers,
pandas and numpy are imported only by the code that needs them.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .analysis import Analysis, AnalysisSignature, PathAnalysis, PathComparison, Shift, analyse
from .backends.base import Backend, backend_names, get_backend_class, load_backend, register_backend
from .cache import TranslationCache
from .corpus import CorpusReader, DocumentResult, pipe, run_corpus
from .errors import (
    ArgumentError,
    ArgumentValueError,
    BackendUnavailableError,
    CacheError,
    CacheWarning,
    ExternalCommandError,
    InputError,
    LanguageFallbackWarning,
    LexiconError,
    MissingExtraError,
    ModelUnavailableError,
    MtcompareError,
    MtcompareWarning,
    OutputError,
    ResultFormatError,
    TranslationFileError,
    UnknownLanguageError,
    UnsupportedPairError,
)
from .lexicon import Lexicon
from .matching import Occurrence
from .parallel import ParallelText, align_sentences, pair_texts, parallel
from .results import SCHEMA_VERSION, Hop, HopSignature, Path, RoundTrip, Segment, Signature, Translation
from .roundtrip import HopProgress, name_systems, roundtrip, roundtrip_documents, run_path, translate
from .sampling import Stability, TermStability, sample_roundtrip
from .tables import summary, tidy, to_dataframe
from .terms import find_terms
from .text import read_text, segment_text

__all__ = [
    "SCHEMA_VERSION",
    "Analysis",
    "AnalysisSignature",
    "ArgumentError",
    "ArgumentValueError",
    "Backend",
    "CorpusReader",
    "DocumentResult",
    "BackendUnavailableError",
    "CacheError",
    "CacheWarning",
    "ExternalCommandError",
    "Hop",
    "HopProgress",
    "HopSignature",
    "InputError",
    "LanguageFallbackWarning",
    "Lexicon",
    "LexiconError",
    "MissingExtraError",
    "ModelUnavailableError",
    "MtcompareError",
    "MtcompareWarning",
    "Occurrence",
    "OutputError",
    "Path",
    "PathAnalysis",
    "ParallelText",
    "PathComparison",
    "ResultFormatError",
    "RoundTrip",
    "Segment",
    "Shift",
    "Signature",
    "Stability",
    "TermStability",
    "Translation",
    "TranslationCache",
    "TranslationFileError",
    "UnknownLanguageError",
    "UnsupportedPairError",
    "__version__",
    "align_sentences",
    "analyse",
    "backend_names",
    "find_terms",
    "get_backend_class",
    "load_backend",
    "name_systems",
    "pair_texts",
    "parallel",
    "pipe",
    "read_text",
    "register_backend",
    "roundtrip",
    "roundtrip_documents",
    "run_corpus",
    "run_path",
    "sample_roundtrip",
    "segment_text",
    "summary",
    "tidy",
    "to_dataframe",
    "translate",
]
