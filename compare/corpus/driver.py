"""Round trips of a corpus, streamed: documents in, one analysed result per document out.

:func:`pipe` works in the manner of spaCy's ``Language.pipe``: it takes an iterable of documents and
yields a :class:`DocumentResult` per document, in input order, holding only a chunk of documents in
memory at a time. Within a chunk, the segments of all its documents are translated together, hop by
hop: every distinct segment of a language pair is translated once (whichever documents and paths it
occurs in), cache hits are not sent to the engine, the hops of different paths run at the same time
(``--via es,ca``: en→es and en→ca together), and the translations of each chunk are stored in the
cache as soon as they return, so an interrupted run redoes at most one chunk. While the documents of
one chunk are analysed, the next chunk is already being translated.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import _checks as check
from ..backends.base import Backend, load_backends
from ..cache import TranslationCache
from ..errors import InputError
from ..languages import normalize_lang
from ..results import Hop, HopSignature, RoundTrip, Segment, Translation
from ..roundtrip import (
    BackendsLike,
    CacheLike,
    cached_translations,
    make_hop,
    make_path,
    name_systems,
    open_cache,
    plan_paths,
    segmenter_signature,
)
from ..routes import plan_routes
from ..text import check_paragraph_mode, paragraph_mode, segment_text
from .executor import Executor, LocalExecutor, TranslationJob
from .reader import Document

#: A chunk is closed when it holds this many segments (or the input ends).
CHUNK_SEGMENTS = 2048


@dataclass(frozen=True)
class DocumentResult:
    """One document's round trips, analysed as if it had been run alone (its segment ids start at 0)."""

    id: str
    result: RoundTrip

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "result": self.result.to_dict()}


@dataclass(frozen=True)
class CorpusProgress:
    """Where a corpus run stands, given to a ``progress`` callback.

    ``hop`` names a language pair and system (``en→es (apertium)``) whose ``hop_segments`` grew
    (distinct segments translated or found in the cache so far), or is ``""`` when a document was
    finished; ``documents`` and ``segments`` count the finished documents and their segments.
    """

    documents: int
    segments: int
    hop: str = ""
    hop_segments: int = 0


ProgressCallback = Callable[[CorpusProgress], None]


@dataclass(frozen=True)
class _PathPlan:
    system: str
    backend: int
    langs: tuple[str, ...]
    route: str = ""


@dataclass
class _Chunk:
    documents: list[tuple[Document, str, tuple[Segment, ...], str]] = field(default_factory=list)
    size: int = 0
    #: (document index, path number) -> the hops of that document's path so far, its running texts,
    #: the language they are in, and its plan
    hops: dict[tuple[int, int], list[Hop]] = field(default_factory=dict)
    texts: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    current: dict[tuple[int, int], str] = field(default_factory=dict)
    plans: dict[tuple[int, int], _PathPlan] = field(default_factory=dict)


def as_documents(items: Iterable[Any]) -> Iterator[Document]:
    """``Document`` objects from documents, ``(id, text[, lang])`` pairs or ``{"id", "text"}`` dicts."""
    for i, item in enumerate(items):
        if isinstance(item, Document):
            yield item
        elif isinstance(item, dict) and "id" in item and "text" in item:
            yield Document(str(item["id"]), check.check_str(f"documents[{i}] text", item["text"]), item.get("lang"))
        elif isinstance(item, (tuple, list)) and len(item) in (2, 3) and not isinstance(item, str):
            doc_id = check.check_str(f"documents[{i}] id", item[0], empty=False)
            text = check.check_str(f"documents[{i}] text", item[1])
            yield Document(doc_id, text, item[2] if len(item) == 3 else None)
        else:
            raise check._fail(f"documents[{i}]", "a Document, an (id, text[, lang]) pair or an {id, text} dict", item)


