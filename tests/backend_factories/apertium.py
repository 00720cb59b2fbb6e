"""Contract factory: Apertium as installed (every pair of its installed modes)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from compare.backends import Backend, load_backend

NAME = "apertium"
PAIR = ("en", "es")


@contextmanager
def make(tmp_path: Path) -> Iterator[Backend]:
    yield load_backend("apertium", timeout=120)
