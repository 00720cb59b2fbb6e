"""Model presets (``models/*.yaml``): which model translates which pair, and each family's language codes.

Shared by the model backends (``hf``, ``ct2``). The shipped file is ``models/hf.yaml`` (installed as
the package ``compare.models``); it is read with the lexicon's checked YAML loader (keys as written,
duplicate keys refused) and checked against :data:`PRESET_SCHEMA`, so every error names FILE:LINE.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import BackendUnavailableError, LexiconError

#: The model families a preset may name (see :mod:`compare.backends.families`).
FAMILIES = ("marian", "nllb", "m2m100")
#: The shipped preset file, in the package ``compare.models`` (the repository's ``models/``).
PRESET_FILE = "hf.yaml"
_PAIR = r"^[a-z]{2,3}-[a-z]{2,3}$"
_LANG = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,4})?$"

PRESET_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["version", "default", "presets", "codes"],
    "properties": {
        "version": {"const": 1},
        "default": {"type": "string"},
        "presets": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["description", "family"],
                "oneOf": [{"required": ["model"]}, {"required": ["template"]}],
                "properties": {
                    "description": {"type": "string"},
                    "family": {"enum": list(FAMILIES)},
                    "model": {"type": "string", "minLength": 1},
                    "template": {"type": "string", "pattern": r"\{src\}.*\{tgt\}|\{tgt\}.*\{src\}"},
                    "pairs": {"type": "array", "uniqueItems": True, "items": {"type": "string", "pattern": _PAIR}},
                    "overrides": {
                        "type": "object",
                        "propertyNames": {"pattern": _PAIR},
                        "additionalProperties": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["model"],
                            "properties": {
                                "model": {"type": "string", "minLength": 1},
                                "target_token": {"type": "string", "pattern": r"^>>\S+<<$"},
                            },
                        },
                    },
                },
            },
        },
        "codes": {
            "type": "object",
            "propertyNames": {"enum": list(FAMILIES)},
            "additionalProperties": {
                "type": "object",
                "propertyNames": {"pattern": _LANG},
                "additionalProperties": {"type": "string", "minLength": 1},
            },
        },
    },
}


@dataclass(frozen=True)
class ModelChoice:
    """The model that serves one pair, and the ``>>id<<`` token a multi-target Marian model needs."""

    model: str
    target_token: str | None = None


@dataclass(frozen=True)
class Preset:
    """A named way to pick models: one multilingual ``model``, or a per-pair ``template`` with overrides."""

    name: str
    description: str
    family: str
    model: str | None = None
    template: str | None = None
    pairs: frozenset[tuple[str, str]] = frozenset()
    overrides: Mapping[tuple[str, str], ModelChoice] = field(default_factory=dict)

    def served_pairs(self) -> set[tuple[str, str]]:
        """The listed pairs; empty (any pair) for a multilingual model or an unlisted template."""
        return set(self.pairs) | set(self.overrides)

    def choose(self, source_lang: str, target_lang: str) -> ModelChoice:
        pair = (source_lang, target_lang)
        if pair in self.overrides:
            return self.overrides[pair]
        if self.model is not None:
            return ModelChoice(self.model)
        assert self.template is not None  # guaranteed by the schema
        return ModelChoice(self.template.format(src=source_lang, tgt=target_lang))

    def models(self) -> list[str]:
        """Every model this preset names: its one model, or the template's for each listed pair."""
        if self.model is not None:
            return [self.model]
        found = [self.choose(src, tgt).model for src, tgt in sorted(self.served_pairs())]
        return list(dict.fromkeys(found))


class PresetModels:
    """What the neural backends (``hf``, ``ct2``) share: one model for every pair, or a preset choosing per pair."""

    preset: Preset | None
    #: The one model used for every pair (hub id or path); None for a per-pair preset.
    model_id: str | None

    def pairs(self) -> set[tuple[str, str]]:
        if self.preset is not None and self.preset.template is not None:
            return self.preset.served_pairs()
        return set()

    def model_for(self, source_lang: str, target_lang: str) -> ModelChoice:
        """The model (hub id or path) that translates this pair."""
        if self.preset is not None:
            return self.preset.choose(source_lang, target_lang)
        assert self.model_id is not None
        return ModelChoice(self.model_id)


