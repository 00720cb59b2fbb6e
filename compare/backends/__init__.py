"""Machine-translation backends: one interface, a registry by name, entry points for plugins."""

from .base import (
    Availability,
    Backend,
    Option,
    backend_names,
    format_pairs,
    get_backend_class,
    load_backend,
    parse_spec,
    register_backend,
)

__all__ = [
    "Availability",
    "Backend",
    "Option",
    "backend_names",
    "format_pairs",
    "get_backend_class",
    "load_backend",
    "parse_spec",
    "register_backend",
]
