"""The backend interface and the registry of backends by name.

A backend translates a batch of segments from one language to another. Subclasses implement only
:meth:`Backend._translate_batch` (and say which pairs they serve); the public :meth:`Backend.translate`
validates the pair, consults the cache, sends only the missing segments, and returns translations
in input order. Every backend — the built-in ones too, in ``pyproject.toml`` — is registered through the
``mtcompare.backends`` entry-point group, each entry naming a :class:`Backend` subclass; the entry points
are read when a backend is first asked for, and a backend's module is imported only when it is used.

A backend declares what it offers: its options (:class:`Option`, refused when unknown), whether it can
sample, gives word alignments and is deterministic, how to install it, and the pairs it serves
(:meth:`Backend.served_pairs`). ``mtcompare backends`` lists all of it (:mod:`compare.backends.status`).

A regional tag the backend has no variant for falls back to the language alone (``es-ES`` → ``es``)
when that keeps the script: :meth:`Backend.check_pair` resolves the pair, every subclass's
``hop_signature`` receives the resolved pair, and the signature it returns records the fallback
(``[fallback=es-ES→es]``) while a :class:`~compare.errors.LanguageFallbackWarning` notes it.
"""

from __future__ import annotations

import functools
import math
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from ..errors import (
    ArgumentError,
    ArgumentValueError,
    BackendUnavailableError,
    ExternalCommandError,
    LanguageFallbackWarning,
    MtcompareError,
    UnsupportedPairError,
)
from ..languages import normalize_lang, without_region
from ..results import HopSignature, Translation

if TYPE_CHECKING:
    from ..cache import TranslationCache

ENTRY_POINT_GROUP = "mtcompare.backends"


@dataclass(frozen=True)
class Option:
    """One setting a backend understands: ``-O beams=5`` on the command line, ``beams=5`` in the library.

    ``type`` is ``int``, ``float``, ``str`` or ``bool``; :meth:`parse` turns a command-line string (or a
    library value) into it and raises :class:`~compare.errors.ArgumentValueError` with what is accepted.
    ``choices``, when given, lists the accepted values; ``minimum`` bounds a number from below.
    """

    name: str
    type: type = str
    default: Any = None
    help: str = ""
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    #: Whether ``minimum`` itself is refused (a timeout must be greater than 0).
    exclusive: bool = False
    #: What is accepted, in words, when the default wording (:meth:`describe`) says too little.
    accepts: str = ""

    def parse(self, value: Any, owner: str = "", text: bool = False) -> Any:
        """``value`` checked against this option's type. With ``text`` (a command-line ``-O key=value``)
        a string is converted first (``"5"`` → 5, ``"yes"`` → True).

        A value of the wrong type raises :class:`~compare.errors.ArgumentError`, an unusable one
        :class:`~compare.errors.ArgumentValueError`; both say what is accepted.
        """
        where = (f"{owner} option " if owner else "option ") + self.name
        message = f"{where} must be {self.describe()}; got {value!r}"
        if value is None:
            return None
        if isinstance(value, str) and (self.type is bool or (text and self.type is not str)):
            try:
                value = _from_text(value.strip(), self.type)
            except ValueError:
                raise ArgumentValueError(message) from None
        ok_types: tuple[type, ...] = {int: (int,), float: (int, float), bool: (bool,), str: (str,)}[self.type]
        if not isinstance(value, ok_types) or (self.type is not bool and isinstance(value, bool)):
            raise ArgumentError(message)
        parsed = float(value) if self.type is float else value
        if self.type is float and not math.isfinite(parsed):
            raise ArgumentValueError(message)
        if self.type is str and not parsed.strip():
            raise ArgumentValueError(message)
        if self.choices and parsed not in self.choices:
            raise ArgumentValueError(message)
        if self.minimum is not None and (parsed < self.minimum or (self.exclusive and parsed == self.minimum)):
            raise ArgumentValueError(message)
        return parsed

    def describe(self) -> str:
        """What the option accepts, in words: 'an integer ≥ 1', 'one of: auto, cpu, cuda'."""
        if self.accepts:
            return self.accepts
        if self.choices:
            return "one of: " + ", ".join(str(c) for c in self.choices)
        words = {
            int: "an integer",
            float: "a number",
            bool: "on or off (true/false, yes/no, 1/0)",
            str: "a non-empty string",
        }[self.type]
        if self.minimum is not None:
            bound = int(self.minimum) if float(self.minimum).is_integer() else self.minimum
            words += f" {'>' if self.exclusive else '≥'} {bound}"
        return words

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type.__name__,
            "default": self.default,
            "help": self.help,
            "choices": list(self.choices),
            "minimum": self.minimum,
            "exclusive": self.exclusive,
            "accepts": self.describe(),
        }


