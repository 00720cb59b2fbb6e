"""Paths and hops: run backends in order over aligned segments and collect typed results.

``roundtrip(text, via=["es", "ca"])`` runs one path per pivot (en→es→en, en→ca→en);
``roundtrip(text, chain=["es", "ca"])`` runs one multi-hop path (en→es→ca→en); several backends run
side by side on the same segments; :func:`run_path` allows a different backend on every hop.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path as FilePath
from typing import Any

from . import _checks as check
from .backends.base import Backend, load_backend
from .cache import TranslationCache
from .errors import ArgumentValueError
from .languages import normalize_lang
from .results import Hop, Path, RoundTrip, Segment, Signature, Translation
from .text import check_paragraph_mode, paragraph_mode, segment_text

CacheLike = TranslationCache | str | FilePath | bool | None
BackendLike = str | Backend


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


def translate_hop(
    backend: Backend, texts: Sequence[str], source_lang: str, target_lang: str, cache: TranslationCache | None
) -> list[Translation]:
    """Translate ``texts`` with ``backend``; with a cache, reuse what it holds and store the rest chunk by chunk.

    Each text is translated once however often it occurs. Chunks are committed as they return, so a
    rerun after any interruption translates only what the last chunk had not stored.
    """
    if cache is None or not texts:
        return backend.translate(texts, source_lang, target_lang)
    src, tgt = backend.check_pair(source_lang, target_lang)
    signature = backend.hop_signature(src, tgt)
    unique = list(dict.fromkeys(texts))
    done: dict[str, Translation] = {}
    for text, hit in zip(unique, cache.get_many(signature, unique)):
        # As in Backend.translate: a backend that gives word links does not reuse a translation stored without them.
        if hit is not None and not (backend.gives_alignment and not hit.alignment and hit.text.strip()):
            done[text] = hit
    todo = [t for t in unique if t not in done]
    size = FIRST_CHUNK
    while todo:
        chunk, todo = todo[:size], todo[size:]
        started = time.monotonic()
        out = backend.translate(chunk, src, tgt)
        cache.put_many(signature, chunk, out)
        done.update(zip(chunk, out))
        per_segment = max(time.monotonic() - started, 1e-6) / len(chunk)
        size = max(1, min(MAX_CHUNK, int(CHUNK_SECONDS / per_segment)))
    return [done[t] for t in texts]


def run_path(
    segments: Sequence[Segment],
    source_lang: str,
    hops: Sequence[tuple[str, BackendLike]],
    cache: CacheLike = None,
    **options: Any,
) -> Path:
    """Translate ``segments`` through each ``(target_lang, backend)`` hop in turn.

    The hops' languages give the path: ``[("es", "apertium"), ("en", "apertium")]`` is en→es→en.
    ``cache`` is as for :func:`roundtrip`, but off by default.
    """
    segments = check.check_segments("segments", segments)
    check.check_str("source_lang", source_lang)
    hops = check.check_hops("hops", hops)
    check.check_cache("cache", cache)
    check.check_options(options)
    with open_cache(cache) as store:
        return _run_path(segments, source_lang, hops, store, **options)


def _run_path(
    segments: Sequence[Segment],
    source_lang: str,
    hops: Sequence[tuple[str, BackendLike]],
    cache: TranslationCache | None,
    **options: Any,
) -> Path:
    src = normalize_lang(source_lang)
    texts = [s.text for s in segments]
    done: list[Hop] = []
    current = src
    for target, spec in hops:
        tgt = normalize_lang(target)
        backend = load_backend(spec, **options)
        translations = translate_hop(backend, texts, current, tgt, cache)
        done.append(
            Hop(
                lang=tgt,
                source_lang=current,
                backend=backend.name,
                segments=tuple(t.text for t in translations),
                unknown=tuple(t.unknown for t in translations),
                signature=backend.hop_signature(current, tgt),
                alignment=tuple(t.alignment for t in translations) if any(t.alignment for t in translations) else (),
            )
        )
        texts = [t.text for t in translations]
        current = tgt
    path_name = ">".join([src, *(h.lang for h in done)])
    return Path(
        source_lang=src,
        pivots=tuple(h.lang for h in done[:-1]),
        backends=tuple(h.backend for h in done),
        hops=tuple(done),
        signature=Signature(path=path_name, hops=tuple(h.signature for h in done), segmenter=segmenter_signature()),
    )


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


def _unique_backends(backends: Sequence[BackendLike]) -> list[BackendLike]:
    """Each backend once: the same spec (or object) twice would give the same path twice."""
    seen: list[BackendLike] = []
    for b in backends:
        if not any(b is s or (isinstance(b, str) and b == s) for s in seen):
            seen.append(b)
    return seen


def roundtrip(
    text: str | Sequence[str] | Sequence[Segment],
    source_lang: str = "en",
    via: Sequence[str] = (),
    chain: Sequence[str] = (),
    backends: Sequence[BackendLike] = ("apertium",),
    cache: CacheLike = True,
    lexicon: Any = None,
    analyse_terms: bool = True,
    paragraphs: str = "auto",
    **options: Any,
) -> RoundTrip:
    """Translate ``text`` into each pivot and back with each backend; trace loaded terms if asked.

    ``paragraphs`` (``auto``, ``blank``, ``line``) says how a running text is cut into paragraphs; see
    :func:`compare.text.paragraph_mode` and :func:`recorded_paragraphs`. ``options`` (device,
    batch_size, beams, max_length, revision, timeout) go to the backends that understand them.

    A single string for ``via``, ``chain`` or ``backends`` is one item; ``lexicon`` is a
    :class:`~compare.lexicon.Lexicon` or lexicon file paths loaded on top of the default. Wrong
    arguments raise :class:`~compare.errors.ArgumentError` or :class:`~compare.errors.ArgumentValueError`.
    """
    text = check.check_text_input("text", text)
    check.check_str("source_lang", source_lang)
    via = check.check_langs("via", via)
    chain = check.check_langs("chain", chain)
    backends = check.check_backends("backends", backends)
    check.check_cache("cache", cache)
    check.check_bool("analyse_terms", analyse_terms)
    check.check_str("paragraphs", paragraphs)
    check.check_options(options)
    lexicon = check.check_lexicon("lexicon", lexicon)
    src = normalize_lang(source_lang)
    mode = recorded_paragraphs(text, paragraphs)
    segments = as_segments(text, src, paragraphs)
    plans = plan_paths(src, via, chain)
    loaded = [load_backend(b, **options) for b in _unique_backends(backends)]
    paths = []
    with open_cache(cache) as store:
        for backend in loaded:
            for plan in plans:
                paths.append(_run_path(segments, src, [(lang, backend) for lang in plan], store))
    result = RoundTrip(
        source_lang=src, segments=segments, paths=tuple(paths), segmenter=segmenter_signature(), paragraphs=mode
    )
    if analyse_terms:
        from .shifts import trace_roundtrip

        result = trace_roundtrip(result, lexicon)
    return result


def translate(
    text: str | Sequence[str] | Sequence[Segment],
    source_lang: str,
    target_lang: str,
    backends: Sequence[BackendLike] = ("apertium",),
    cache: CacheLike = True,
    paragraphs: str = "auto",
    **options: Any,
) -> RoundTrip:
    """One-way translation: a result whose paths each hold a single hop (no pivots).

    Arguments are as for :func:`roundtrip`.
    """
    text = check.check_text_input("text", text)
    check.check_str("source_lang", source_lang)
    check.check_str("target_lang", target_lang)
    backends = check.check_backends("backends", backends)
    check.check_cache("cache", cache)
    check.check_str("paragraphs", paragraphs)
    check.check_options(options)
    src = normalize_lang(source_lang)
    mode = recorded_paragraphs(text, paragraphs)
    segments = as_segments(text, src, paragraphs)
    loaded = [load_backend(b, **options) for b in backends]
    with open_cache(cache) as store:
        paths = tuple(_run_path(segments, src, [(target_lang, backend)], store) for backend in loaded)
    return RoundTrip(source_lang=src, segments=segments, paths=paths, segmenter=segmenter_signature(), paragraphs=mode)
