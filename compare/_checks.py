"""Argument checks for the public library API.

Each public function calls these first, so a wrong argument fails at once with the package's own
error, naming the argument, what it accepts and what it got — never with a Python error from deep
inside, and never by being quietly coerced (``via="es"`` is one pivot, not ``"e"`` and ``"s"``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Set
from typing import TYPE_CHECKING, Any

from .errors import ArgumentError, ArgumentValueError

if TYPE_CHECKING:
    from .backends.base import Backend
    from .lexicon import Lexicon
    from .results import Segment

#: The keyword options :func:`compare.roundtrip` and :func:`compare.translate` pass to backends, with
#: the kind of value each takes (``None`` is always accepted: the backend's default).
_OPTIONS = {
    "device": "str",
    "revision": "str",
    "batch_size": "count",
    "beams": "count",
    "max_length": "count",
    "timeout": "seconds",
    "sample": "seed",
}


def describe(value: object) -> str:
    """``int 5``, ``None``, ``bytes b'abc'``: the type and a shortened repr, for error messages."""
    if value is None:
        return "None"
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a user object whose __repr__ fails still needs a message
        text = "<unprintable>"
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _fail(name: str, expected: str, value: object) -> ArgumentError:
    return ArgumentError(f"{name} must be {expected}, not {describe(value)}")


def check_str(name: str, value: object, *, empty: bool = True) -> str:
    """A ``str`` that can be written as UTF-8 (no lone surrogate); with ``empty=False`` not blank."""
    if not isinstance(value, str):
        raise _fail(name, "a str", value)
    check_encodable(name, value)
    if not empty and not value.strip():
        raise ArgumentValueError(f"{name} must not be empty")
    return value


def check_encodable(name: str, value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ArgumentValueError(
            f"{name} holds a lone surrogate U+{ord(value[exc.start]):04X} at offset {exc.start}; "
            "it cannot be written as UTF-8"
        ) from None


def check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise _fail(name, "True or False", value)
    return value


def check_optional_str(name: str, value: object) -> str | None:
    return None if value is None else check_str(name, value)


def _items(name: str, value: object, what: str) -> tuple[Any, ...]:
    """The items of a list-like ``value``; a str, bytes, mapping or set is refused."""
    if isinstance(value, (str, bytes, bytearray, memoryview, Mapping, Set)) or not isinstance(value, Iterable):
        raise _fail(name, what, value)
    try:
        return tuple(value)
    except Exception:  # noqa: BLE001 - a broken iterable is the caller's wrong argument
        raise _fail(name, what, value) from None


def check_langs(name: str, value: object) -> tuple[str, ...]:
    """Language codes: one ``str`` is one code; else a list of ``str`` (may be empty)."""
    if isinstance(value, str):
        return (check_str(name, value),)
    items = _items(name, value, "a language code or a list of them, such as ['es', 'ca']")
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise _fail(f"{name}[{i}]", "a language code (str) such as 'es'", item)
        check_encodable(f"{name}[{i}]", item)
    return items


def check_backend(name: str, value: object) -> str | Backend:
    from .backends.base import Backend

    if isinstance(value, Backend):
        return value
    if isinstance(value, str):
        return check_str(name, value, empty=False)
    raise _fail(name, "a backend spec such as 'apertium' or 'hf:MODEL', or a Backend", value)


def check_backends(name: str, value: object) -> tuple[str | Backend, ...]:
    """One backend (a spec, ``NAME=SPEC``, or a :class:`Backend`), a non-empty list of them, or a
    mapping of system name to spec or Backend (returned as ``NAME=SPEC`` strings and ``(name, Backend)``)."""
    from .backends.base import Backend

    if isinstance(value, (str, Backend)):
        return (check_backend(name, value),)
    if isinstance(value, Mapping):
        if not value:
            raise ArgumentValueError(f"{name} must name at least one backend, such as {{'apt': 'apertium'}}")
        named: list[Any] = []
        for key, spec in value.items():
            check_str(f"{name} key", key, empty=False)
            checked = check_backend(f"{name}[{key!r}]", spec)
            named.append(f"{key}={checked}" if isinstance(checked, str) else (key, checked))
        return tuple(named)
    items = _items(name, value, "a backend spec such as 'apertium', or a list of them")
    if not items:
        raise ArgumentValueError(f"{name} must name at least one backend, such as ['apertium']")
    return tuple(check_backend(f"{name}[{i}]", item) for i, item in enumerate(items))


def check_text_input(name: str, value: object) -> str | tuple[str, ...] | tuple[Segment, ...]:
    """A running text (``str``), or a non-empty list of segments: all ``str`` or all :class:`Segment`."""
    from .results import Segment

    expected = "a str (a running text) or a non-empty list of str or of Segment (one segment each)"
    if isinstance(value, str):
        return check_str(name, value)
    items = _items(name, value, expected)
    if not items:
        raise ArgumentValueError(f"{name} is empty; expected {expected}")
    if isinstance(items[0], Segment):
        return check_segments(name, items)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise _fail(f"{name}[{i}]", "a str like the items before it" if i else expected, item)
        check_encodable(f"{name}[{i}]", item)
    return items


def check_segments(name: str, value: object) -> tuple[Segment, ...]:
    """A non-empty list of :class:`Segment` whose texts are ``str``."""
    from .results import Segment

    expected = "a non-empty list of Segment (from compare.segment_text)"
    items = _items(name, value, expected)
    if not items:
        raise ArgumentValueError(f"{name} is empty; expected {expected}")
    for i, item in enumerate(items):
        if not isinstance(item, Segment):
            raise _fail(f"{name}[{i}]", "a Segment like the items before it" if i else expected, item)
        check_str(f"{name}[{i}].text", item.text)
    return items


def check_hops(name: str, value: object) -> tuple[tuple[str, str | Backend], ...]:
    """A non-empty list of ``(target_lang, backend)`` pairs."""
    expected = "a non-empty list of (language, backend) pairs such as [('es', 'apertium'), ('en', 'apertium')]"
    items = _items(name, value, expected)
    if not items:
        raise ArgumentValueError(f"{name} is empty; expected {expected}")
    hops = []
    for i, hop in enumerate(items):
        if isinstance(hop, (str, bytes, Mapping, Set)) or not isinstance(hop, Iterable):
            raise _fail(f"{name}[{i}]", "a (language, backend) pair such as ('es', 'apertium')", hop)
        pair = tuple(hop)
        if len(pair) != 2:
            raise _fail(f"{name}[{i}]", "a (language, backend) pair such as ('es', 'apertium')", hop)
        lang = check_str(f"{name}[{i}][0]", pair[0])
        hops.append((lang, check_backend(f"{name}[{i}][1]", pair[1])))
    return tuple(hops)


def check_path(name: str, value: object) -> str | os.PathLike[str]:
    """A file system path: a non-empty ``str`` or ``os.PathLike`` without NUL characters."""
    if isinstance(value, os.PathLike):
        try:
            text = os.fspath(value)
        except Exception:  # noqa: BLE001 - a broken PathLike is the caller's wrong argument
            raise _fail(name, "a path (str or pathlib.Path)", value) from None
        if not isinstance(text, str):
            raise _fail(name, "a path (str or pathlib.Path)", value)
    elif isinstance(value, str):
        text = value
    else:
        raise _fail(name, "a path (str or pathlib.Path)", value)
    check_encodable(name, text)
    if not text or "\0" in text:
        raise ArgumentValueError(f"{name} must be a non-empty path without NUL characters, not {text[:60]!r}")
    return value  # type: ignore[return-value]


def check_paths(name: str, value: tuple[object, ...]) -> tuple[str | os.PathLike[str], ...]:
    return tuple(check_path(f"{name}[{i}]", item) for i, item in enumerate(value))


def check_cache(name: str, value: object) -> object:
    """``True`` (the user cache), ``False``/``None`` (none), a directory or file path, or a TranslationCache."""
    from .cache import TranslationCache

    if value is None or isinstance(value, (bool, TranslationCache)):
        return value
    if isinstance(value, (str, os.PathLike)):
        return check_path(name, value)
    raise _fail(name, "True, False, None, a cache directory path or a TranslationCache", value)


def check_lexicon(name: str, value: object) -> Lexicon | None:
    """``None`` (the default lexicon), a :class:`Lexicon`, or lexicon file paths loaded on top of the default."""
    from .lexicon import Lexicon

    if value is None or isinstance(value, Lexicon):
        return value
    expected = "None, a Lexicon, or a lexicon file path (or a list of them)"
    if isinstance(value, (str, os.PathLike)):
        return Lexicon.load(check_path(name, value))
    items = _items(name, value, expected)
    if not items:
        raise ArgumentValueError(f"{name} is an empty list; expected {expected}")
    return Lexicon.load(*check_paths(name, items))


def check_options(options: Mapping[str, object]) -> dict[str, object]:
    """The backend options: each known one of the right kind; ``None`` means the backend's default."""
    for key, value in options.items():
        kind = _OPTIONS.get(key)
        if value is None or kind is None:
            continue
        if kind == "str":
            check_str(key, value, empty=False)
        elif kind == "count":
            if isinstance(value, bool) or not isinstance(value, int):
                raise _fail(key, "a whole number of at least 1", value)
            if value < 1:
                raise ArgumentValueError(f"{key} must be at least 1, not {value}")
        elif kind == "seed":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**32:
                raise _fail(key, "a sampling seed, an int from 0 to 2**32 - 1", value)
        elif kind == "seconds":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _fail(key, "a number of seconds greater than 0", value)
            if not (value > 0 and math.isfinite(value)):
                raise ArgumentValueError(f"{key} must be a number of seconds greater than 0, not {value}")
    return dict(options)


