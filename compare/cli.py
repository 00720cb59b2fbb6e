"""The ``mtcompare`` command line: parse options, call the library, render. Nothing else.

Every :class:`~compare.errors.MtcompareError` becomes one line on stderr and its exit code.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from . import __version__
from .errors import MtcompareError

app = typer.Typer(
    name="mtcompare",
    help="Trace loaded terms through machine-translation round trips.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class RoundTripFormat(str, Enum):
    table = "table"
    json = "json"


class TranslateFormat(str, Enum):
    text = "text"
    table = "table"
    json = "json"


class ListFormat(str, Enum):
    table = "table"
    json = "json"


class ParagraphMode(str, Enum):
    auto = "auto"
    blank = "blank"
    line = "line"


def _split_langs(values: list[str] | None) -> list[str]:
    return [code.strip() for value in values or [] for code in value.split(",") if code.strip()]


Inputs = Annotated[list[str], typer.Argument(help="UTF-8 text files, or - for standard input.", show_default=False)]
SourceLang = Annotated[str, typer.Option("--lang", "-l", help="Language of the input (ISO 639-1).")]
Backends = Annotated[
    list[str] | None,
    typer.Option(
        "--backend",
        "-b",
        help="Backend, repeatable: apertium, hf[:MODEL|PRESET|DIR], file:PATH.tsv|jsonl, command:'CMD {src} {tgt}'.",
    ),
]
Output = Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")]
CacheDir = Annotated[Path | None, typer.Option("--cache-dir", help="Translation cache directory.")]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the translation cache.")]
Device = Annotated[str | None, typer.Option(help="hf: auto (cuda, mps, cpu), cpu, cuda, cuda:1, mps.")]
BatchSize = Annotated[int | None, typer.Option("--batch-size", min=1, help="hf: segments per batch.")]
Beams = Annotated[int | None, typer.Option(min=1, help="hf: beam size.")]
MaxLength = Annotated[int | None, typer.Option("--max-length", min=1, help="hf: maximum output tokens.")]
LexiconFiles = Annotated[
    list[Path] | None, typer.Option(help="Extra lexicon files (YAML), repeatable; later ones override.")
]
Revision = Annotated[str | None, typer.Option(help="hf: model revision (branch, tag or commit).")]
Paragraphs = Annotated[
    ParagraphMode,
    typer.Option(
        help="Paragraphs: blank (blank-line separated, lines joined), line (one per line), "
        "auto (line if a file has no blank line, per file)."
    ),
]


def _backend_options(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _cache_arg(cache_dir: Path | None, no_cache: bool) -> bool | Path:
    if no_cache:
        return False
    return cache_dir if cache_dir is not None else True


@contextmanager
def _errors() -> Iterator[None]:
    """One line and a non-zero exit for the toolkit's own errors; never a traceback."""
    try:
        yield
    except MtcompareError as exc:
        typer.echo(f"mtcompare: error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("mtcompare: interrupted", err=True)
        raise typer.Exit(130) from None


def _write(text: str, output: Path | None) -> None:
    """Write to ``output`` atomically (a partial report never replaces a good one), or to stdout."""
    if output is None:
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, output)
    except BaseException:
        os.unlink(tmp)
        raise


def _render_rich(make: Callable[[Any], None], output: Path | None) -> None:
    from rich.console import Console

    if output is None:
        # Piped into a file or a pager, tables get room (160 columns) unless COLUMNS says otherwise.
        wide = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160
        make(Console(width=wide))
        return
    console = Console(record=True, width=160, file=open(os.devnull, "w"))  # noqa: SIM115
    make(console)
    _write(console.export_text(), output)


def _read_inputs(inputs: list[str], lang: str, paragraphs: ParagraphMode) -> tuple[Any, str]:
    """The segments of all inputs, and the paragraph mode they were cut with (blank, line or mixed)."""
    from .text import documents_paragraph_mode, read_text, segment_documents

    documents = [(name, read_text(name)) for name in inputs]
    mode = documents_paragraph_mode(documents, paragraphs.value)
    return segment_documents(documents, lang, paragraphs.value), mode


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"mtcompare {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version_callback, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Trace loaded terms through machine-translation round trips."""


