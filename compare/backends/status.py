"""What ``mtcompare backends`` reports: each registered backend, available or not and why, its pairs
(as data), its options, its install hint and what it can do.

Nothing here knows a backend by name: each class says it all through the :class:`~compare.backends.Backend`
contract (``availability()``, ``served_pairs()``, ``options_spec``, ``install_hint``, ``can_sample``,
``gives_alignment``, ``deterministic``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import MtcompareError
from .base import Backend, Option, ServedPairs, backend_names, get_backend_class


@dataclass(frozen=True)
class BackendStatus:
    """One backend as ``mtcompare backends`` lists it. ``pairs`` is ``None`` when it is not available."""

    name: str
    available: bool
    reason: str = ""
    pairs: ServedPairs | None = None
    options: tuple[Option, ...] = ()
    install_hint: str = ""
    capabilities: dict[str, bool] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        served = self.pairs.to_dict() if self.pairs else {"pairs": None, "note": ""}
        return {
            "name": self.name,
            "available": self.available,
            "reason": self.reason,
            "pairs": served["pairs"],
            "pairs_note": served["note"],
            "options": [o.to_dict() for o in self.options],
            "install_hint": self.install_hint,
            "capabilities": dict(self.capabilities),
        }


def capabilities(cls: type[Backend]) -> dict[str, bool]:
    """What a backend class can do: sample, give word alignments, translate the same way every time."""
    return {
        "can_sample": bool(cls.can_sample),
        "gives_alignment": bool(cls.gives_alignment),
        "deterministic": bool(cls.deterministic),
    }


def backend_status(name: str) -> BackendStatus:
    """The status of one registered backend; a module that cannot be imported makes it unavailable."""
    try:
        cls = get_backend_class(name)
    except MtcompareError as exc:
        return BackendStatus(name, False, str(exc))
    described = BackendStatus(
        name,
        True,
        options=tuple(cls.options_spec),
        install_hint=cls.install_hint,
        capabilities=capabilities(cls),
    )
    status = cls.availability()
    if not status.ok:
        return replace(described, available=False, reason=status.reason)
    try:
        pairs = cls.served_pairs()
    except MtcompareError as exc:  # installed, but its pairs cannot be read (a broken installation)
        return replace(described, available=False, reason=str(exc))
    return replace(described, pairs=pairs)


def backend_statuses() -> list[BackendStatus]:
    """Every registered backend's status, by name."""
    return [backend_status(name) for name in backend_names()]
