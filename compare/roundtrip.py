"""Paths and hops: run backends in order over aligned segments and collect typed results.

``roundtrip(text, via=["es", "ca"])`` runs one path per pivot (en→es→en, en→ca→en);
``roundtrip(text, chain=["es", "ca"])`` runs one multi-hop path (en→es→ca→en); several backends run
side by side on the same segments; :func:`run_path` allows a different backend on every hop.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path as FilePath
from typing import Any

from . import _checks as check
from .backends.base import Backend, load_backends
from .cache import TranslationCache
from .errors import ArgumentValueError
from .languages import normalize_lang
from .results import Hop, HopSignature, Path, RoundTrip, Segment, Signature, Translation
from .routes import plan_routes
from .text import check_paragraph_mode, documents_paragraph_mode, paragraph_mode, segment_documents, segment_text

CacheLike = TranslationCache | str | FilePath | bool | None
BackendLike = str | Backend
#: Backends as ``roundtrip`` takes them: specs (``"apertium"``, ``"opus=hf:Helsinki-NLP/opus-mt-en-es"``),
#: Backend objects, or a mapping of system name to spec or Backend.
BackendsLike = Sequence[BackendLike] | Mapping[str, BackendLike] | BackendLike

#: ``NAME=SPEC``: a name of letters, digits, ``_ . -`` before the first ``=`` (a spec's own ``=``,
#: as in ``command:'tr --opt=1'``, comes after a ``:`` and is not taken for a name).
_NAMED = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9_.\-]*)\s*=\s*(.+)$", re.S)


def split_named(spec: str) -> tuple[str | None, str]:
    """``"opus=hf:MODEL"`` -> ``("opus", "hf:MODEL")``; ``"apertium"`` -> ``(None, "apertium")``."""
    match = _NAMED.match(spec)
    if match:
        return match.group(1), match.group(2).strip()
    return None, spec.strip()


def _derived_names(spec: str | Backend) -> list[str]:
    """Candidate names for an unnamed system, shortest first: ``apertium``, ``hf:opus-mt-en-es``, ``file:a.tsv``,
    then with more of a path (``file:run1/a.tsv``) to tell two files of the same name apart."""
    from .backends.base import parse_spec

    text = spec.spec if isinstance(spec, Backend) else spec
    kind, arg = parse_spec(text)
    if not arg:
        return [kind]
    if kind == "command":
        words = [w.strip("'\"") for w in arg.split() if "{" not in w]
        files = [w for w in words if "/" in w or "." in w]
        base = FilePath(files[-1] if files else words[0] if words else kind).name
        return [f"{kind}:{base}", f"{kind}:{arg}"]
    parts = [p for p in re.split(r"[\\/]", arg) if p]
    names = [f"{kind}:{'/'.join(parts[-k:])}" for k in range(1, len(parts) + 1)]
    return names or [text]


def name_systems(backends: Sequence[Any]) -> list[tuple[str, str | Backend]]:
    """``(name, spec)`` for each backend: the name given (``NAME=SPEC``, a mapping's key) or one derived
    from the spec, unique among them. The same spec given twice without a name runs once; the same
    name given twice is an error.

    >>> [name for name, _ in name_systems(["apertium", "file:a/out.tsv", "file:b/out.tsv", "opus=hf:x/opus-mt"])]
    ['apertium', 'file:a/out.tsv', 'file:b/out.tsv', 'opus']
    """
    given: list[tuple[str | None, str | Backend]] = []
    for item in backends:
        if isinstance(item, tuple):
            given.append(item)
        elif isinstance(item, str):
            given.append(split_named(item))
        else:
            given.append((None, item))
    unique: list[tuple[str | None, str | Backend]] = []
    for name, spec in given:
        same = [(n, s) for n, s in unique if n == name and (s is spec or (isinstance(s, str) and s == spec))]
        if not same:
            unique.append((name, spec))
    explicit = [n for n, _ in unique if n is not None]
    for n in explicit:
        if explicit.count(n) > 1:
            raise ArgumentValueError(f"system name {n!r} is given to two backends; each system needs its own name")
    taken = set(explicit)
    unnamed = [(i, _derived_names(spec)) for i, (name, spec) in enumerate(unique) if name is None]
    chosen: dict[int, str] = {}
    for i, candidates in unnamed:
        others = [c for j, c in unnamed if j != i]
        pick = None
        for k, candidate in enumerate(candidates):
            clash = candidate in taken or any(o[min(k, len(o) - 1)] == candidate for o in others)
            if not clash:
                pick = candidate
                break
        if pick is None:
            base, n = candidates[-1], 2
            pick = base
            while pick in taken or pick in chosen.values():
                pick, n = f"{base}-{n}", n + 1
        chosen[i] = pick
        taken.add(pick)
    return [(name if name is not None else chosen[i], spec) for i, (name, spec) in enumerate(unique)]


def segmenter_signature() -> str:
    try:
        return f"sentencex-{version('sentencex')}"
    except PackageNotFoundError:
        return "sentencex"


@contextmanager
def open_cache(cache: CacheLike) -> Iterator[TranslationCache | None]:
    """``True``: the user cache directory; a path: that cache; ``False``/``None``: no cache."""
    if isinstance(cache, TranslationCache):
        yield cache
        return
    if cache is False or cache is None:
        yield None
        return
    opened = TranslationCache(None if cache is True else cache)
    try:
        yield opened
    finally:
        opened.close()


def as_segments(
    text: str | Sequence[str] | Sequence[Segment], source_lang: str, paragraphs: str = "auto"
) -> tuple[Segment, ...]:
    """A running text is segmented; a list of strings is taken as already segmented, one per item."""
    if isinstance(text, str):
        return segment_text(text, source_lang, paragraphs=paragraphs)
    items = list(text)
    if items and all(isinstance(s, Segment) for s in items):
        return tuple(items)  # type: ignore[arg-type]
    return tuple(Segment(id=i, text=str(s), paragraph=i) for i, s in enumerate(items))


def recorded_paragraphs(text: str | Sequence[str] | Sequence[Segment], paragraphs: str = "auto") -> str:
    """The paragraph mode a result records (:attr:`RoundTrip.paragraphs`).

    A running text records the mode it was cut with. Pre-segmented input is not cut again: the caller
    may say how it was cut (``"blank"``, ``"line"`` or ``"mixed"``, as the CLI does); ``"auto"`` records
    ``"blank"``.
    """
    if isinstance(text, str):
        return paragraph_mode(text, paragraphs)
    if paragraphs == "mixed":
        return paragraphs
    mode = check_paragraph_mode(paragraphs)
    return "blank" if mode == "auto" else mode


#: Cache misses go to the backend in chunks, each stored as soon as it returns, so that a killed run
#: loses at most one chunk: the first chunk holds ``FIRST_CHUNK`` segments, later ones as many as the
#: backend translated in ``CHUNK_SECONDS`` so far, never more than ``MAX_CHUNK``.
FIRST_CHUNK = 32
MAX_CHUNK = 1024
CHUNK_SECONDS = 10.0


@dataclass(frozen=True)
class HopProgress:
    """Where a run stands, given to a ``progress`` callback after each chunk of a hop (and at its start).

    ``path`` names the path, ``hop`` counts from 1 of ``hops``; ``done`` of ``total`` distinct segments of
    this hop are translated (cache hits count as done at once).
    """

    path: str
    hop: int
    hops: int
    source_lang: str
    target_lang: str
    done: int
    total: int


ProgressCallback = Callable[[HopProgress], None]


def cached_translations(
    backend: Backend, signature: Any, texts: Sequence[str], cache: TranslationCache
) -> dict[str, Translation]:
    """What ``cache`` holds for ``texts`` under ``signature`` and may be reused: as in
    :meth:`Backend.translate`, a backend that gives word links does not reuse a translation stored
    without them."""
    found: dict[str, Translation] = {}
    for text, hit in zip(texts, cache.get_many(signature, texts, backend.output_version)):
        if hit is not None and not (backend.gives_alignment and not hit.alignment and hit.text.strip()):
            found[text] = hit
    return found


def make_hop(
    backend: Backend,
    source_lang: str,
    target_lang: str,
    translations: Sequence[Translation],
    signature: HopSignature | None = None,
) -> Hop:
    """The :class:`Hop` of ``translations`` made by ``backend`` from ``source_lang`` into ``target_lang``
    (``signature``: the backend's hop signature for the pair, when the caller has it already)."""
    return Hop(
        lang=target_lang,
        source_lang=source_lang,
        backend=backend.name,
        segments=tuple(t.text for t in translations),
        unknown=tuple(t.unknown for t in translations),
        signature=signature or backend.hop_signature(source_lang, target_lang),
        alignment=tuple(t.alignment for t in translations) if any(t.alignment for t in translations) else (),
    )


def make_path(source_lang: str, hops: Sequence[Hop], system: str = "", route: str = "") -> Path:
    """The :class:`Path` through ``hops`` from ``source_lang``, with its signature (``route``: see
    :func:`compare.routes.plan_routes`)."""
    name = ">".join([source_lang, *(h.lang for h in hops)])
    return Path(
        source_lang=source_lang,
        pivots=tuple(h.lang for h in hops[:-1]),
        backends=tuple(h.backend for h in hops),
        hops=tuple(hops),
        signature=Signature(
            path=name, hops=tuple(h.signature for h in hops), segmenter=segmenter_signature(), route=route
        ),
        system=system,
    )


def translate_hop(
    backend: Backend,
    texts: Sequence[str],
    source_lang: str,
    target_lang: str,
    cache: TranslationCache | None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Translation]:
    """Translate ``texts`` with ``backend``; with a cache, reuse what it holds and store the rest chunk by chunk.

    Each text is translated once however often it occurs. Chunks are committed as they return, so a
    rerun after any interruption translates only what the last chunk had not stored. ``progress`` is
    called with (distinct segments done, distinct segments in all) at the start and after each chunk.
    """
    if not texts or (cache is None and progress is None):
        return backend.translate(texts, source_lang, target_lang)
    src, tgt = backend.check_pair(source_lang, target_lang)
    unique = list(dict.fromkeys(texts))
    done: dict[str, Translation] = {}
    signature = backend.hop_signature(src, tgt)
    if cache is not None:
        done.update(cached_translations(backend, signature, unique, cache))
    todo = [t for t in unique if t not in done]
    if progress is not None:
        progress(len(done), len(unique))
    size = FIRST_CHUNK
    while todo:
        chunk, todo = todo[:size], todo[size:]
        started = time.monotonic()
        out = backend.translate(chunk, src, tgt)
        if cache is not None:
            cache.put_many(signature, chunk, out, backend.output_version)
        done.update(zip(chunk, out))
        if progress is not None:
            progress(len(done), len(unique))
        per_segment = max(time.monotonic() - started, 1e-6) / len(chunk)
        size = max(1, min(MAX_CHUNK, int(CHUNK_SECONDS / per_segment)))
    return [done[t] for t in texts]


def run_path(
    segments: Sequence[Segment],
    source_lang: str,
    hops: Sequence[tuple[str, BackendLike]],
    cache: CacheLike = None,
    system: str = "",
    **options: Any,
) -> Path:
    """Translate ``segments`` through each ``(target_lang, backend)`` hop in turn.

    The hops' languages give the path: ``[("es", "apertium"), ("en", "apertium")]`` is en→es→en.
    ``cache`` is as for :func:`roundtrip`, but off by default; ``system`` names the path's system
    (default: its backends joined by ``+``).
    """
    segments = check.check_segments("segments", segments)
    check.check_str("source_lang", source_lang)
    hops = check.check_hops("hops", hops)
    check.check_cache("cache", cache)
    check.check_options(options)
    check.check_str("system", system)
    with open_cache(cache) as store:
        return _run_path(segments, source_lang, hops, store, system=system, **options)


def _run_path(
    segments: Sequence[Segment],
    source_lang: str,
    hops: Sequence[tuple[str, BackendLike]],
    cache: TranslationCache | None,
    system: str = "",
    progress: ProgressCallback | None = None,
    route: str = "",
    **options: Any,
) -> Path:
    src = normalize_lang(source_lang)
    texts = [s.text for s in segments]
    done: list[Hop] = []
    current = src
    name = ">".join([src, *(normalize_lang(t) for t, _ in hops)]) + (f" ({system})" if system else "")
    for k, (target, spec) in enumerate(hops, 1):
        tgt = normalize_lang(target)
        backend = load_backends([spec], **options)[0]
        report = None
        if progress is not None:

            def report(n: int, total: int, k: int = k, a: str = current, b: str = tgt) -> None:
                progress(HopProgress(name, k, len(hops), a, b, n, total))

        translations = translate_hop(backend, texts, current, tgt, cache, report)
        done.append(make_hop(backend, current, tgt, translations))
        texts = [t.text for t in translations]
        current = tgt
    return make_path(src, done, system, route)


def _check_progress(progress: Any) -> None:
    if progress is not None and not callable(progress):
        raise check._fail("progress", "a callable taking a HopProgress, or None", progress)


def plan_paths(source_lang: str, via: Sequence[str] = (), chain: Sequence[str] = ()) -> list[list[str]]:
    """The language sequences to run (source excluded): via es,ca -> [[es, en], [ca, en]]."""
    src = normalize_lang(source_lang)
    plans = [[normalize_lang(p), src] for p in via]
    if chain:
        plans.append([*(normalize_lang(p) for p in chain), src])
    if not plans:
        raise ArgumentValueError(
            "no pivot language given; pass via=['es'] (--via es) or chain=['es', 'ca'] (--chain es,ca)"
        )
    for plan in plans:
        if plan[0] == src:
            raise ArgumentValueError(f"a pivot must differ from the source language {src!r}")
        for a, b in zip(plan, plan[1:]):
            if a == b:
                raise ArgumentValueError(
                    f"chain {'>'.join([src, *plan])} translates {a} into {a}; "
                    "consecutive languages of a chain must differ"
                )
    # The same path twice would count every term twice in a summary: each path runs once.
    unique: list[list[str]] = []
    for plan in plans:
        if plan not in unique:
            unique.append(plan)
    return unique


def roundtrip(
    text: str | Sequence[str] | Sequence[Segment],
    source_lang: str = "en",
    via: Sequence[str] = (),
    chain: Sequence[str] = (),
    backends: BackendsLike = ("apertium",),
    cache: CacheLike = True,
    lexicon: Any = None,
    analyse: bool = True,
    paragraphs: str = "auto",
    metrics: Sequence[str] | None = ("bleu", "chrf", "ter"),
    analyse_terms: bool | None = None,
    progress: ProgressCallback | None = None,
    route: str = "direct",
    **options: Any,
) -> RoundTrip:
    """Translate ``text`` into each pivot and back with each backend; with ``analyse``, analyse the result.

    ``route="auto"`` takes a pivot a backend cannot reach directly through the fewest hops its pairs
    allow (Apertium ``via=["fr"]`` from English runs en>es>fr>es>en, its signature saying
    ``route:auto(en>fr>en)``); with ``"direct"`` (the default) such a pivot raises
    :class:`~compare.errors.UnsupportedPairError` naming the chain that exists (see :mod:`compare.routes`).

    ``backends`` are specs (``"apertium"``, ``"hf:Helsinki-NLP/opus-mt-en-es"``), ``NAME=SPEC`` strings
    (``"opus=hf:Helsinki-NLP/opus-mt-en-es"``), :class:`~compare.backends.Backend` objects, or a mapping
    of system name to spec; an unnamed one gets a unique name derived from its spec
    (:func:`name_systems`), and each path is named by its languages and system,
    ``en>es>en (opus)``. ``paragraphs`` (``auto``, ``blank``, ``line``) says how a running text is cut
    into paragraphs; see :func:`compare.text.paragraph_mode` and :func:`recorded_paragraphs`.
    ``options`` (device, batch_size, beams, max_length, revision, timeout) go to the backends that
    understand them.

    With ``analyse`` (the default) the result is returned through :func:`compare.analyse` with
    ``lexicon`` (a :class:`~compare.lexicon.Lexicon` or lexicon file paths loaded on top of the
    default) and ``metrics``; without, ``result.analysis`` is ``None``. ``analyse_terms`` is the old
    name of ``analyse`` and still accepted. ``progress``, if given, is called with a
    :class:`HopProgress` at the start of each hop and after each chunk it translates (the CLI draws
    its progress bar from it). A single string for ``via``, ``chain`` or ``backends`` is one item.
    Wrong arguments raise :class:`~compare.errors.ArgumentError` or
    :class:`~compare.errors.ArgumentValueError`.

    >>> import compare
    >>> result = compare.roundtrip("Daesh fighters were moved.", via=["es", "ca"])  # doctest: +SKIP
    >>> [p.name for p in result.paths]  # doctest: +SKIP
    ['en>es>en (apertium)', 'en>ca>en (apertium)']
    >>> [(s.source_text, s.status) for s in result.analysis.paths[0].shifts]  # doctest: +SKIP
    [('Daesh', 'kept')]
    """
    text = check.check_text_input("text", text)
    check.check_str("source_lang", source_lang)
    via = check.check_langs("via", via)
    chain = check.check_langs("chain", chain)
    backends = check.check_backends("backends", backends)
    check.check_cache("cache", cache)
    check.check_bool("analyse", analyse)
    if analyse_terms is not None:
        check.check_bool("analyse_terms", analyse_terms)
        analyse = analyse_terms
    check.check_str("paragraphs", paragraphs)
    check.check_options(options)
    _check_progress(progress)
    lexicon = check.check_lexicon("lexicon", lexicon)
    from .analysis import _check_metric_names

    metrics = _check_metric_names(metrics)
    src = normalize_lang(source_lang)
    mode = recorded_paragraphs(text, paragraphs)
    segments = as_segments(text, src, paragraphs)
    plans = plan_paths(src, via, chain)
    systems = name_systems(backends)
    loaded = list(zip([name for name, _ in systems], load_backends([spec for _, spec in systems], **options)))
    prepared = None
    if analyse:  # the analysis's data loads while the engine translates
        from .analysis import prepare

        prepared = prepare(lexicon, [src, *(lang for plan in plans for lang in plan)], metrics)
    paths = []
    with open_cache(cache) as store:
        routed = [(name, backend, plan_routes(plans, backend, src, route)) for name, backend in loaded]
        for name, backend, backend_plans in routed:
            for plan, label in backend_plans:
                hops = [(lang, backend) for lang in plan]
                paths.append(_run_path(segments, src, hops, store, system=name, progress=progress, route=label))
    result = RoundTrip(
        source_lang=src, segments=segments, paths=tuple(paths), segmenter=segmenter_signature(), paragraphs=mode
    )
    if analyse:
        from .analysis import analyse as run_analysis

        if prepared is not None:
            prepared.join()
        result = run_analysis(result, lexicon=lexicon, metrics=metrics)
    return result


def roundtrip_documents(
    documents: Mapping[str, str] | Sequence[tuple[str, str]],
    source_lang: str = "en",
    via: Sequence[str] = (),
    chain: Sequence[str] = (),
    backends: BackendsLike = ("apertium",),
    cache: CacheLike = True,
    lexicon: Any = None,
    analyse: bool = True,
    paragraphs: str = "auto",
    metrics: Sequence[str] | None = ("bleu", "chrf", "ter"),
    progress: ProgressCallback | None = None,
    route: str = "direct",
    **options: Any,
) -> RoundTrip:
    """Round trips of several documents in one batched call: each hop translates every document's
    segments together, and each segment (so every row of :func:`compare.tidy` and
    :func:`compare.to_dataframe`) carries its document's id.

    ``documents`` is a mapping of id to text or a sequence of ``(id, text)`` pairs; ids must be
    distinct. With ``paragraphs="auto"`` each document is cut in the mode that fits it. The other
    arguments are as for :func:`roundtrip`.

    >>> import compare
    >>> corpus = {"a.txt": "Daesh fighters were moved.", "b.txt": "The regime shelled the town."}
    >>> result = compare.roundtrip_documents(corpus, via=["es"])  # doctest: +SKIP
    >>> sorted({s.document for s in result.segments})  # doctest: +SKIP
    ['a.txt', 'b.txt']
    """
    expected = "a mapping of document id to text, or a list of (id, text) pairs"
    pairs = (
        list(documents.items()) if isinstance(documents, Mapping) else check._items("documents", documents, expected)
    )
    if not pairs:
        raise ArgumentValueError(f"documents is empty; expected {expected}")
    checked: list[tuple[str, str]] = []
    for i, pair in enumerate(pairs):
        if isinstance(pair, str) or not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise check._fail(f"documents[{i}]", "an (id, text) pair", pair)
        doc_id = check.check_str(f"documents[{i}] id", pair[0], empty=False)
        checked.append((doc_id, check.check_str(f"documents[{doc_id!r}]", pair[1])))
    ids = [d for d, _ in checked]
    repeated = sorted({d for d in ids if ids.count(d) > 1})
    if repeated:
        raise ArgumentValueError(f"document id {repeated[0]!r} is given twice; ids must be distinct")
    check.check_str("paragraphs", paragraphs)
    check.check_str("source_lang", source_lang)
    src = normalize_lang(source_lang)
    mode = documents_paragraph_mode(checked, check_paragraph_mode(paragraphs))
    segments = segment_documents(checked, src, paragraphs)
    return roundtrip(
        segments,
        source_lang=src,
        via=via,
        chain=chain,
        backends=backends,
        cache=cache,
        lexicon=lexicon,
        analyse=analyse,
        paragraphs=mode,
        metrics=metrics,
        progress=progress,
        route=route,
        **options,
    )


def translate(
    text: str | Sequence[str] | Sequence[Segment],
    source_lang: str,
    target_lang: str,
    backends: BackendsLike = ("apertium",),
    cache: CacheLike = True,
    paragraphs: str = "auto",
    analyse: bool = False,
    lexicon: Any = None,
    **options: Any,
) -> RoundTrip:
    """One-way translation: a result whose paths each hold a single hop (no pivots).

    With ``analyse``, each loaded term of the source is traced into the translation and its outcome
    classified across the two languages (the one-hop rows of :mod:`compare.parallel`, with
    statistics, no metrics), using ``lexicon`` as :func:`roundtrip` does. Other arguments are as for
    :func:`roundtrip`.
    """
    text = check.check_text_input("text", text)
    check.check_str("source_lang", source_lang)
    check.check_str("target_lang", target_lang)
    backends = check.check_backends("backends", backends)
    check.check_cache("cache", cache)
    check.check_str("paragraphs", paragraphs)
    check.check_bool("analyse", analyse)
    lexicon = check.check_lexicon("lexicon", lexicon)
    check.check_options(options)
    src = normalize_lang(source_lang)
    mode = recorded_paragraphs(text, paragraphs)
    segments = as_segments(text, src, paragraphs)
    systems = name_systems(backends)
    loaded = list(zip([name for name, _ in systems], load_backends([spec for _, spec in systems], **options)))
    with open_cache(cache) as store:
        paths = tuple(
            _run_path(segments, src, [(target_lang, backend)], store, system=name) for name, backend in loaded
        )
    result = RoundTrip(
        source_lang=src, segments=segments, paths=paths, segmenter=segmenter_signature(), paragraphs=mode
    )
    if analyse:
        from .parallel import analyse_translation

        result = analyse_translation(result, lexicon=lexicon)
    return result
