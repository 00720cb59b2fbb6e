"""Model families (Marian, NLLB, M2M100): how each chooses its languages, registered by model type.

A family is found from the model's ``config.model_type`` (``marian``, ``m2m_100``), the way
CTranslate2's converters register a loader per configuration; NLLB is an M2M100 model with its own
tokenizer, so the ``m2m_100`` entry looks at the tokenizer to tell the two apart. Shared by the
model backends (``hf``, ``ct2``) and ``mtcompare models convert``.

What a family decides for a pair (:meth:`Family.language_setup`):

- **NLLB, M2M100**: the tokenizer's source language is set (it puts the source code in front of the
  input) and the target language's code is the first token the decoder must produce (``hf``:
  ``forced_bos_token_id``; ``ct2``: the target prefix). Codes come from the preset file's ``codes``.
- **Marian** (and any other model type): a multi-target OPUS-MT model gets a ``>>id<<`` token in
  front of each segment (the preset's ``target_token``, else one the tokenizer lists for the target
  language); a single-pair model needs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from ..errors import UnsupportedPairError
from .presets import PRESET_FILE, ModelChoice, load_presets


@dataclass(frozen=True)
class LanguageSetup:
    """How to ask a model for one pair."""

    #: Text put in front of each source segment (a Marian ``>>id<<`` and a space, or nothing).
    prefix: str = ""
    #: The token the output must start with (NLLB's ``spa_Latn``, M2M100's ``__es__``), or None.
    target_token: str | None = None
    #: That token's id in the tokenizer's vocabulary.
    target_token_id: int | None = None


class Family:
    """A model family: its name and how it chooses the languages of a translation.

    This base class serves Marian and any model type without a family of its own: a ``>>id<<``
    token when the preset names one or the tokenizer lists target languages, else nothing.
    """

    name: ClassVar[str] = "seq2seq"

    def __init__(self, name: str | None = None) -> None:
        if name is not None:
            self.name = name  # type: ignore[misc]

    @classmethod
    def for_tokenizer(cls, tokenizer: Any) -> Family:
        """The family of a model of this type with this tokenizer (NLLB and M2M100 share a type)."""
        return cls()

    def language_setup(
        self, tokenizer: Any, choice: ModelChoice, source_lang: str, target_lang: str, spec: str
    ) -> LanguageSetup:
        """The prefix and first target token that choose the languages; may set ``tokenizer.src_lang``.

        Raises :class:`~compare.errors.UnsupportedPairError` when the model has no token for a language.
        """
        if choice.target_token:
            return LanguageSetup(prefix=choice.target_token + " ")
        known = list(getattr(tokenizer, "supported_language_codes", None) or [])
        if not known:
            return LanguageSetup()
        for code in token_candidates(target_lang):
            if f">>{code}<<" in known:
                return LanguageSetup(prefix=f">>{code}<< ")
        raise UnsupportedPairError(
            f"{choice.model} needs a target-language token and has none for {target_lang!r}; "
            f"it has: {' '.join(known[:12])}{' …' if len(known) > 12 else ''}"
        )

    def conversion_tokenizer(self, tokenizer: Any) -> Any:
        """The tokenizer as CTranslate2's converter should see it (some need their vocabulary completed)."""
        return tokenizer

    def __repr__(self) -> str:
        return f"<family {self.name}>"


F = TypeVar("F", bound=type[Family])
_BY_MODEL_TYPE: dict[str, type[Family]] = {}


def register_family(*model_types: str) -> Callable[[F], F]:
    """Class decorator: the family of models whose ``config.model_type`` is one of ``model_types``."""

    def wrap(cls: F) -> F:
        for model_type in model_types:
            _BY_MODEL_TYPE[model_type] = cls
        return cls

    return wrap


def family_for(model_type: str | None, tokenizer: Any) -> Family:
    """The family of a model from its ``config.model_type`` and its tokenizer.

    A model type no family is registered for gets the base :class:`Family` under its own name.
    """
    cls = _BY_MODEL_TYPE.get(model_type or "")
    if cls is None:
        return Family(model_type or "seq2seq")
    return cls.for_tokenizer(tokenizer)


