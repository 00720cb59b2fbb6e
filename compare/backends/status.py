"""What ``mtcompare backends`` reports: each registered backend, available or not and why, its pairs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import MtcompareError
from .base import backend_names, format_pairs, get_backend_class


@dataclass(frozen=True)
class BackendStatus:
    name: str
    available: bool
    reason: str
    pairs: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "available": self.available, "reason": self.reason, "pairs": self.pairs}


_ANY_PAIR = {
    "hf": "any pair its model serves (presets: marian, nllb, m2m100)",
    "file": "the pairs in the given file",
    "command": "any pair the given command serves",
}


def backend_statuses() -> list[BackendStatus]:
    out = []
    for name in backend_names():
        try:
            cls = get_backend_class(name)
        except MtcompareError as exc:
            out.append(BackendStatus(name, False, str(exc), ""))
            continue
        status = cls.availability()
        pairs = ""
        if status.ok:
            pairs = format_pairs(cls().pairs()) if name == "apertium" else _ANY_PAIR.get(name, "")
        out.append(BackendStatus(name, status.ok, status.reason, pairs))
    return out
