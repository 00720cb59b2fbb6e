"""The ``mtcompare`` command line: parse options, call the library, render. Nothing else.

Every :class:`~compare.errors.MtcompareError` becomes one line on stderr and its exit code.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer
from typer import core as typer_core
from typer.core import TyperCommand, TyperGroup

from . import __version__
from .errors import MtcompareError

if TYPE_CHECKING:
    from .backends.base import Backend

# The click that Typer runs on: its own vendored copy in recent releases, the click package before.
_click = getattr(typer_core, "_click", None) or typer_core.click  # type: ignore[attr-defined]
_NoArgsIsHelp = getattr(_click.exceptions, "NoArgsIsHelpError", ())


# Exit code of an unexpected exception (sysexits' EX_SOFTWARE).
INTERNAL_ERROR = 70


class _OneLineErrors(TyperGroup):
    """Every failure as one line ``mtcompare: error: ...``, never a box or a traceback.

    Usage errors (unknown option, bad choice, missing argument) add click's hint to ``--help`` and exit
    2 — Typer would draw them in a multi-line box. An unexpected exception (a bug) exits 70 with its
    type and message; ``MTCOMPARE_DEBUG=1`` lets it through with its traceback.
    """

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except _NoArgsIsHelp as exc:
            typer.echo(exc.format_message())
            sys.exit(exc.exit_code)
        except _click.exceptions.UsageError as exc:
            _error_line(exc.format_message())
            if exc.ctx is not None:
                typer.echo(f"Try '{exc.ctx.command_path} {exc.ctx.help_option_names[0]}' for help.", err=True)
            sys.exit(exc.exit_code)
        except _click.exceptions.ClickException as exc:
            _error_line(exc.format_message())
            sys.exit(exc.exit_code)
        except typer.Abort:
            _error_line("interrupted")
            sys.exit(130)
        except MtcompareError as exc:  # raised outside a command's own handler (an option callback)
            _error_line(str(exc))
            sys.exit(exc.exit_code)
        except MemoryError:
            _error_line("out of memory; try a smaller input or fewer paths at once")
            sys.exit(INTERNAL_ERROR)
        except Exception as exc:  # a bug of ours: still one line; the traceback on request
            if os.environ.get("MTCOMPARE_DEBUG"):
                raise
            _error_line(
                f"internal error: {type(exc).__name__}: {str(exc)[:300]} "
                "(MTCOMPARE_DEBUG=1 shows the traceback; please report it)"
            )
            sys.exit(INTERNAL_ERROR)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    name="mtcompare",
    cls=_OneLineErrors,
    help="Trace loaded terms through machine-translation round trips.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class RoundTripFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    md = "md"
    latex = "latex"
    html = "html"


class ReportFormat(str, Enum):
    html = "html"


class CompareMethod(str, Enum):
    bs = "bs"
    ar = "ar"


class TranslateFormat(str, Enum):
    text = "text"
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    md = "md"
    latex = "latex"
    html = "html"


class ListFormat(str, Enum):
    table = "table"
    json = "json"


class ParagraphMode(str, Enum):
    auto = "auto"
    blank = "blank"
    line = "line"


class RouteMode(str, Enum):
    direct = "direct"
    auto = "auto"


def _split_langs(ctx: typer.Context, param: typer.CallbackParam, values: list[str] | None) -> list[str] | None:
    """Comma-separated, repeatable language lists; an empty item (``--via ''``, ``--via es,,ca``) is refused."""
    if values is None:
        return None
    codes = []
    for value in values:
        for code in value.split(","):
            if not code.strip():
                raise typer.BadParameter(
                    f"empty language code in {value!r}; expected codes separated by commas, e.g. es,ca",
                    ctx=ctx,
                    param=param,
                )
            codes.append(code.strip())
    return codes


def _size(value: str | None) -> int | None:
    from .text import parse_size

    if value is None:
        return None
    try:
        return parse_size(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


Inputs = Annotated[list[str], typer.Argument(help="UTF-8 text files, or - for standard input.", show_default=False)]
SourceLang = Annotated[str, typer.Option("--lang", "-l", help="Language of the input (ISO 639-1).")]
Backends = Annotated[
    list[str] | None,
    typer.Option(
        "--backend",
        "-b",
        help="Backend, repeatable, optionally named NAME=SPEC (opus=hf:Helsinki-NLP/opus-mt-en-es): apertium, "
        "hf[:MODEL|PRESET|DIR], file:PATH.tsv|jsonl, command:'CMD {src} {tgt}'. Unnamed: a name from the spec.",
    ),
]
Output = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="Write here instead of stdout: a file (replaced atomically, keeping its mode), a device or a FIFO.",
    ),
]
MaxInputSize = Annotated[
    int | None,
    typer.Option(
        "--max-input-size",
        parser=_size,
        metavar="SIZE",
        envvar="MTCOMPARE_MAX_INPUT_SIZE",
        help="Refuse an input larger than this: bytes, or with K, M, G (1024-based). Default: 50M.",
        show_default=False,
    ),
]
CacheDir = Annotated[Path | None, typer.Option("--cache-dir", help="Translation cache directory.")]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the translation cache.")]
BackendOptions = Annotated[
    list[str] | None,
    typer.Option(
        "--option",
        "-O",
        metavar="KEY=VALUE",
        help="A backend option, repeatable: after a --backend it applies to that backend; before any --backend, "
        "to every backend that declares it (-O beams=5, -O timeout=30). mtcompare backends --options NAME lists them.",
        show_default=False,
    ),
]
LexiconFiles = Annotated[
    list[Path] | None, typer.Option(help="Extra lexicon files (YAML), repeatable; later ones override.")
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar on stderr.")]
Metrics = Annotated[
    str,
    typer.Option(
        "--metrics",
        help="Metrics of the back-translation against the source, comma-separated: bleu,chrf,ter (sacrebleu), "
        "semantic; 'none' for none.",
    ),
]
Semantic = Annotated[
    bool, typer.Option("--semantic", help="Add semantic similarity (sentence-transformers; the semantic extra).")
]
SemanticModel = Annotated[
    str | None,
    typer.Option("--semantic-model", help="Sentence-transformers model name or directory (default: all-MiniLM-L6-v2)."),
]
Resamples = Annotated[int, typer.Option("--resamples", min=1, help="Bootstrap resamples for the confidence intervals.")]
Seed = Annotated[int, typer.Option("--seed", min=1, help="Seed of the bootstrap and the paired tests.")]
ComparePaths = Annotated[
    list[str] | None,
    typer.Option(
        "--compare",
        help="Paired test of two paths on the same segments, repeatable: 'A,B', each a path name, its system "
        "name or a unique prefix (en>es,en>ca).",
    ),
]
Method = Annotated[
    CompareMethod,
    typer.Option("--method", help="Paired test of the metrics: bs (paired bootstrap), ar (approximate randomisation)."),
]
Paragraphs = Annotated[
    ParagraphMode,
    typer.Option(
        help="Paragraphs: blank (blank-line separated, lines joined), line (one per line), "
        "auto (line if a file has no blank line, per file)."
    ),
]


#: Where :class:`BackendCommand` leaves the ``--backend`` and ``--option`` values in command-line order.
_BACKEND_ARGS = "mtcompare.backend_args"


class BackendCommand(TyperCommand):
    """A command that takes ``--backend`` and ``--option``: it remembers the order they were given in, so
    that an ``-O`` after a ``--backend`` goes to that backend. (Click keeps each option's values, not how
    two options were interleaved; its own parser reports that order, read here before the usual parse.)
    """

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        if args:
            opts, _, order = self.make_parser(ctx).parse_args(args=list(args))
            queues = {name: list(opts.get(name) or ()) for name in ("backend", "option")}
            ctx.meta[_BACKEND_ARGS] = [
                (param.name, queues[param.name].pop(0)) for param in order if queues.get(param.name or "")
            ]
        return super().parse_args(ctx, args)


def _backend_args(
    specs: Sequence[str] | None, option_args: Sequence[str] | None, ctx: typer.Context | None
) -> list[tuple[str, str]]:
    """``("backend", SPEC)`` and ``("option", KEY=VALUE)`` in command-line order: as :class:`BackendCommand`
    recorded them, else (no such context) every option first, applying to all backends."""
    specs, option_args = list(specs or ()), list(option_args or ())
    recorded = list(ctx.meta.get(_BACKEND_ARGS) or ()) if ctx is not None else []
    in_order = ([v for k, v in recorded if k == "backend"], [v for k, v in recorded if k == "option"])
    if recorded and in_order == (specs, option_args):
        return recorded
    return [("option", o) for o in option_args] + [("backend", s) for s in specs]


def _key_value(arg: str) -> tuple[str, str]:
    """``-O beams=5`` -> ``("beams", "5")``; ``max-length`` is read as ``max_length``."""
    from .errors import ArgumentValueError

    key, sep, value = arg.partition("=")
    key = key.strip().replace("-", "_")
    if not sep or not key:
        raise ArgumentValueError(f"-O takes KEY=VALUE, such as -O beams=5 or -O timeout=30; got {arg!r}")
    return key, value


def _systems_from_cli(
    specs: Sequence[str] | None, option_args: Sequence[str] | None, ctx: typer.Context | None = None
) -> list[tuple[str, Backend]]:
    """The systems that ``--backend`` and ``-O`` name: ``(system name, loaded Backend)`` in order.

    ``specs`` are the ``--backend`` values (``SPEC`` or ``NAME=SPEC``; none means apertium) and
    ``option_args`` the ``-O KEY=VALUE`` values. With ``ctx`` of a :class:`BackendCommand`, an option given
    after a ``--backend`` applies to that backend only, one given before any ``--backend`` to every backend
    that declares it; without ``ctx`` every option is of the latter kind. Values are parsed to each option's
    type; an option no backend declares (or, after a ``--backend``, that one does not) raises
    :class:`~compare.errors.ArgumentValueError` naming the options there are. A key given twice for the same
    backend (or for all) takes the later value. A backend given twice with the same options runs once (with a
    note); with other options it is another system (``hf``, ``hf-2``).

    A command that calls this takes ``ctx: typer.Context``, ``backend: Backends`` and ``option: BackendOptions``
    (those parameter names) and is registered with ``app.command(cls=BackendCommand)``.
    """
    from .backends.base import configure_backends
    from .roundtrip import name_systems, split_named

    shared: dict[str, str] = {}
    given: list[tuple[str, dict[str, str]]] = []
    for kind, value in _backend_args(specs, option_args, ctx):
        if kind == "backend":
            given.append((value.strip(), {}))
        else:
            key, text = _key_value(value)
            (given[-1][1] if given else shared)[key] = text
    unique: list[tuple[str, dict[str, str]]] = []
    for spec, own in given or [("apertium", {})]:
        if (spec, own) in unique:
            _note(f"--backend {spec} given twice; its paths run once")
            continue
        unique.append((spec, own))
    named = [split_named(spec) for spec, _ in unique]
    loaded = configure_backends([spec for _, spec in named], shared=shared, each=[own for _, own in unique], text=True)
    return [(name, cast("Backend", b)) for name, b in name_systems(list(zip((n for n, _ in named), loaded)))]


def _cache_arg(cache_dir: Path | None, no_cache: bool) -> bool | Path:
    if no_cache:
        return False
    return cache_dir if cache_dir is not None else True


def _error_line(message: str) -> None:
    """``mtcompare: error: MESSAGE`` on stderr: one line whatever the message holds."""
    from .render.literal import visible

    typer.echo(f"mtcompare: error: {visible(message)}", err=True)


def _note(message: str) -> None:
    from .render.literal import visible

    typer.echo(f"mtcompare: note: {visible(message)}", err=True)


@contextmanager
def _progress_bar(quiet: bool) -> Iterator[Callable[[Any], None] | None]:
    """A rich progress bar on stderr, one task per hop, fed by the library's ``progress`` callback.

    Nothing when ``quiet`` or when stderr is not a terminal (a log file gets no bar).
    """
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .render.literal import visible

    tasks: dict[tuple[str, int], Any] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("segments"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:

        def update(event: Any) -> None:
            key = (event.path, event.hop)
            if key not in tasks:
                label = f"{event.path} hop {event.hop}/{event.hops} {event.source_lang}→{event.target_lang}"
                tasks[key] = bar.add_task(visible(label), total=event.total)
            bar.update(tasks[key], completed=event.done, total=event.total)
            bar.refresh()  # drawn at every chunk, not only on the timer

        yield update


@contextmanager
def _errors() -> Iterator[None]:
    """One line and a non-zero exit for the toolkit's own errors; never a traceback."""
    try:
        yield
    except MtcompareError as exc:
        _error_line(str(exc))
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        _error_line("interrupted")
        raise typer.Exit(130) from None


