"""Contract factory: a tiny self-built MarianMT model (real tokenizer, random weights) through the real
``from_pretrained``; greedy-ish decoding kept short so it runs fast on CPU."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from compare.backends import Backend, load_backend

NAME = "hf"
PAIR = ("en", "es")
MARKS = [pytest.mark.hf, pytest.mark.filterwarnings("ignore:Recommended:UserWarning")]


@contextmanager
def make(tmp_path: Path) -> Iterator[Backend]:
    for module in ("torch", "transformers", "sentencepiece"):
        pytest.importorskip(module)
    from ..hf_model import build_tiny_marian

    model = build_tiny_marian(tmp_path / "tiny-en-es")
    yield load_backend(f"hf:{model}", device="cpu", beams=2, max_length=16)
