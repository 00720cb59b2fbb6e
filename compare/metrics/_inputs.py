"""Argument checks shared by the metric modules: parallel lists of segment texts."""

from __future__ import annotations

from collections.abc import Sequence

from .._checks import _fail, _items, check_encodable
from ..errors import ArgumentValueError


def check_texts(name: str, value: object, *, empty: bool = False) -> tuple[str, ...]:
    """A list of ``str``, one per segment (a single ``str`` is refused: it is not a list of segments)."""
    items = _items(name, value, "a list of str, one per segment")
    if not items and not empty:
        raise ArgumentValueError(f"{name} is empty; expected at least one segment")
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise _fail(f"{name}[{i}]", "a str (one segment)", item)
        check_encodable(f"{name}[{i}]", item)
    return items


def check_parallel(names: Sequence[str], *lists: tuple[object, ...]) -> None:
    """Every list has as many items as the first; the message names both and their lengths."""
    first = len(lists[0])
    for name, items in zip(names[1:], lists[1:]):
        if len(items) != first:
            raise ArgumentValueError(
                f"{name} has {len(items)} segments but {names[0]} has {first}; they must be parallel, one per segment"
            )


def check_ids(name: str, value: object, count: int) -> tuple[int, ...]:
    """Segment ids: ``None`` gives 0..count-1; else ``count`` distinct ints."""
    if value is None:
        return tuple(range(count))
    items = _items(name, value, "a list of int segment ids, one per segment")
    for i, item in enumerate(items):
        if isinstance(item, bool) or not isinstance(item, int):
            raise _fail(f"{name}[{i}]", "an int segment id", item)
    if len(items) != count:
        raise ArgumentValueError(f"{name} has {len(items)} ids for {count} segments; give one id per segment")
    if len(set(items)) != len(items):
        raise ArgumentValueError(f"{name} holds the same segment id twice; ids must be distinct")
    return items


def check_documents(name: str, value: object, count: int) -> tuple[str, ...]:
    """Document names, one per segment: ``None`` puts every segment in one document named ``""``."""
    if value is None:
        return ("",) * count
    items = check_texts(name, value, empty=True)
    if len(items) != count:
        raise ArgumentValueError(f"{name} has {len(items)} entries for {count} segments; give one per segment")
    return items


def check_count(name: str, value: object, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(name, f"an int >= {minimum}", value)
    if value < minimum:
        raise ArgumentValueError(f"{name} must be at least {minimum}, not {value}")
    return value
