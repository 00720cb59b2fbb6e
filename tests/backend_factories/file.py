"""Contract factory: a TSV file holding an en→es translation of every contract text."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from compare.backends import Backend, load_backend

from . import TEXTS

NAME = "file"
PAIR = ("en", "es")


@contextmanager
def make(tmp_path: Path) -> Iterator[Backend]:
    path = tmp_path / "translations.tsv"
    rows = [f"en\tes\t{text}\t{text.upper()[::-1]}" for text in dict.fromkeys(TEXTS)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    yield load_backend(f"file:{path}")