def _write(text: str, output: str | None) -> None:
    """Write to ``output`` (see :func:`compare.output.write_output`), or to stdout."""
    from .output import write_output

    write_output(text, output)


# Below this, even one record per block breaks every word; the terminal wraps wider lines itself.
MIN_TERMINAL_WIDTH = 20


def _render_rich(make: Callable[[Any], None], output: str | None) -> None:
    from rich.console import Console

    if output is None:
        # Piped into a file or a pager, tables get room (160 columns) unless COLUMNS says otherwise.
        wide = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160
        # Rendered into a buffer with the terminal's settings, so a failing stdout is one error of ours.
        terminal = Console(width=wide)
        width = max(terminal.width, MIN_TERMINAL_WIDTH)
        buffer = io.StringIO()
        make(
            Console(
                file=buffer,
                width=width,
                force_terminal=terminal.is_terminal,
                color_system=terminal.color_system,  # type: ignore[arg-type]
                no_color=terminal.no_color,
            )
        )
        _write(buffer.getvalue(), None)
        return
    console = Console(record=True, width=160, file=open(os.devnull, "w"))  # noqa: SIM115
    make(console)
    _write(console.export_text(), output)


def _read_inputs(
    inputs: list[str], lang: str, paragraphs: ParagraphMode, max_input_size: int | None
) -> tuple[Any, str]:
    """The segments of all inputs, and the paragraph mode they were cut with (blank, line or mixed)."""
    from .text import documents_paragraph_mode, read_texts, segment_documents

    documents = read_texts(inputs, max_bytes=max_input_size)
    mode = documents_paragraph_mode(documents, paragraphs.value)
    return segment_documents(documents, lang, paragraphs.value), mode


