"""mtcompare: what machine translation does to loaded words.

``import compare`` stays light: torch and transformers are imported only by the ``hf`` backend, when
it translates.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import (
    ArgumentError,
    ArgumentValueError,
    BackendUnavailableError,
    ExternalCommandError,
    InputError,
    LexiconError,
    ModelUnavailableError,
    MtcompareError,
    UnknownLanguageError,
    UnsupportedPairError,
)
from .lexicon import Lexicon
from .matching import Occurrence
from .results import Hop, HopSignature, Path, RoundTrip, Segment, Shift, Signature, Translation
from .roundtrip import roundtrip, run_path, translate
from .terms import find_terms
from .text import read_text, segment_text

__all__ = [
    "ArgumentError",
    "ArgumentValueError",
    "BackendUnavailableError",
    "ExternalCommandError",
    "Hop",
    "HopSignature",
    "InputError",
    "Lexicon",
    "Occurrence",
    "LexiconError",
    "ModelUnavailableError",
    "MtcompareError",
    "Path",
    "RoundTrip",
    "Segment",
    "Shift",
    "Signature",
    "Translation",
    "UnknownLanguageError",
    "UnsupportedPairError",
    "__version__",
    "find_terms",
    "read_text",
    "roundtrip",
    "run_path",
    "segment_text",
    "translate",
]