def check_mapping(name: str, value: object, value_type: type, what: str) -> Mapping[str, Any]:
    """A mapping of ``str`` keys to ``value_type`` values."""
    if not isinstance(value, Mapping):
        raise _fail(name, what, value)
    for key, item in value.items():
        if not isinstance(key, str):
            raise _fail(f"{name} key", "a str", key)
        if not isinstance(item, value_type):
            raise _fail(f"{name}[{key[:40]!r}]", f"a {value_type.__name__}", item)
    return value


def check_str_items(name: str, value: object) -> tuple[str, ...]:
    """A list of ``str`` (may be empty)."""
    items = _items(name, value, "a list of str")
    for i, item in enumerate(items):
        check_str(f"{name}[{i}]", item)
    return items


def check_documents(name: str, value: object) -> tuple[tuple[str, str], ...]:
    """A list of ``(name, text)`` pairs of ``str``."""
    items = _items(name, value, "a list of (name, text) pairs of str")
    for i, doc in enumerate(items):
        if not isinstance(doc, (tuple, list)) or len(doc) != 2:
            raise _fail(f"{name}[{i}]", "a (name, text) pair of str", doc)
        check_str(f"{name}[{i}][0]", doc[0])
        check_str(f"{name}[{i}][1]", doc[1])
    return items


def check_segment_text_args(text: object, lang: object, document: object, paragraphs: object) -> None:
    """The arguments of :func:`compare.text.segment_text`: all ``str``."""
    check_str("text", text)
    check_str("lang", lang)
    check_str("document", document)
    check_str("paragraphs", paragraphs)


def check_lexicon_args(concepts: object, sources: object) -> None:
    """The arguments of :class:`compare.Lexicon`: concepts by id, and the names of the files they came from."""
    from .lexicon.loader import Concept

    check_mapping("concepts", concepts, Concept, "a mapping of concept id to Concept (build one with Lexicon.load)")
    check_str_items("sources", sources)


def check_lexicon_load_args(paths: tuple[object, ...], include_default: object) -> None:
    """The arguments of :meth:`compare.Lexicon.load`: file paths, and whether the default comes first."""
    check_paths("paths", paths)
    check_bool("include_default", include_default)