def _unique_pivots(lang: str, vias: Sequence[str], chain: Sequence[str]) -> tuple[list[str], list[str]]:
    """``--via`` and ``--chain`` without repeated paths (each would be run and counted again), with a note."""
    from .languages import normalize_lang

    src = normalize_lang(lang)
    seen: dict[str, str] = {}
    unique = []
    for code in vias:
        norm = normalize_lang(code)
        if norm in seen:
            _note(f"--via {seen[norm]} given twice; the path {src}>{norm}>{src} runs once")
            continue
        seen[norm] = code
        unique.append(code)
    if len(chain) == 1 and normalize_lang(chain[0]) in seen:
        norm = normalize_lang(chain[0])
        _note(f"--chain {chain[0]} is the path --via {seen[norm]} already runs ({src}>{norm}>{src}); it runs once")
        return unique, []
    return unique, list(chain)


def _metric_names(metrics: str, semantic: bool) -> list[str]:
    names = [] if metrics.strip().lower() == "none" else [m.strip() for m in metrics.split(",") if m.strip()]
    if semantic and "semantic" not in names:
        names.append("semantic")
    return names


def _compare_pairs(values: Sequence[str] | None) -> list[tuple[str, str]]:
    pairs = []
    for value in values or []:
        parts = [p.strip() for p in value.split(",")]
        if len(parts) != 2 or not all(parts):
            raise typer.BadParameter(
                f"--compare takes two paths separated by a comma, such as en>es,en>ca; got {value!r}"
            )
        pairs.append((parts[0], parts[1]))
    return pairs


