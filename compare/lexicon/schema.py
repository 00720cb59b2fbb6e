"""The JSON Schema of a lexicon file, and the framing scale its labels come from.

The schema rejects unknown keys at every level, so a misspelt option (``case_sensitve``) is an error
rather than a silently ignored setting. ``README.md`` beside this file documents the format.
"""

from __future__ import annotations

from typing import Any

# The ordinal framing scale: how much a wording condemns (negative) or grants standing (positive).
FRAME_RANKS: dict[str, int] = {
    "condemning": -2,
    "delegitimising": -1,
    "neutral": 0,
    "legitimising": 1,
    "self_designation": 1,
}
FRAMES: tuple[str, ...] = tuple(FRAME_RANKS)

COMPOUND_MODES: tuple[str, ...] = ("none", "modifier", "head", "both")

CONCEPT_ID_PATTERN = r"^[a-z][a-z0-9_]*$"

FORM_OPTIONS: dict[str, Any] = {
    "form": {"type": "string", "minLength": 1, "pattern": r"\S"},
    "case_sensitive": {"type": "boolean"},
    "watch": {"type": "boolean"},
    "inflect": {"type": "boolean"},
    "compound": {"enum": list(COMPOUND_MODES)},
    "name": {"type": "boolean"},
    "alone": {"type": "boolean"},
    "note": {"type": "string"},
}

FORM_ENTRY: dict[str, Any] = {
    "if": {"type": "object"},
    "then": {"type": "object", "properties": FORM_OPTIONS, "required": ["form"], "additionalProperties": False},
    "else": {"type": "string", "minLength": 1, "pattern": r"\S"},
}

LANGUAGE_FORMS: dict[str, Any] = {
    "type": "object",
    "properties": {label: {"type": "array", "items": FORM_ENTRY} for label in FRAMES},
    "additionalProperties": False,
}

CONCEPT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "gloss": {"type": "string"},
        "note": {"type": "string"},
        "names": {"type": "boolean"},
        "absorbs": {"type": "array", "items": {"type": "string", "pattern": CONCEPT_ID_PATTERN}},
        "forms": {"type": "object", "additionalProperties": LANGUAGE_FORMS},
        "exclude": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string", "minLength": 1}},
        },
    },
    "required": ["forms"],
    "additionalProperties": False,
}

LEXICON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "mtcompare lexicon",
    "type": "object",
    "properties": {
        "version": {"const": 1},
        "description": {"type": "string"},
        "concepts": {
            "type": "object",
            "propertyNames": {"pattern": CONCEPT_ID_PATTERN},
            "additionalProperties": CONCEPT,
        },
    },
    "required": ["concepts"],
    "additionalProperties": False,
}