def pipe(
    documents: Iterable[Any],
    source_lang: str = "en",
    via: Sequence[str] = (),
    chain: Sequence[str] = (),
    backends: BackendsLike = ("apertium",),
    cache: CacheLike = True,
    lexicon: Any = None,
    analyse: bool = True,
    paragraphs: str = "auto",
    metrics: Sequence[str] | None = ("bleu", "chrf", "ter"),
    route: str = "direct",
    chunk_segments: int = CHUNK_SEGMENTS,
    skip: Container[str] = (),
    executor: Executor | None = None,
    progress: ProgressCallback | None = None,
    **options: Any,
) -> Iterator[DocumentResult]:
    """Round trips of each document of ``documents``, yielded in input order as they are finished.

    ``documents`` is any iterable (a list, a generator, a :class:`~compare.corpus.CorpusReader`) of
    :class:`~compare.corpus.Document`, ``(id, text)`` or ``(id, text, lang)`` pairs, or
    ``{"id": ..., "text": ..., "lang": ...}`` dicts; a document without a language is in
    ``source_lang``. Empty documents are skipped. The other arguments are as for
    :func:`compare.roundtrip` (``route="auto"`` reaches a pivot the backend cannot reach directly
    through its other pairs); ``skip`` names documents already done (a resumed run): they are cut
    into chunks as before, so every chunk holds what it held in the first run and Apertium, whose
    translation of a segment can depend on the segments batched before it, is given the same
    batches, but they are not yielded, and a chunk of nothing but them is not translated.
    ``executor`` runs the translations elsewhere (the ``ray`` executor of
    :func:`compare.corpus.make_executor`), by default on threads of this process.

    >>> import compare
    >>> docs = [("a", "Daesh fighters were moved."), ("b", "The regime shelled the town.")]
    >>> for doc in compare.pipe(docs, via=["es"]):  # doctest: +SKIP
    ...     print(doc.id, [s.status for s in doc.result.analysis.paths[0].shifts])
    a ['kept']
    b ['kept']
    """
    check.check_str("source_lang", source_lang)
    via = check.check_langs("via", via)
    chain = check.check_langs("chain", chain)
    systems = name_systems(check.check_backends("backends", backends))
    check.check_cache("cache", cache)
    check.check_bool("analyse", analyse)
    check.check_str("paragraphs", paragraphs)
    check_paragraph_mode(paragraphs)
    check.check_options(options)
    if isinstance(chunk_segments, bool) or not isinstance(chunk_segments, int) or chunk_segments < 1:
        raise check._fail("chunk_segments", "an int of at least 1", chunk_segments)
    lex = check.check_lexicon("lexicon", lexicon)
    from ..analysis import _check_metric_names

    metric_names = _check_metric_names(metrics)
    src = normalize_lang(source_lang)
    loaded = load_backends([spec for _, spec in systems], **options)
    for backend in loaded:  # refuses a bad plan or a missing pair now, before any document is read
        plan_routes(plan_paths(src, via, chain), backend, src, route)
    names = [name for name, _ in systems]
    prepared = None
    if analyse:  # the analysis's data loads while the first chunk is translated
        from ..analysis import prepare

        prepared = prepare(lex, [src, *(lang for plan in plan_paths(src, via, chain) for lang in plan)], metric_names)
    runner = executor if executor is not None else LocalExecutor(loaded)
    try:
        with open_cache(cache) as store:
            stream = _Translator(
                as_documents(documents),
                src,
                via,
                chain,
                names,
                loaded,
                store,
                runner,
                paragraphs,
                chunk_segments,
                route,
            )
            finished_docs = finished_segments = 0
            for chunk in stream.chunks(progress):
                for index, (doc, lang, segments, mode) in enumerate(chunk.documents):
                    if doc.id in skip:
                        continue
                    paths = [
                        make_path(lang, chunk.hops[(index, k)], plan.system, plan.route)
                        for k, plan in stream.plans(lang)
                    ]
                    result = RoundTrip(
                        source_lang=lang,
                        segments=segments,
                        paths=tuple(paths),
                        segmenter=segmenter_signature(),
                        paragraphs=mode,
                    )
                    if analyse:
                        from ..analysis import analyse as run_analysis

                        if prepared is not None:
                            prepared.join()
                        result = run_analysis(result, lexicon=lex, metrics=metric_names, statistics=False)
                    finished_docs += 1
                    finished_segments += len(segments)
                    yield DocumentResult(doc.id, result)
                    if progress is not None:
                        progress(CorpusProgress(finished_docs, finished_segments))
    finally:
        if executor is None:
            runner.close()


