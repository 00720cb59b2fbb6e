"""The lexicon: concepts, their surface forms per language, and a framing label per form.

``default.yaml`` here is the shipped default (the wars in Syria and Iraq); ``README.md`` documents
the file format and the framing scale; ``schema.py`` holds the JSON Schema every file is checked against.
"""

from __future__ import annotations

from .loader import Concept, Form, Lexicon, canonical_lang, frame_change, frame_rank
from .schema import FRAME_RANKS, FRAMES

__all__ = [
    "FRAMES",
    "FRAME_RANKS",
    "Concept",
    "Form",
    "Lexicon",
    "canonical_lang",
    "frame_change",
    "frame_rank",
]