def _render_result(result: Any, fmt: RoundTripFormat, output: str | None, segments: bool) -> None:
    """A round-trip result in ``fmt``: JSON whole; CSV, JSON Lines, Markdown, LaTeX from the analysis; tables."""
    from .errors import ResultFormatError
    from .render import to_json

    if fmt is RoundTripFormat.json:
        _write(to_json(result), output)
    elif fmt is RoundTripFormat.html:
        from .render.html import render_html

        _write(render_html(result), output)
    elif fmt is RoundTripFormat.table:
        from .render.table import roundtrip_view

        view = roundtrip_view(result, segments=segments)
        _render_rich(lambda console: console.print(view), output)
    else:
        from .render.tabular import render

        if result.analysis is None:
            raise ResultFormatError(
                f"--format {fmt.value} writes the analysis, and this result has none (--no-terms); "
                "use --format json or table, or leave out --no-terms"
            )
        _write(render(result, fmt.value), output)


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


@app.command(cls=BackendCommand)
def roundtrip(
    ctx: typer.Context,
    inputs: Inputs,
    lang: SourceLang = "en",
    via: Annotated[
        list[str] | None,
        typer.Option(callback=_split_langs, help="Pivot languages, one round trip each: es,ca. Default: es,ca."),
    ] = None,
    chain: Annotated[
        list[str] | None,
        typer.Option(callback=_split_langs, help="One multi-hop path through these languages in order: es,ca."),
    ] = None,
    route: Annotated[
        RouteMode,
        typer.Option(
            "--route",
            help="direct: hops as asked (a pair the backend lacks is an error naming the chain that exists); "
            "auto: a pivot it cannot reach directly through the fewest hops its pairs allow "
            "(--via fr: en>es>fr>es>en).",
        ),
    ] = RouteMode.direct,
    backend: Backends = None,
    option: BackendOptions = None,
    lexicon: LexiconFiles = None,
    no_terms: Annotated[
        bool,
        typer.Option(
            "--no-terms", help="Translate only: no analysis (shifts, metrics, statistics); the JSON has analysis: null."
        ),
    ] = False,
    metrics: Metrics = "bleu,chrf,ter",
    semantic: Semantic = False,
    semantic_model: SemanticModel = None,
    compare: ComparePaths = None,
    method: Method = CompareMethod.bs,
    resamples: Resamples = 1000,
    seed: Seed = 12345,
    samples: Annotated[
        int | None,
        typer.Option(
            "--samples",
            min=1,
            max=1000,
            help="Translate N times by sampling (seeds --seed, --seed+1, ...) where the backend can (hf) and show "
            "how stable each term's outcome is; deterministic backends run once and say so.",
        ),
    ] = None,
    no_segments: Annotated[
        bool, typer.Option("--no-segments", help="Table format: leave out the side-by-side segments.")
    ] = False,
    fmt: Annotated[RoundTripFormat, typer.Option("--format", "-f", help="Output format.")] = RoundTripFormat.table,
    output: Output = None,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    paragraphs: Paragraphs = ParagraphMode.auto,
    max_input_size: MaxInputSize = None,
    quiet: Quiet = False,
) -> None:
    """Translate into pivot languages and back; show where loaded terms shift, with metrics and rates."""
    from .roundtrip import roundtrip as run

    with _errors():
        systems = dict(_systems_from_cli(backend, option, ctx))
        segments, mode = _read_inputs(inputs, lang, paragraphs, max_input_size)
        vias, chains = _unique_pivots(lang, via or [], chain or [])
        if not vias and not chains:
            vias = ["es", "ca"]
        lex = None
        if lexicon:
            from .lexicon import Lexicon

            lex = Lexicon.load(*lexicon)
        pairs = _compare_pairs(compare)
        if samples is not None:
            _sampled(
                segments,
                lang,
                vias,
                chains,
                systems,
                samples,
                seed,
                lex,
                mode,
                fmt,
                output,
                no_terms,
                pairs,
                _cache_arg(cache_dir, no_cache),
            )
            return
        with _progress_bar(quiet) as progress:
            result = run(
                segments,
                source_lang=lang,
                via=vias,
                chain=chains,
                backends=systems,
                cache=_cache_arg(cache_dir, no_cache),
                analyse=False,
                paragraphs=mode,
                progress=progress,
                route=route.value,
            )
        if not no_terms:
            from .analysis import analyse

            result = analyse(
                result,
                lexicon=lex,
                metrics=_metric_names(metrics, semantic),
                compare=pairs,
                method=method.value,
                resamples=resamples,
                seed=seed,
                semantic_model=semantic_model,
            )
        _render_result(result, fmt, output, segments=not no_segments)


