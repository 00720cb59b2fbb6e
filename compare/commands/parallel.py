"""``mtcompare parallel``: a source text against its translations (human or machine), one hop each."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from ..cli import (
    LexiconFiles,
    MaxInputSize,
    Output,
    Resamples,
    RoundTripFormat,
    Seed,
    SourceLang,
    _errors,
    _render_result,
    _split_langs,
    _write,
)

#: Translation files read as pairs keyed by the source segment (the ``file`` backend's formats).
PAIR_SUFFIXES = (".tsv", ".jsonl")


class AlignMode(str, Enum):
    lines = "lines"
    sentences = "sentences"


def _system_name(path: str, given: list[str] | None, k: int) -> str:
    if given:
        return given[k] if len(given) > 1 else given[0]
    return "reference"


def register(app: typer.Typer) -> None:
    """Add ``mtcompare parallel`` to ``app``."""

    @app.command()
    def parallel(
        source: Annotated[str, typer.Argument(help="The source text: a UTF-8 file, or - for standard input.")],
        translations: Annotated[
            list[str],
            typer.Argument(
                help="Its translations, one file per --to language in that order: plain text (line N translates "
                "line N, or --align sentences), or a .tsv/.jsonl of source-translation pairs (the file backend's "
                "format).",
                show_default=False,
            ),
        ],
        to: Annotated[
            list[str],
            typer.Option(
                "--to",
                "-t",
                callback=_split_langs,
                help="The translations' languages, in the order of the files: ar,fa,de.",
                show_default=False,
            ),
        ],
        lang: SourceLang = "en",
        align: Annotated[
            AlignMode,
            typer.Option(
                "--align",
                help="lines: line N of each file translates line N of the source (the counts must match); "
                "sentences: cut both into sentences and align them (Gale-Church; the align extra).",
            ),
        ] = AlignMode.lines,
        system: Annotated[
            list[str] | None,
            typer.Option(
                "--system",
                help="Name of who translated (default: reference), once for all files or once per file: "
                "the path is en>ar (NAME).",
            ),
        ] = None,
        lexicon: LexiconFiles = None,
        resamples: Resamples = 1000,
        seed: Seed = 12345,
        segments: Annotated[
            bool, typer.Option("--segments", help="Table format: show the segments side by side too.")
        ] = False,
        fmt: Annotated[RoundTripFormat, typer.Option("--format", "-f", help="Output format.")] = RoundTripFormat.table,
        output: Output = None,
        max_input_size: MaxInputSize = None,
    ) -> None:
        """Compare a text with its translations: what became of each loaded term in each language.

        For every term of the source: the aligned words in each translation, the concept and frame found
        there, and the outcome (kept, variant softened/intensified, replaced, dropped, added), with rates
        and bootstrap confidence intervals per language and concept.
        """
        with _errors():
            result, extra = _run(
                source, translations, to, lang, align.value, system, lexicon, resamples, seed, max_input_size
            )
            if fmt is RoundTripFormat.json:
                import json

                data = result.to_dict()
                data["parallel"] = extra
                _write(json.dumps(data, ensure_ascii=False, indent=2) + "\n", output)
            else:
                _render_result(result, fmt, output, segments)


def _run(
    source: str,
    translations: list[str],
    to: list[str],
    lang: str,
    align: str,
    system: list[str] | None,
    lexicon: list[Path] | None,
    resamples: int,
    seed: int,
    max_input_size: int | None,
) -> tuple[Any, dict[str, Any]]:
    """The analysed result and the JSON's ``parallel`` section (how segments were paired, warnings)."""
    from dataclasses import replace

    from ..analysis import analyse
    from ..errors import ArgumentValueError
    from ..lexicon import Lexicon
    from ..parallel import build_result, pair_texts
    from ..text import read_text

    if len(to) != len(translations):
        raise ArgumentValueError(
            f"{len(translations)} translation file(s) and {len(to)} language(s) in --to; give one language per "
            "file, in the same order (--to ar,fa for two files)"
        )
    if system and len(system) not in (1, len(translations)):
        raise ArgumentValueError(f"--system is given {len(system)} times; give it once, or once per file")
    lex = Lexicon.load(*lexicon) if lexicon else Lexicon.default()
    text = read_text(source, max_input_size)
    plain = [
        (k, code, path) for k, (code, path) in enumerate(zip(to, translations)) if not path.endswith(PAIR_SUFFIXES)
    ]
    pairs = [(k, code, path) for k, (code, path) in enumerate(zip(to, translations)) if path.endswith(PAIR_SUFFIXES)]
    if pairs and align == "sentences":
        raise ArgumentValueError(
            "a .tsv/.jsonl translation file pairs translations with source segments already; "
            "--align sentences is for plain text files"
        )
    paths_by_index: dict[int, Any] = {}
    extra: dict[str, Any] = {"align": align, "aligner": None, "languages": {}, "warnings": []}
    base = None
    if plain:
        texts = [(code, read_text(path, max_input_size)) for _, code, path in plain]
        # Files of one system are paired together; each file's system names its path.
        paired = pair_texts(text, texts, lang, align=align, lexicon=lex, document="")
        extra = paired.to_dict()
        for (k, _code, path), (target, _) in zip(plain, paired.targets):
            one = replace(paired, targets=tuple(t for t in paired.targets if t[0] == target))
            built = build_result(one, _system_name(path, system, k))
            paths_by_index[k] = built.paths[0]
            base = base or built
    if pairs:
        if base is None:
            from ..results import RoundTrip, Segment

            lines = text[:-1].split("\n") if text.endswith("\n") else text.split("\n")
            base = RoundTrip(
                source_lang=_norm(lang),
                segments=tuple(Segment(id=i, text=t, paragraph=i) for i, t in enumerate(lines)),
                paths=(),
                segmenter="lines",
                paragraphs="line",
            )
        for k, code, path in pairs:
            from ..parallel import check_target_lang

            target = check_target_lang(code, base.source_lang, lex)
            paths_by_index[k] = _pairs_path(base, target, path, _system_name(path, system, k))
    assert base is not None
    names = [p.name for p in paths_by_index.values()]
    if len(set(names)) != len(names):
        raise ArgumentValueError(
            "two translation files make the same path (same language and --system); name them apart"
        )
    result = replace(base, paths=tuple(paths_by_index[k] for k in sorted(paths_by_index)))
    result = analyse(result, lexicon=lex, metrics=None, resamples=resamples, seed=seed)
    return result, extra


def _pairs_path(base: Any, target: str, path: str, system: str) -> Any:
    """The one-hop path of a .tsv/.jsonl file of pairs: each non-empty source line looked up in it (an
    empty source line needs no translation and gets an empty one)."""
    from dataclasses import replace

    from ..results import Segment
    from ..roundtrip import run_path

    keep = [s for s in base.segments if s.text.strip()]
    found = run_path(
        [Segment(id=i, text=s.text, paragraph=s.paragraph, document=s.document) for i, s in enumerate(keep)],
        base.source_lang,
        [(target, f"file:{path}")],
        cache=False,
        system=system,
    )
    hop = found.hops[0]
    texts = dict(zip((s.id for s in keep), hop.segments))
    full = tuple(texts.get(s.id, "") for s in base.segments)
    hop = replace(hop, segments=full, unknown=tuple(() for _ in full), alignment=())
    return replace(found, hops=(hop,))


def _norm(lang: str) -> str:
    from ..languages import normalize_lang

    return normalize_lang(lang)