#: The wording of a timeout option's accepted values.
SECONDS = "a number of seconds greater than 0"


def _from_text(value: str, kind: type) -> Any:
    if kind is bool:
        if value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        raise ValueError(value)
    return kind(value)


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class ServedPairs:
    """The language pairs a backend serves, as ``mtcompare backends`` shows them.

    Either a finite list (``pairs``) or, with ``any``, whatever pairs the backend's model, file or
    command serves (the backend cannot list them in advance); ``note`` says what they depend on.
    """

    pairs: tuple[tuple[str, str], ...] = ()
    any: bool = False
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """``{"pairs": [["en", "es"], ...] or "any", "note": ...}``."""
        return {"pairs": "any" if self.any else [list(p) for p in self.pairs], "note": self.note}

    def describe(self) -> str:
        """'en↔es, eo→en', or the note of a backend that serves any pair."""
        if self.any:
            return self.note or "any pair"
        listed = format_pairs(set(self.pairs))
        return f"{listed} ({self.note})" if self.note else listed


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
    #: The settings this backend understands (``-O name=value``); any other is refused with this list.
    options_spec: ClassVar[tuple[Option, ...]] = ()
    #: Whether the same input always gives the same output (greedy or beam search, rule-based).
    deterministic: ClassVar[bool] = True
    #: Whether one backend object may translate on several threads at once (the hops of a corpus run
    #: do): true when its work runs in child processes or remote servers, not in a model in memory.
    concurrent_pairs: ClassVar[bool] = False
    #: How to install what the backend needs, shown when it is not available.
    install_hint: ClassVar[str] = ""
    #: What the served pairs depend on, for ``mtcompare backends`` (see :meth:`served_pairs`).
    pairs_note: ClassVar[str] = ""
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
        self.options = self.check_options(options)

    @classmethod
    def option_names(cls) -> tuple[str, ...]:
        return tuple(o.name for o in cls.options_spec)

    @classmethod
    def check_options(cls, options: dict[str, Any], text: bool = False) -> dict[str, Any]:
        """``options`` parsed to their declared types (``None`` values dropped); an unknown option or a
        wrong value raises :class:`~compare.errors.ArgumentValueError` naming what is accepted."""
        declared = {o.name: o for o in cls.options_spec}
        out: dict[str, Any] = {}
        for key, value in options.items():
            if value is None:
                continue
            if key not in declared:
                accepted = ", ".join(declared) if declared else "none"
                raise ArgumentValueError(f"backend {cls.name!r} has no option {key!r}; its options: {accepted}")
            out[key] = declared[key].parse(value, owner=f"backend {cls.name!r}", text=text)
        return out

    def option(self, name: str) -> Any:
        """The value of option ``name``: the one given, else its declared default."""
        if name in self.options:
            return self.options[name]
        for o in self.options_spec:
            if o.name == name:
                return o.default
        raise KeyError(name)

    def with_options(self, **changes: Any) -> Backend:
        """A new backend of the same spec with these options changed (``sample=7``), the others kept."""
        return type(self)(self.arg, **(self.options | changes))

    @classmethod
    def served_pairs(cls) -> ServedPairs:
        """The pairs ``mtcompare backends`` lists: those of the backend made without a spec argument
        (``apertium``: its installed pairs), or "any" with :attr:`pairs_note` when it needs one
        (``file:PATH``) or cannot know in advance. Override when making it is slow or needs a server.
        """
        try:
            pairs = cls().pairs()
        except (MtcompareError, TypeError):  # needs a spec argument: a file, a command, a model
            return ServedPairs(any=True, note=cls.pairs_note or f"the pairs {cls.name}:ARG serves")
        if not pairs:
            return ServedPairs(any=True, note=cls.pairs_note or "any pair")
        return ServedPairs(tuple(sorted(pairs)), note=cls.pairs_note)

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