def _sampled(
    segments: Any,
    lang: str,
    vias: list[str],
    chains: list[str],
    systems: dict[str, Any],
    samples: int,
    seed: int,
    lex: Any,
    mode: str,
    fmt: RoundTripFormat,
    output: str | None,
    no_terms: bool,
    pairs: list[tuple[str, str]],
    cache: Any,
) -> None:
    """``roundtrip --samples N``: every system that can sample run N times, each term's outcomes counted."""
    from .errors import ArgumentValueError
    from .render import to_json
    from .sampling import sample_roundtrip

    if no_terms or pairs:
        raise ArgumentValueError(
            f"--samples counts each term's outcomes; it cannot go with {'--no-terms' if no_terms else '--compare'}"
        )
    if fmt in (RoundTripFormat.md, RoundTripFormat.latex, RoundTripFormat.html):
        raise ArgumentValueError(
            f"--samples writes --format table, json, jsonl or csv; {fmt.value} is for one run's report"
        )
    stability = sample_roundtrip(
        segments,
        lang,
        via=vias,
        chain=chains,
        backends=systems,
        samples=samples,
        seed=seed,
        cache=cache,
        lexicon=lex,
        paragraphs=mode,
    )
    for system in stability.systems:
        if system.deterministic:
            _note(f"{system.system} is deterministic: it translates the same way every time, so it ran once")
    if fmt is RoundTripFormat.json:
        _write(to_json(stability), output)
    elif fmt is RoundTripFormat.table:
        from .render.table import stability_table

        table = stability_table(stability)
        _render_rich(lambda console: console.print(table), output)
    else:
        from .render.tabular import render_stability

        _write(render_stability(stability, fmt.value), output)


