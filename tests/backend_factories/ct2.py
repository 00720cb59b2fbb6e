"""Contract factory: the tiny self-built MarianMT model (tests/hf_model.py) converted to CTranslate2
(float32) by CTranslate2's own converter, translated with short greedy-ish decoding on CPU."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from compare.backends import Backend, load_backend

NAME = "ct2"
PAIR = ("en", "es")
MARKS = [pytest.mark.hf, pytest.mark.filterwarnings("ignore:Recommended:UserWarning")]


@contextmanager
def make(tmp_path: Path) -> Iterator[Backend]:
    for module in ("ctranslate2", "torch", "transformers", "sentencepiece"):
        pytest.importorskip(module)
    from compare.backends.ct2 import convert

    from ..hf_model import build_tiny_marian

    model = build_tiny_marian(tmp_path / "tiny-en-es")
    converted = convert(str(model), tmp_path / "tiny-en-es-ct2", "float32")
    yield load_backend(f"ct2:{converted}", device="cpu", beams=2, max_length=16)
