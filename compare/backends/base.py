"""The backend interface and the registry of backends by name.

A backend translates a batch of segments from one language to another. Subclasses implement only
:meth:`Backend._translate_batch` (and say which pairs they serve); the public :meth:`Backend.translate`
validates the pair, consults the cache, sends only the missing segments, and returns translations
in input order. Third-party packages add backends through the ``mtcompare.backends`` entry-point
group, each entry naming a :class:`Backend` subclass.

A regional tag the backend has no variant for falls back to the language alone (``es-ES`` → ``es``)
when that keeps the script: :meth:`Backend.check_pair` resolves the pair, every subclass's
``hop_signature`` receives the resolved pair, and the signature it returns records the fallback
(``[fallback=es-ES→es]``) while a :class:`~compare.errors.LanguageFallbackWarning` notes it.
"""

from __future__ import annotations

import functools
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from ..errors import BackendUnavailableError, ExternalCommandError, LanguageFallbackWarning, UnsupportedPairError
from ..languages import normalize_lang, without_region
from ..results import HopSignature, Translation

if TYPE_CHECKING:
    from ..cache import TranslationCache

ENTRY_POINT_GROUP = "mtcompare.backends"


@dataclass(frozen=True)
class Availability:
    """Whether a backend can run here, and if not, why and how to fix it."""

    ok: bool
    reason: str = ""


class Backend(ABC):
    """A machine-translation engine behind one small interface.

    ``arg`` is the part after the colon of a backend spec (``hf:Helsinki-NLP/opus-mt-en-de``,
    ``file:translations.tsv``); ``options`` are keyword settings such as ``batch_size`` that a
    backend may use or ignore.
    """

    name: ClassVar[str] = ""
    #: Options this backend understands; others passed by the CLI are ignored.
    option_names: ClassVar[tuple[str, ...]] = ()
    #: Whether translations carry the engine's own word alignment; a cached translation without one
    #: (stored before alignments were kept) is then translated again.
    gives_alignment: ClassVar[bool] = False
    #: Whether the backend can translate by sampling (option ``sample``, a seed): only those give
    #: different translations of one text, so :func:`compare.sample_roundtrip` runs the others once.
    can_sample: ClassVar[bool] = False
    #: The version of this backend's own handling of the engine's output (unescaping, mark removal,
    #: alignment reading). Raise it when a fix there changes translations the engine itself gives
    #: unchanged: it is part of the translation cache's key (not of the hop signature), so rows stored
    #: before the fix are translated again instead of being served forever.
    output_version: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("hop_signature")
        if own is not None:
            cls.hop_signature = _on_resolved_pair(own)  # type: ignore[method-assign]

    def __init__(self, arg: str | None = None, **options: Any) -> None:
        self.arg = arg
        self.options = {k: v for k, v in options.items() if k in self.option_names and v is not None}

    @property
    def spec(self) -> str:
        return f"{self.name}:{self.arg}" if self.arg else self.name

    @classmethod
    def availability(cls) -> Availability:
        """Whether the backend's software is installed; override to check."""
        return Availability(True)

    @abstractmethod
    def pairs(self) -> set[tuple[str, str]]:
        """The (source, target) language pairs this backend serves, as ISO 639-1 codes.

        An empty set means "any pair" (the backend cannot know in advance, e.g. an external command).
        """

    @abstractmethod
    def hop_signature(self, source_lang: str, target_lang: str) -> HopSignature:
        """Backend, model id and revision, decoding settings for this pair; also the cache key."""

    @abstractmethod
    def _translate_batch(self, texts: list[str], source_lang: str, target_lang: str) -> list[Translation]:
        """Translate ``texts`` (never empty), returning exactly one translation per text, in order."""

    def check_pair(self, source_lang: str, target_lang: str) -> tuple[str, str]:
        """The pair this backend translates for the one asked for: normalised, a region dropped if need be.

        Raises :class:`UnsupportedPairError` when neither the pair nor its languages without region are served.
        """
        src, tgt = normalize_lang(source_lang), normalize_lang(target_lang)
        pairs = self.pairs()
        if not pairs or (src, tgt) in pairs:
            return src, tgt
        src_base, tgt_base = without_region(src) or src, without_region(tgt) or tgt
        for candidate in ((src, tgt_base), (src_base, tgt), (src_base, tgt_base)):
            if candidate in pairs:
                return candidate
        raise UnsupportedPairError(f"{self.spec} has no pair {src}→{tgt}; it has: {format_pairs(pairs)}")

    def translate(
        self,
        texts: Sequence[str],
        source_lang: str,
        target_lang: str,
        cache: TranslationCache | None = None,
    ) -> list[Translation]:
        """Translate every text, in order; cached translations are reused and new ones stored."""
        src, tgt = self.check_pair(source_lang, target_lang)
        if not texts:
            return []
        signature = self.hop_signature(src, tgt)
        results: list[Translation | None] = [None] * len(texts)
        if cache is not None:
            for i, hit in enumerate(cache.get_many(signature, texts, self.output_version)):
                if hit is not None and self.gives_alignment and not hit.alignment and hit.text.strip():
                    continue
                results[i] = hit
        todo = [i for i, r in enumerate(results) if r is None]
        if todo:
            unique = list(dict.fromkeys(texts[i] for i in todo))
            out = self._translate_batch(unique, src, tgt)
            if len(out) != len(unique):
                raise ExternalCommandError(
                    f"{self.spec} returned {len(out)} translations for {len(unique)} segments; "
                    "segment alignment is lost"
                )
            by_text = dict(zip(unique, out))
            for i in todo:
                results[i] = by_text[texts[i]]
            if cache is not None:
                cache.put_many(signature, unique, out, self.output_version)
        return [r for r in results if r is not None]


