"""Machine-translation backends: one interface, one registry by name filled from the ``mtcompare.backends``
entry points (built-ins and plugins alike)."""

from .base import (
    Availability,
    Backend,
    Option,
    ServedPairs,
    backend_names,
    configure_backends,
    format_pairs,
    get_backend_class,
    load_backend,
    load_backends,
    parse_spec,
    register_backend,
)

__all__ = [
    "Availability",
    "Backend",
    "Option",
    "ServedPairs",
    "backend_names",
    "configure_backends",
    "format_pairs",
    "get_backend_class",
    "load_backend",
    "load_backends",
    "parse_spec",
    "register_backend",
]