class _Registry(dict):  # type: ignore[type-arg]
    """Backend name -> class, or the entry point that loads it; filled from the entry points on first use."""

    scanned = False

    def scan(self) -> None:
        if not self.scanned:
            from importlib.metadata import entry_points

            for ep in entry_points(group=ENTRY_POINT_GROUP):
                self.setdefault(ep.name, ep)
            self.scanned = True

    def get(self, key: str, default: Any = None) -> Any:
        self.scan()
        return super().get(key, default)


#: The one registry: the ``mtcompare.backends`` entry points (built-ins and plugins alike), scanned
#: lazily, and backends registered in this process with :func:`register_backend`.
_REGISTRY: _Registry = _Registry()


def register_backend(name: str) -> Callable[[B], B]:
    """Class decorator: make a backend available by ``name`` in this process (tests, notebooks).

    An installed package registers its backends through the ``mtcompare.backends`` entry-point group instead,
    as the built-in ones do (see ``pyproject.toml``).
    """

    def wrap(cls: B) -> B:
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return wrap


def backend_names() -> list[str]:
    """Every registered backend's name, sorted; none of their modules is imported."""
    _REGISTRY.scan()
    return sorted(_REGISTRY)


def get_backend_class(name: str) -> type[Backend]:
    """The class of backend ``name``, its module imported on first use.

    Raises :class:`BackendUnavailableError` when no backend has that name or its module cannot be imported.
    """
    _REGISTRY.scan()
    try:
        entry = _REGISTRY[name]
    except KeyError:
        raise BackendUnavailableError(f"unknown backend {name!r}; registered: {', '.join(backend_names())}") from None
    if isinstance(entry, type):
        return entry
    try:
        loaded = entry.load()
    except (ImportError, AttributeError) as exc:
        raise BackendUnavailableError(f"backend {name!r} cannot be imported ({entry.value}): {exc}") from None
    if not (isinstance(loaded, type) and issubclass(loaded, Backend)):
        raise BackendUnavailableError(f"backend {name!r} ({entry.value}) is not a subclass of compare.backends.Backend")
    if not loaded.name:
        loaded.name = name
    _REGISTRY[name] = loaded
    return loaded


def parse_spec(spec: str) -> tuple[str, str | None]:
    """'hf:Helsinki-NLP/opus-mt-en-de' -> ('hf', 'Helsinki-NLP/opus-mt-en-de'); 'apertium' -> ('apertium', None)."""
    name, _, arg = spec.strip().partition(":")
    return name.strip(), (arg.strip() or None)


def load_backends(specs: Sequence[str | Backend], **options: Any) -> list[Backend]:
    """Backends from specs, each given the ``options`` it declares (options shared by all systems).

    An option that none of them declares raises :class:`~compare.errors.ArgumentValueError` naming
    each backend's options, so a misspelled ``beam=5`` is never silently ignored.
    """
    return configure_backends(specs, shared=options)


def configure_backends(
    specs: Sequence[str | Backend],
    shared: Mapping[str, Any] | None = None,
    each: Sequence[Mapping[str, Any]] | None = None,
    text: bool = False,
) -> list[Backend]:
    """Backends from specs: each gets the ``shared`` options it declares, then its own from ``each``
    (one mapping per spec; its values win). With ``text`` the values are command-line strings
    (``-O beams=5``) parsed to each option's type (:meth:`Option.parse`).

    A shared option that none of the backends declares, or an own option that its backend does not
    declare, raises :class:`~compare.errors.ArgumentValueError` naming the options there are. A
    :class:`Backend` object among ``specs`` is used as it is.
    """
    own = list(each) if each is not None else [{} for _ in specs]
    if len(own) != len(specs):
        raise ArgumentValueError(f"{len(own)} sets of options for {len(specs)} backends; give one per backend")
    classes = [type(s) if isinstance(s, Backend) else get_backend_class(parse_spec(s)[0]) for s in specs]
    given = {k: v for k, v in (shared or {}).items() if v is not None}
    for key in given:
        if not any(key in cls.option_names() for cls in classes):
            known = "; ".join(f"{cls.name}: {', '.join(cls.option_names()) or 'none'}" for cls in classes)
            raise ArgumentValueError(f"no backend here has an option {key!r} (options: {known})")
    backends = []
    for spec, cls, mine in zip(specs, classes, own):
        if isinstance(spec, Backend):
            backends.append(spec)
            continue
        options = {k: v for k, v in given.items() if k in cls.option_names()} | dict(mine)
        backends.append(load_backend(spec, **cls.check_options(options, text=text)))
    return backends


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