class _Translator:
    """Cuts the documents into chunks and translates each chunk's hops, one chunk ahead of its reader."""

    def __init__(
        self,
        documents: Iterator[Document],
        source_lang: str,
        via: Sequence[str],
        chain: Sequence[str],
        names: Sequence[str],
        backends: Sequence[Backend],
        cache: TranslationCache | None,
        executor: Executor,
        paragraphs: str,
        chunk_segments: int,
        route: str = "direct",
        skip: Container[str] = (),
    ) -> None:
        self.documents = documents
        self.source_lang = source_lang
        self.via, self.chain = via, chain
        self.names, self.backends = list(names), list(backends)
        self.cache = cache
        self.executor = executor
        self.paragraphs = paragraphs
        self.chunk_segments = chunk_segments
        self.route = route
        self.skip = skip
        self._plans: dict[str, list[tuple[int, _PathPlan]]] = {}
        self._signatures: dict[tuple[int, str, str], HopSignature] = {}
        #: The hop stages run on threads: the cache and the counts are used by one at a time.
        self._lock = threading.Lock()
        #: Distinct segments done per hop label, for progress.
        self.hop_counts: dict[str, int] = {}

    def plans(self, lang: str) -> list[tuple[int, _PathPlan]]:
        """The paths of a document in ``lang``: one per system and plan, numbered as the result lists them."""
        if lang not in self._plans:
            plans = plan_paths(lang, self.via, self.chain)
            numbered = []
            for b, name in enumerate(self.names):
                for plan, label in plan_routes(plans, self.backends[b], lang, self.route):
                    numbered.append((len(numbered), _PathPlan(name, b, tuple(plan), label)))
            self._plans[lang] = numbered
        return self._plans[lang]

    # --- chunking ------------------------------------------------------------------------------

    def _cut(self) -> Iterator[_Chunk]:
        chunk = _Chunk()
        for doc in self.documents:
            if not doc.text.strip():
                continue
            lang = normalize_lang(doc.lang) if doc.lang else self.source_lang
            try:
                segments = segment_text(doc.text, lang, document=doc.id, paragraphs=self.paragraphs)
            except InputError:
                continue  # nothing but punctuation or spaces: nothing to translate
            mode = paragraph_mode(doc.text, self.paragraphs)
            chunk.documents.append((doc, lang, segments, mode))
            chunk.size += len(segments)
            if chunk.size >= self.chunk_segments:
                if not all(d.id in self.skip for d, *_ in chunk.documents):
                    yield chunk
                chunk = _Chunk()
        if chunk.documents and not all(d.id in self.skip for d, *_ in chunk.documents):
            yield chunk

    def chunks(self, progress: ProgressCallback | None) -> Iterator[_Chunk]:
        """Translated chunks in order. Each hop level runs on its own thread, as the stages of a shell
        pipeline do: while chunk N takes its second hop, chunk N+1 takes its first, and the reader
        analyses chunk N-1. A queue of one chunk sits between two stages."""
        depth = max(len(plan.langs) for _, plan in self.plans(self.source_lang))
        queues: list[queue.Queue[Any]] = [queue.Queue(maxsize=1) for _ in range(depth)]
        stop = threading.Event()
        end = object()

        def put(q: queue.Queue[Any], item: Any) -> bool:
            while not stop.is_set():
                try:
                    q.put(item, timeout=0.2)
                    return True
                except queue.Full:
                    continue
            return False

        def take(q: queue.Queue[Any]) -> Iterator[Any]:
            while True:
                try:
                    item = q.get(timeout=0.2)
                except queue.Empty:
                    if stop.is_set():
                        return
                    continue
                if item is end:
                    return
                yield item

        def stage(level: int) -> None:
            source: Iterator[Any] = self._cut() if level == 0 else take(queues[level - 1])
            try:
                for chunk in source:
                    if isinstance(chunk, BaseException):
                        put(queues[level], chunk)
                        return
                    if level == 0:
                        self._start(chunk)
                    self._level(chunk, level, progress)
                    if not put(queues[level], chunk):
                        return
                if not stop.is_set():
                    put(queues[level], end)
            except BaseException as exc:  # handed down the pipeline, raised by the reader
                put(queues[level], exc)

        workers = [
            threading.Thread(target=stage, args=(k,), name=f"mtcompare-hop{k + 1}", daemon=True) for k in range(depth)
        ]
        for worker in workers:
            worker.start()
        try:
            while True:
                item = queues[-1].get()
                if item is end:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            for worker in workers:
                while worker.is_alive():
                    for q in queues:
                        try:
                            q.get_nowait()
                        except queue.Empty:
                            pass
                    worker.join(timeout=0.2)

    # --- translating ---------------------------------------------------------------------------

    def _start(self, chunk: _Chunk) -> None:
        """Set up the running texts of each (document, path) of ``chunk``."""
        for index, (_, lang, segments, _) in enumerate(chunk.documents):
            for k, plan in self.plans(lang):
                key = (index, k)
                chunk.texts[key] = [s.text for s in segments]
                chunk.current[key] = lang
                chunk.plans[key] = plan
                chunk.hops[key] = []

    def _level(self, chunk: _Chunk, level: int, progress: ProgressCallback | None) -> None:
        """Hop number ``level`` of every path of ``chunk``, deduplicated per backend and language pair."""
        # (backend, source, target) -> distinct texts, in first-seen order
        wanted: dict[tuple[int, str, str], dict[str, None]] = {}
        for key, plan in chunk.plans.items():
            if level < len(plan.langs):
                pair = (plan.backend, chunk.current[key], plan.langs[level])
                wanted.setdefault(pair, {}).update(dict.fromkeys(chunk.texts[key]))
        done = self._run_level(wanted, progress)
        for key, plan in chunk.plans.items():
            if level >= len(plan.langs):
                continue
            a, b = chunk.current[key], plan.langs[level]
            backend = self.backends[plan.backend]
            got = done[(plan.backend, a, b)]
            translations = [got[t] for t in chunk.texts[key]]
            signature = self._signature(plan.backend, a, b)
            chunk.hops[key].append(make_hop(backend, a, b, translations, signature))
            chunk.texts[key] = [t.text for t in translations]
            chunk.current[key] = b

    def _run_level(
        self, wanted: dict[tuple[int, str, str], dict[str, None]], progress: ProgressCallback | None
    ) -> dict[tuple[int, str, str], dict[str, Translation]]:
        found: dict[tuple[int, str, str], dict[str, Translation]] = {}
        jobs: list[tuple[tuple[int, str, str], Any, TranslationJob]] = []
        for (b, a, t), unique in wanted.items():
            backend = self.backends[b]
            src, tgt = backend.check_pair(a, t)
            distinct = [x for x in unique if x]
            signature = self._signature(b, a, t)
            hits: dict[str, Translation] = {}
            if self.cache is not None:
                with self._lock:
                    hits = cached_translations(backend, signature, distinct, self.cache)
            found[(b, a, t)] = dict(hits)
            if "" in unique:
                found[(b, a, t)][""] = Translation("")
            misses = tuple(x for x in distinct if x not in hits)
            if misses:
                jobs.append(((b, a, t), signature, TranslationJob(b, src, tgt, misses)))
            self._count((b, a, t), len(hits) + ("" in unique), progress)
        if jobs:
            results = self.executor.run([job for _, _, job in jobs])
            for (key, signature, job), out in zip(jobs, results):
                if self.cache is not None:
                    with self._lock:
                        self.cache.put_many(signature, list(job.texts), out, self.backends[job.backend].output_version)
                found[key].update(zip(job.texts, out))
                self._count(key, len(out), progress)
        return found

    def _signature(self, backend: int, source_lang: str, target_lang: str) -> HopSignature:
        key = (backend, source_lang, target_lang)
        if key not in self._signatures:
            self._signatures[key] = self.backends[backend].hop_signature(source_lang, target_lang)
        return self._signatures[key]

    def _count(self, key: tuple[int, str, str], n: int, progress: ProgressCallback | None) -> None:
        b, a, t = key
        label = f"{a}→{t} ({self.names[b]})"
        with self._lock:
            self.hop_counts[label] = self.hop_counts.get(label, 0) + n
            count = self.hop_counts[label]
        if progress is not None and n:
            progress(CorpusProgress(0, 0, label, count))