@app.command()
def analyse(
    result_file: Annotated[
        str, typer.Argument(metavar="RESULT.json", help="A result written by --format json, or - for standard input.")
    ],
    lexicon: LexiconFiles = None,
    metrics: Metrics = "bleu,chrf,ter",
    semantic: Semantic = False,
    semantic_model: SemanticModel = None,
    compare: ComparePaths = None,
    method: Method = CompareMethod.bs,
    resamples: Resamples = 1000,
    seed: Seed = 12345,
    no_segments: Annotated[
        bool, typer.Option("--no-segments", help="Table format: leave out the side-by-side segments.")
    ] = False,
    fmt: Annotated[RoundTripFormat, typer.Option("--format", "-f", help="Output format.")] = RoundTripFormat.table,
    output: Output = None,
    max_input_size: MaxInputSize = None,
) -> None:
    """Analyse a saved result again (another lexicon, metrics, comparisons) without translating anything."""
    from .analysis import analyse as run

    with _errors():
        pairs = _compare_pairs(compare)
        saved = _load_result(result_file, max_input_size)
        lex = None
        if lexicon:
            from .lexicon import Lexicon

            lex = Lexicon.load(*lexicon)
        result = run(
            saved,
            lexicon=lex,
            metrics=_metric_names(metrics, semantic),
            compare=pairs,
            method=method.value,
            resamples=resamples,
            seed=seed,
            semantic_model=semantic_model,
        )
        _render_result(result, fmt, output, segments=not no_segments)


def _load_result(result_file: str, max_input_size: int | None) -> Any:
    """A saved result (``--format json``) read back; ``-`` reads standard input."""
    import json

    from .errors import ResultFormatError
    from .results import RoundTrip
    from .text import read_text

    text = read_text(result_file, max_input_size)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResultFormatError(f"{result_file} is not JSON: {exc.msg} at line {exc.lineno}") from None
    return RoundTrip.from_dict(data)


@app.command()
def report(
    result_file: Annotated[
        str, typer.Argument(metavar="RESULT.json", help="A result written by --format json, or - for standard input.")
    ],
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help="Report format.")] = ReportFormat.html,
    output: Output = None,
    max_input_size: MaxInputSize = None,
) -> None:
    """Render a saved result as a self-contained HTML page (summary, heatmap, every segment with its terms)."""
    from .render.html import render_html

    with _errors():
        result = _load_result(result_file, max_input_size)
        if result.analysis is None:
            _note(f"{result_file} holds no analysis; the report shows the translations (mtcompare analyse adds it)")
        _write(render_html(result), output)


@app.command()
def plot(
    result_file: Annotated[
        str, typer.Argument(metavar="RESULT.json", help="A result written by --format json, or - for standard input.")
    ],
    output_dir: Annotated[
        Path, typer.Option("--output-dir", "-o", help="Directory the figures are written into (created if missing).")
    ],
    max_input_size: MaxInputSize = None,
) -> None:
    """Figures for papers (PNG at 300 dpi and SVG): heatmap, outcome rates with CIs, metrics per pivot."""
    from .render.plots import write_figures

    with _errors():
        result = _load_result(result_file, max_input_size)
        for written in write_figures(result, output_dir):
            typer.echo(str(written))


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
    max_input_size: MaxInputSize = None,
) -> None:
    """Find loaded terms in a text without translating it; one row per occurrence."""
    from .lexicon import Lexicon
    from .render.terms import render_terms
    from .terms import find_in_files

    with _errors():
        lex = Lexicon.load(*(lexicon or []), include_default=not no_default)
        rows = find_in_files(inputs, lang, lex, max_bytes=max_input_size)
        if fmt is TermsFormat.table:
            from .render.table import terms_table

            table = terms_table(rows)
            _render_rich(lambda console: console.print(table), output)
        else:
            _write(render_terms(rows, fmt.value), output)