@app.command()
def roundtrip(
    inputs: Inputs,
    lang: SourceLang = "en",
    via: Annotated[
        list[str] | None, typer.Option(help="Pivot languages, one round trip each: es,ca. Default: es,ca.")
    ] = None,
    chain: Annotated[
        list[str] | None, typer.Option(help="One multi-hop path through these languages in order: es,ca.")
    ] = None,
    backend: Backends = None,
    lexicon: LexiconFiles = None,
    no_terms: Annotated[bool, typer.Option("--no-terms", help="Skip the loaded-term shift analysis.")] = False,
    no_segments: Annotated[
        bool, typer.Option("--no-segments", help="Table format: leave out the side-by-side segments.")
    ] = False,
    fmt: Annotated[RoundTripFormat, typer.Option("--format", "-f", help="Output format.")] = RoundTripFormat.table,
    output: Output = None,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    device: Device = None,
    batch_size: BatchSize = None,
    beams: Beams = None,
    max_length: MaxLength = None,
    revision: Revision = None,
    paragraphs: Paragraphs = ParagraphMode.auto,
) -> None:
    """Translate into pivot languages and back; show where loaded terms shift."""
    from .render import to_json
    from .roundtrip import roundtrip as run

    with _errors():
        segments, mode = _read_inputs(inputs, lang, paragraphs)
        vias, chains = _split_langs(via), _split_langs(chain)
        if not vias and not chains:
            vias = ["es", "ca"]
        lex = None
        if lexicon:
            from .lexicon import Lexicon

            lex = Lexicon.load(*lexicon)
        result = run(
            segments,
            source_lang=lang,
            via=vias,
            chain=chains,
            backends=backend or ["apertium"],
            cache=_cache_arg(cache_dir, no_cache),
            lexicon=lex,
            analyse_terms=not no_terms,
            paragraphs=mode,
            **_backend_options(
                device=device, batch_size=batch_size, beams=beams, max_length=max_length, revision=revision
            ),
        )
        if fmt is RoundTripFormat.json:
            _write(to_json(result), output)
        else:
            from .render.table import roundtrip_view

            view = roundtrip_view(result, segments=not no_segments)
            _render_rich(lambda console: console.print(view), output)


class TermsFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


@app.command()
def terms(
    inputs: Inputs,
    lang: SourceLang = "en",
    lexicon: LexiconFiles = None,
    no_default: Annotated[
        bool, typer.Option("--no-default-lexicon", help="Use only the --lexicon files, not the shipped one.")
    ] = False,
    fmt: Annotated[TermsFormat, typer.Option("--format", "-f", help="Output format.")] = TermsFormat.table,
    output: Output = None,
) -> None:
    """Find loaded terms in a text without translating it; one row per occurrence."""
    from .lexicon import Lexicon
    from .render.terms import render_terms
    from .terms import find_in_files

    with _errors():
        lex = Lexicon.load(*(lexicon or []), include_default=not no_default)
        rows = find_in_files(inputs, lang, lex)
        if fmt is TermsFormat.table:
            from .render.table import terms_table

            table = terms_table(rows)
            _render_rich(lambda console: console.print(table), output)
        else:
            _write(render_terms(rows, fmt.value), output)


@app.command()
def translate(
    inputs: Inputs,
    to: Annotated[str, typer.Option("--to", "-t", help="Target language (ISO 639-1).", show_default=False)],
    lang: SourceLang = "en",
    backend: Backends = None,
    fmt: Annotated[TranslateFormat, typer.Option("--format", "-f", help="Output format.")] = TranslateFormat.text,
    output: Output = None,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    device: Device = None,
    batch_size: BatchSize = None,
    beams: Beams = None,
    max_length: MaxLength = None,
    revision: Revision = None,
    paragraphs: Paragraphs = ParagraphMode.auto,
) -> None:
    """Translate one way; text output keeps the paragraphs."""
    from .render import to_json
    from .roundtrip import translate as run
    from .text import join_segments

    with _errors():
        segments, mode = _read_inputs(inputs, lang, paragraphs)
        result = run(
            segments,
            source_lang=lang,
            target_lang=to,
            backends=backend or ["apertium"],
            cache=_cache_arg(cache_dir, no_cache),
            paragraphs=mode,
            **_backend_options(
                device=device, batch_size=batch_size, beams=beams, max_length=max_length, revision=revision
            ),
        )
        if fmt is TranslateFormat.json:
            _write(to_json(result), output)
        elif fmt is TranslateFormat.table:
            from .render.table import roundtrip_view

            _render_rich(lambda console: console.print(roundtrip_view(result)), output)
        else:
            blocks = []
            for path in result.paths:
                body = join_segments(result.segments, path.hops[0].segments, result.paragraphs)
                blocks.append(body if len(result.paths) == 1 else f"# {path.name}\n\n{body}")
            _write("\n\n".join(blocks) + "\n", output)


@app.command()
def backends(
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = ListFormat.table,
) -> None:
    """List the backends: available here or not (and why), and their language pairs."""
    from .backends.status import backend_statuses
    from .render import to_json

    with _errors():
        statuses = backend_statuses()
        if fmt is ListFormat.json:
            _write(to_json([s.to_dict() for s in statuses]), None)
            return
        from rich.table import Table

        table = Table(title="mtcompare backends", title_justify="left")
        for column in ("backend", "available", "pairs / why not"):
            table.add_column(column)
        for s in statuses:
            table.add_row(s.name, "yes" if s.available else "no", s.pairs if s.available else s.reason)
        _render_rich(lambda console: console.print(table), None)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
