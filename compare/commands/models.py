"""``mtcompare models``: model files for the model backends (``models convert`` for ``ct2``)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..cli import _errors, _note


class Quantization(str, Enum):
    """The weight types CTranslate2 converts to (``compare.backends.ct2.QUANTIZATIONS``)."""

    int8 = "int8"
    int8_float32 = "int8_float32"
    int8_float16 = "int8_float16"
    int8_bfloat16 = "int8_bfloat16"
    int16 = "int16"
    float16 = "float16"
    bfloat16 = "bfloat16"
    float32 = "float32"


def convert(
    model: Annotated[
        str,
        typer.Argument(
            help="A Hugging Face Marian, NLLB or M2M100 model: hub id (Helsinki-NLP/opus-mt-en-es), a directory "
            "written by save_pretrained(), or a one-model preset (nllb, m2m100).",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="The directory to write (then --backend ct2:DIR). Default for a hub model: the models directory "
            "($MTCOMPARE_CT2_MODELS, else the user data directory), where ct2:PRESET and ct2:ORG/NAME find it.",
            show_default=False,
        ),
    ] = None,
    quantization: Annotated[
        Quantization,
        typer.Option("--quantization", "-q", help="Weight type: int8 is the fastest on CPU; float32 matches hf."),
    ] = Quantization.int8,
    revision: Annotated[
        str | None, typer.Option("--revision", help="The hub revision (commit, tag or branch).", show_default=False)
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a non-empty output directory.")] = False,
) -> None:
    """Convert a Hugging Face model for the ct2 backend (CTranslate2's own converter); prints the directory."""
    with _errors():
        from ..backends.ct2 import convert as run

        out = run(model, output, quantization.value, revision=revision, force=force)
        _note(f"converted {model} ({quantization.value}) to {out}; use it with --backend ct2:{out}")
        typer.echo(str(out))


def register(app: typer.Typer) -> None:
    """Add ``mtcompare models`` (with ``convert``) to ``app``."""
    models = typer.Typer(
        help="Model files for the model backends: convert a Hugging Face model for ct2.",
        no_args_is_help=True,
        add_completion=False,
    )
    models.command("convert")(convert)
    app.add_typer(models, name="models")