@app.command(cls=BackendCommand)
def translate(
    ctx: typer.Context,
    inputs: Inputs,
    to: Annotated[str, typer.Option("--to", "-t", help="Target language (ISO 639-1).", show_default=False)],
    lang: SourceLang = "en",
    backend: Backends = None,
    option: BackendOptions = None,
    fmt: Annotated[TranslateFormat, typer.Option("--format", "-f", help="Output format.")] = TranslateFormat.text,
    output: Output = None,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    paragraphs: Paragraphs = ParagraphMode.auto,
    max_input_size: MaxInputSize = None,
    terms: Annotated[
        bool,
        typer.Option(
            "--terms",
            help="Also report what became of each loaded term in the translation (kept, variant softened/"
            "intensified, replaced, dropped, added), with rates and bootstrap CIs: mtcompare parallel's rows.",
        ),
    ] = False,
    lexicon: LexiconFiles = None,
    resamples: Resamples = 1000,
    seed: Seed = 12345,
) -> None:
    """Translate one way; text output keeps the paragraphs. With --terms, the loaded terms' outcomes too."""
    from .render import to_json
    from .render.literal import visible
    from .roundtrip import translate as run
    from .text import join_segments

    with _errors():
        systems = dict(_systems_from_cli(backend, option, ctx))
        segments, mode = _read_inputs(inputs, lang, paragraphs, max_input_size)
        result = run(
            segments,
            source_lang=lang,
            target_lang=to,
            backends=systems,
            cache=_cache_arg(cache_dir, no_cache),
            paragraphs=mode,
        )
        if terms:
            from .parallel import analyse_translation

            result = analyse_translation(
                result, lexicon=[str(p) for p in lexicon] if lexicon else None, resamples=resamples, seed=seed
            )
        elif fmt.value in ("jsonl", "csv", "md", "latex"):
            from .errors import ArgumentValueError

            raise ArgumentValueError(f"--format {fmt.value} writes the loaded terms' outcomes; add --terms")
        if fmt is TranslateFormat.json:
            _write(to_json(result), output)
        elif fmt is TranslateFormat.table:
            from .render.table import roundtrip_view

            _render_rich(lambda console: console.print(roundtrip_view(result)), output)
        elif fmt.value in ("jsonl", "csv", "md", "latex", "html"):
            _render_result(result, RoundTripFormat(fmt.value), output, segments=True)
        else:
            blocks = []
            for path in result.paths:
                body = join_segments(result.segments, path.hops[0].segments, result.paragraphs)
                blocks.append(body if len(result.paths) == 1 else f"# {path.name}\n\n{body}")
            _write(visible("\n\n".join(blocks) + "\n", keep="\n\t"), output)


@app.command()
def backends(
    options: Annotated[
        str | None,
        typer.Option("--options", metavar="NAME", help="List the options of backend NAME (-O KEY=VALUE) instead."),
    ] = None,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = ListFormat.table,
) -> None:
    """List the backends: available here or not (and why), their pairs, options and install hints."""
    from .render import to_json

    with _errors():
        if options is not None:
            from .backends.base import get_backend_class

            spec = get_backend_class(options.strip()).options_spec
            if fmt is ListFormat.json:
                _write(to_json([o.to_dict() for o in spec]), None)
                return
            if not spec:
                _write(f"{options.strip()} takes no options\n", None)
                return
            from .render.table import options_table

            grid = options_table(options.strip(), spec)
            _render_rich(lambda console: console.print(grid), None)
            return
        from .backends.status import backend_statuses

        statuses = backend_statuses()
        if fmt is ListFormat.json:
            _write(to_json([s.to_dict() for s in statuses]), None)
            return
        from .render.table import backends_table

        table = backends_table(statuses)
        _render_rich(lambda console: console.print(table), None)


def _register_commands() -> None:
    """Add the commands of :mod:`compare.commands` (each module's ``register(app)``), in name order."""
    import importlib
    import pkgutil

    from . import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{commands.__name__}.{info.name}").register(app)


_register_commands()


def _show_warning(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    """The library's warnings as one line each, ``mtcompare: note: ...`` (Python's own format has two)."""
    _note(str(message))


def main() -> None:
    import warnings

    from .errors import MtcompareWarning

    warnings.showwarning = _show_warning
    warnings.simplefilter("default", MtcompareWarning)
    app()


if __name__ == "__main__":
    main()
