"""``mtcompare corpus``: round trips of many documents into an output folder, streamed and resumable."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from ..cli import (
    BackendCommand,
    BackendOptions,
    Backends,
    CacheDir,
    LexiconFiles,
    Metrics,
    NoCache,
    ParagraphMode,
    Paragraphs,
    Quiet,
    RouteMode,
    SourceLang,
    _cache_arg,
    _errors,
    _metric_names,
    _note,
    _split_langs,
    _systems_from_cli,
    _unique_pivots,
)


class CorpusFormat(str, Enum):
    auto = "auto"
    txt = "txt"
    jsonl = "jsonl"
    csv = "csv"
    tsv = "tsv"


class ExecutorName(str, Enum):
    local = "local"
    ray = "ray"


def _delimiter(value: str | None) -> str | None:
    if value is None:
        return None
    named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    value = named.get(value.lower(), value)
    if len(value) != 1:
        raise typer.BadParameter(f"a delimiter is one character (or tab, comma, semicolon, pipe), not {value!r}")
    return value


@contextmanager
def _corpus_progress(quiet: bool, total: int | None) -> Iterator[Callable[[Any], None] | None]:
    """A rich progress bar on stderr: documents with ETA, and per hop the segments done and segments/s.

    Nothing when ``quiet`` or when stderr is not a terminal.
    """
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    from ..render.literal import visible

    class Rate(ProgressColumn):
        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            unit = task.fields.get("unit", "")
            return Text(f"{speed:,.0f} {unit}/s" if speed else f"– {unit}/s")

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        Rate(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        documents = bar.add_task("documents", total=total, unit="doc")
        hops: dict[str, Any] = {}

        def update(event: Any) -> None:
            if event.hop:
                if event.hop not in hops:
                    hops[event.hop] = bar.add_task(visible(f"  {event.hop} segments"), total=None, unit="seg")
                bar.update(hops[event.hop], completed=event.hop_segments)
            else:
                bar.update(documents, completed=event.documents)

        yield update


def corpus(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            help="A folder of .txt files, a .jsonl, .csv or .tsv file, or - for JSON Lines on stdin.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="Output folder: documents.jsonl, summary.json, run.json.", show_default=False
        ),
    ],
    lang: SourceLang = "en",
    via: Annotated[
        list[str] | None,
        typer.Option(callback=_split_langs, help="Pivot languages, one round trip each: es,ca. Default: es,ca."),
    ] = None,
    chain: Annotated[
        list[str] | None,
        typer.Option(callback=_split_langs, help="One multi-hop path through these languages in order: es,ca."),
    ] = None,
    backend: Backends = None,
    option: BackendOptions = None,
    lexicon: LexiconFiles = None,
    metrics: Metrics = "bleu,chrf,ter",
    no_terms: Annotated[bool, typer.Option("--no-terms", help="Translate only: no analysis.")] = False,
    fmt: Annotated[
        CorpusFormat, typer.Option("--format", help="Input format (auto: by the name).")
    ] = CorpusFormat.auto,
    id_field: Annotated[str, typer.Option("--id-field", help="JSON/CSV field holding the document id.")] = "id",
    text_field: Annotated[str, typer.Option("--text-field", help="JSON/CSV field holding the text.")] = "text",
    lang_field: Annotated[
        str | None, typer.Option("--lang-field", help="JSON/CSV field holding a document's language (default: --lang).")
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option("--delimiter", parser=_delimiter, help="CSV delimiter: a character, or tab.")
    ] = None,
    paragraphs: Paragraphs = ParagraphMode.auto,
    restart: Annotated[
        bool, typer.Option("--restart", help="Start the output folder afresh (its finished documents are dropped).")
    ] = False,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    executor: Annotated[
        ExecutorName, typer.Option("--executor", help="Where translations run: local (this machine) or ray.")
    ] = ExecutorName.local,
    address: Annotated[
        str | None, typer.Option("--address", help="ray: the cluster, auto or ray://HOST:10001.")
    ] = None,
    ray_cpus: Annotated[
        float | None, typer.Option("--ray-cpus", min=0, help="ray: CPUs each actor declares (default 1).")
    ] = None,
    ray_gpus: Annotated[
        float | None,
        typer.Option("--ray-gpus", min=0, help="ray: GPUs per actor of a backend that can use one (hf, ct2)."),
    ] = None,
    ray_actors: Annotated[
        int | None, typer.Option("--ray-actors-per-node", min=1, help="ray: actors per backend per node.")
    ] = None,
    ray_split: Annotated[
        bool | None,
        typer.Option(
            "--ray-split",
            help="ray: cut each batch over all actors (faster on many nodes; Apertium's output then depends "
            "on the cut).",
        ),
    ] = None,
    route: Annotated[
        RouteMode,
        typer.Option("--route", help="direct: hops as asked; auto: an unreachable pivot through the fewest hops."),
    ] = RouteMode.direct,
    chunk: Annotated[
        int, typer.Option("--chunk-segments", min=1, help="Segments translated together (and cached) at a time.")
    ] = 2048,
    quiet: Quiet = False,
) -> None:
    """Round trips of a corpus: per-document results streamed to a folder, aggregates at the end; resumable."""
    import time

    from .. import __version__
    from ..analysis import lexicon_hash, matcher_version
    from ..corpus import CorpusReader, make_executor, run_corpus

    with _errors():
        started = time.monotonic()
        reader = CorpusReader(
            source, id_field=id_field, text_field=text_field, lang_field=lang_field, fmt=fmt.value, delimiter=delimiter
        )
        total = reader.check() if source != "-" else None
        vias, chains = _unique_pivots(lang, via or [], chain or [])
        if not vias and not chains:
            vias = ["es", "ca"]
        from ..lexicon import Lexicon

        lex = Lexicon.load(*lexicon) if lexicon else Lexicon.default()
        metric_names = [] if no_terms else _metric_names(metrics, False)
        systems = _systems_from_cli(backend, option, ctx)
        loaded = [b for _, b in systems]
        settings = {
            "input": {"source": source, "format": reader.format, "id_field": id_field, "text_field": text_field,
                      "lang_field": lang_field},
            "source_lang": lang,
            "via": vias,
            "chain": chains,
            "systems": [[name, b.spec, b.options] for name, b in systems],
            "lexicon": None if no_terms else lexicon_hash(lex),
            "matcher": None if no_terms else matcher_version(),
            "metrics": metric_names,
            "analyse": not no_terms,
            "paragraphs": paragraphs.value,
            "route": route.value,
            "version": __version__,
        }  # fmt: skip
        runner = make_executor(
            executor.value,
            loaded,
            address=address,
            num_cpus=ray_cpus,
            num_gpus=ray_gpus,
            actors_per_node=ray_actors,
            split_jobs=ray_split,
        )
        try:
            with _corpus_progress(quiet, total) as progress:
                done = run_corpus(
                    reader,
                    output,
                    settings,
                    restart=restart,
                    progress=progress,
                    skipped=lambda: reader.skipped_empty,
                    source_lang=lang,
                    via=vias,
                    chain=chains,
                    backends=dict(systems),
                    cache=_cache_arg(cache_dir, no_cache),
                    lexicon=lex,
                    analyse=not no_terms,
                    paragraphs=paragraphs.value,
                    metrics=metric_names,
                    chunk_segments=chunk,
                    route=route.value,
                    executor=runner,
                )
            where = runner.describe()
        finally:
            runner.close()
        if not quiet:
            resumed = f", {done.resumed:,} of them from an earlier run" if done.resumed else ""
            skipped = f"; {done.skipped:,} empty skipped" if done.skipped else ""
            _note(
                f"corpus: {done.documents:,} documents{resumed}, {done.segments:,} segments{skipped}, "
                f"{len(done.aggregates['paths'])} paths in {time.monotonic() - started:.1f} s ({where}) "
                f"→ {done.outdir}/summary.json"
            )


def register(app: typer.Typer) -> None:
    app.command(cls=BackendCommand)(corpus)