def missing_modules(*names: str) -> list[str]:
    """The modules of ``names`` that cannot be imported here (found without importing them)."""
    import importlib.util

    return [name for name in names if importlib.util.find_spec(name) is None]


@dataclass(frozen=True)
class Presets:
    """The contents of a preset file: presets by name and each family's language codes."""

    default: str
    presets: Mapping[str, Preset]
    codes: Mapping[str, Mapping[str, str]]
    source: str = f"models/{PRESET_FILE}"

    def language_code(self, family: str, lang: str) -> str | None:
        """The family's code for an ISO code ('en' -> 'eng_Latn' for nllb), or None if not listed.

        A code with a region or script is looked up as given, then by its language alone.
        """
        table = self.codes.get(family, {})
        for key in dict.fromkeys((lang, lang.split("-")[0])):
            if key in table:
                return table[key]
        return None


def _split_pair(pair: str) -> tuple[str, str]:
    src, tgt = pair.split("-")
    return src, tgt


def parse_presets(data: Any, source: str = f"models/{PRESET_FILE}", root: Any = None) -> Presets:
    """Check ``data`` (the parsed YAML) against :data:`PRESET_SCHEMA` and build :class:`Presets`.

    With ``root`` (the YAML node tree ``data`` came from) an error names ``source:LINE``; without it,
    ``source`` and the path of the offending value.
    """
    import jsonschema

    validator = jsonschema.Draft202012Validator(PRESET_SCHEMA)
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.path])
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.path) or "top level"
        raise BackendUnavailableError(
            f"{_located(source, root, list(err.path))}: not a valid hf preset file: at {where}: {err.message}"
        )
    presets = {
        name: Preset(
            name=name,
            description=p["description"],
            family=p["family"],
            model=p.get("model"),
            template=p.get("template"),
            pairs=frozenset(_split_pair(x) for x in p.get("pairs", ())),
            overrides={
                _split_pair(k): ModelChoice(v["model"], v.get("target_token"))
                for k, v in (p.get("overrides") or {}).items()
            },
        )
        for name, p in data["presets"].items()
    }
    if data["default"] not in presets:
        raise BackendUnavailableError(
            f"{_located(source, root, ['default'])}: default preset {data['default']!r} is not defined; "
            f"presets: {', '.join(presets)}"
        )
    return Presets(default=data["default"], presets=presets, codes=data["codes"], source=source)


def _located(source: str, root: Any, path: list[Any]) -> str:
    """``source:LINE`` of the value at ``path`` when the YAML nodes are known, else ``source``."""
    if root is None:
        return source
    from ..lexicon.loader import _line  # the lexicon's node-path to line lookup (shared, not public yet)

    return f"{source}:{_line(root, path)}"


def read_presets(text: str, source: str) -> Presets:
    """Presets from YAML ``text``; every error (syntax, duplicate key, schema) names ``source:LINE``."""
    import yaml

    # The lexicon's checked loader: every key read as the text written ('no:' is not False), and a
    # key given twice in one mapping refused. Shared with compare.lexicon (not public there yet).
    from ..lexicon.loader import _check_duplicate_keys, _loader_class

    loader = _loader_class()(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise BackendUnavailableError(f"{source}:{line}: YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise BackendUnavailableError(f"{source}:1: YAML syntax error: {exc}") from None
    finally:
        loader.dispose()
    if root is None:
        raise BackendUnavailableError(f"{source}:1: empty preset file; expected a mapping with 'presets' and 'codes'")
    try:
        _check_duplicate_keys(source, root)
    except LexiconError as exc:
        raise BackendUnavailableError(str(exc)) from None
    return parse_presets(data, source, root)


def read_preset_file(path: str | Path) -> Presets:
    """Presets from a YAML file (errors name PATH:LINE)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BackendUnavailableError(f"cannot read preset file {str(path)!r}: {exc}") from None
    return read_presets(text, str(path))


@lru_cache(maxsize=1)
def load_presets() -> Presets:
    """The shipped presets, from ``hf.yaml`` in the package ``compare.models``."""
    from importlib.resources import files

    text = files("compare.models").joinpath(PRESET_FILE).read_text(encoding="utf-8")
    return read_presets(text, f"models/{PRESET_FILE}")