def _on_resolved_pair(
    hop_signature: Callable[[Backend, str, str], HopSignature],
) -> Callable[[Backend, str, str], HopSignature]:
    """Wrap a subclass's ``hop_signature`` so it sees the pair :meth:`Backend.check_pair` resolves.

    A language that fell back (``es-ES`` served as ``es``) is named in the signature's settings, so
    results say what was measured, and noted with a :class:`LanguageFallbackWarning`.
    """
    if getattr(hop_signature, "resolves_pair", False):
        return hop_signature

    @functools.wraps(hop_signature)
    def wrapper(self: Backend, source_lang: str, target_lang: str) -> HopSignature:
        src, tgt = self.check_pair(source_lang, target_lang)
        signature = hop_signature(self, src, tgt)
        asked = (normalize_lang(source_lang), normalize_lang(target_lang))
        fallbacks = [f"{a}→{b}" for a, b in zip(asked, (src, tgt)) if a != b]
        if not fallbacks:
            return signature
        warnings.warn(
            LanguageFallbackWarning(
                f"{self.spec} has no variant for {' or '.join(a for a, b in zip(asked, (src, tgt)) if a != b)}; "
                f"translating {src}→{tgt} instead of {asked[0]}→{asked[1]}"
            ),
            stacklevel=2,
        )
        settings = dict(signature.settings) | {"fallback": ";".join(fallbacks)}
        return replace(signature, settings=tuple(sorted(settings.items())))

    wrapper.resolves_pair = True  # type: ignore[attr-defined]
    return wrapper


def format_pairs(pairs: set[tuple[str, str]]) -> str:
    """'en↔es, en↔ca, eo→en' — both directions folded into one arrow."""
    seen: set[tuple[str, str]] = set()
    parts = []
    for a, b in sorted(pairs):
        if (a, b) in seen:
            continue
        if (b, a) in pairs:
            parts.append(f"{a}↔{b}")
            seen.add((b, a))
        else:
            parts.append(f"{a}→{b}")
        seen.add((a, b))
    return ", ".join(parts) if parts else "none"


B = TypeVar("B", bound=type[Backend])
_REGISTRY: dict[str, type[Backend] | Callable[[], type[Backend]]] = {}


def _builtin(module: str, attr: str) -> Callable[[], type[Backend]]:
    def load() -> type[Backend]:
        from importlib import import_module

        return getattr(import_module(f"compare.backends.{module}"), attr)  # type: ignore[no-any-return]

    return load


_REGISTRY.update(
    apertium=_builtin("apertium", "ApertiumBackend"),
    hf=_builtin("hf", "HFBackend"),
    file=_builtin("file", "FileBackend"),
    command=_builtin("command", "CommandBackend"),
)


def register_backend(name: str) -> Callable[[B], B]:
    """Class decorator: make a backend available by ``name`` in this process."""

    def wrap(cls: B) -> B:
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return wrap


def _load_entry_points() -> None:
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        _REGISTRY.setdefault(ep.name, ep.load)


def backend_names() -> list[str]:
    _load_entry_points()
    return sorted(_REGISTRY)


def get_backend_class(name: str) -> type[Backend]:
    _load_entry_points()
    try:
        entry = _REGISTRY[name]
    except KeyError:
        raise BackendUnavailableError(f"unknown backend {name!r}; registered: {', '.join(backend_names())}") from None
    if not (isinstance(entry, type) and issubclass(entry, Backend)):
        try:
            entry = entry()
        except ImportError as exc:
            raise BackendUnavailableError(f"backend {name!r} cannot be imported: {exc}") from None
        _REGISTRY[name] = entry
    return entry  # type: ignore[return-value]


def parse_spec(spec: str) -> tuple[str, str | None]:
    """'hf:Helsinki-NLP/opus-mt-en-de' -> ('hf', 'Helsinki-NLP/opus-mt-en-de'); 'apertium' -> ('apertium', None)."""
    name, _, arg = spec.strip().partition(":")
    return name.strip(), (arg.strip() or None)


def load_backend(spec: str | Backend, **options: Any) -> Backend:
    """A ready backend from a spec string such as ``apertium`` or ``file:out.jsonl``.

    Raises :class:`BackendUnavailableError` when the backend is unknown or not installed here.

    >>> import compare
    >>> backend = compare.load_backend("apertium")  # doctest: +SKIP
    >>> [t.text for t in backend.translate(["The house is big."], "en", "es")]  # doctest: +SKIP
    ['La casa es grande.']
    """
    if isinstance(spec, Backend):
        return spec
    name, arg = parse_spec(spec)
    cls = get_backend_class(name)
    status = cls.availability()
    if not status.ok:
        raise BackendUnavailableError(f"backend {name!r} is not available: {status.reason}")
    return cls(arg, **options)