def model_type_of_tokenizer(tokenizer: Any) -> str | None:
    """The model type a tokenizer belongs to (``MarianTokenizer`` → ``marian``), for a directory that
    holds a tokenizer but no transformers config (a CTranslate2 model converted elsewhere)."""
    name = type(tokenizer).__name__.lower()
    if name.startswith("marian"):
        return "marian"
    if name.startswith(("nllb", "m2m100")):
        return "m2m_100"
    return None


def registered_model_types() -> list[str]:
    """The model types a family is registered for (what ``models convert`` accepts)."""
    return sorted(_BY_MODEL_TYPE)


@register_family("marian")
class MarianFamily(Family):
    """OPUS-MT and other Marian models: a ``>>id<<`` token for a multi-target model, else nothing."""

    name = "marian"


class _CodedFamily(Family):
    """A multilingual family whose languages are codes: the source set on the tokenizer, the target forced."""

    def language_setup(
        self, tokenizer: Any, choice: ModelChoice, source_lang: str, target_lang: str, spec: str
    ) -> LanguageSetup:
        src = self.code(tokenizer, source_lang, spec)
        tgt = self.code(tokenizer, target_lang, spec)
        tokenizer.src_lang = src
        token_id = self.token_id(tokenizer, tgt)
        return LanguageSetup(target_token=tokenizer.convert_ids_to_tokens(token_id), target_token_id=token_id)

    def token_id(self, tokenizer: Any, code: str) -> int:
        return int(tokenizer.convert_tokens_to_ids(code))

    def knows(self, tokenizer: Any, code: str) -> bool:
        return bool(tokenizer.convert_tokens_to_ids(code) != tokenizer.unk_token_id)

    def code(self, tokenizer: Any, lang: str, spec: str) -> str:
        """The family's code for ``lang`` from the preset file's ``codes``, checked against the tokenizer."""
        presets = load_presets()
        code = presets.language_code(self.name, lang)
        if code is None and self.name == "m2m100":
            code = lang.split("-")[0]  # M2M100's codes are ISO 639-1 codes
        if code is not None and self.knows(tokenizer, code):
            return code
        listed = ", ".join(sorted(presets.codes.get(self.name, {})))
        raise UnsupportedPairError(
            f"{spec} ({self.name}) has no language code for {lang!r}; it knows: {listed}. "
            f"Add the code under codes.{self.name} in models/{PRESET_FILE}"
        )


class NllbFamily(_CodedFamily):
    """NLLB-200: codes such as ``spa_Latn``; an M2M100 model with its own tokenizer."""

    name = "nllb"


@register_family("m2m_100")
class M2M100Family(_CodedFamily):
    """M2M100: ISO 639-1 codes, written ``__es__`` in the vocabulary."""

    name = "m2m100"

    @classmethod
    def for_tokenizer(cls, tokenizer: Any) -> Family:
        return NllbFamily() if "nllb" in type(tokenizer).__name__.lower() else cls()

    def token_id(self, tokenizer: Any, code: str) -> int:
        return int(tokenizer.get_lang_id(code))

    def knows(self, tokenizer: Any, code: str) -> bool:
        return code in getattr(tokenizer, "lang_code_to_token", {code: None})

    def conversion_tokenizer(self, tokenizer: Any) -> Any:
        """Newer transformers leave the language tokens out of ``get_vocab()``, which CTranslate2's
        converter reads for the vocabulary; they are put back at their ids."""
        vocab = tokenizer.get_vocab()
        languages = dict(getattr(tokenizer, "lang_token_to_id", None) or {})
        if not languages or all(token in vocab for token in languages):
            return tokenizer
        return _CompletedVocabulary(tokenizer, {**vocab, **languages})


class _CompletedVocabulary:
    """A tokenizer whose ``get_vocab()`` holds tokens the real one leaves out; all else is the real one's."""

    def __init__(self, tokenizer: Any, vocab: dict[str, int]) -> None:
        self._tokenizer = tokenizer
        self._vocab = vocab

    def get_vocab(self) -> dict[str, int]:
        return dict(self._vocab)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tokenizer, name)


def token_candidates(lang: str) -> list[str]:
    """Codes a multi-target OPUS-MT model may use for ``lang``: 'pt' -> pt, por."""
    import langcodes

    base = lang.split("-")[0]
    found = [lang, base]
    try:
        found.append(langcodes.Language.get(base).to_alpha3())
    except (LookupError, ValueError):
        pass
    return list(dict.fromkeys(found))
