"""A resumable corpus run into an output folder: per-document results as they finish, aggregates at the end.

``OUTDIR`` holds:

- ``run.json``: the run's settings (input, languages, systems with their options, lexicon hash,
  metrics, paragraph mode, version) and their fingerprint;
- ``documents.jsonl``: one line per finished document, ``{"id": ..., "result": {...}}`` — the
  result as ``mtcompare roundtrip --format json`` writes it, for this document alone — appended and
  flushed as each document finishes;
- ``summary.json``: written when every document is done — counts, corpus-level metrics per path
  (sacrebleu's corpus BLEU, chrF++ and TER from the summed statistics of every segment), and each
  outcome's rate per concept and path with a percentile bootstrap CI over documents, with the
  framing tallies.

Running the same command again after an interruption (Ctrl-C, ``kill -9``, a crashed engine) keeps
the finished documents, drops a half-written last line, and continues with the rest, taking the
translations already stored in the cache; the files it ends with are byte-identical to those of an
uninterrupted run. A run whose settings differ from those in ``run.json`` is refused unless
``restart`` is given, which starts the folder afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ArgumentValueError, OutputError, ResultFormatError
from .driver import CorpusProgress, DocumentResult, pipe
from .reader import Document

RUN_FILE = "run.json"
DOCUMENTS_FILE = "documents.jsonl"
SUMMARY_FILE = "summary.json"
#: The layout of the output folder's files; part of the settings, so a folder of another layout is refused.
LAYOUT = "mtcompare-corpus/1"


@dataclass(frozen=True)
class CorpusSummary:
    """What :func:`run_corpus` did: documents written (``resumed`` of them found done), skipped, and the aggregates."""

    outdir: Path
    documents: int
    resumed: int
    segments: int
    skipped: int
    aggregates: dict[str, Any]


def settings_fingerprint(settings: dict[str, Any]) -> str:
    text = json.dumps(settings, sort_keys=True, ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _describe_change(old: dict[str, Any], new: dict[str, Any]) -> str:
    changed = [k for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]
    parts = []
    for key in changed[:3]:
        parts.append(
            f"{key}: {json.dumps(old.get(key), ensure_ascii=False)} → {json.dumps(new.get(key), ensure_ascii=False)}"
        )
    return "; ".join(parts) or "the settings differ"


def prepare_outdir(outdir: Path, settings: dict[str, Any], restart: bool) -> set[str]:
    """Make ``outdir`` ready for a run with ``settings``; the ids of the documents already finished there.

    Raises :class:`~compare.errors.ArgumentValueError` when it holds a run with other settings (or
    files that are not a corpus run) and ``restart`` is not given.
    """
    fingerprint = settings_fingerprint(settings)
    run_file, docs_file = outdir / RUN_FILE, outdir / DOCUMENTS_FILE
    if outdir.exists() and not outdir.is_dir():
        raise OutputError(f"the output folder {outdir} is a file; name a folder (it is created if missing)")
    if restart:
        for name in (RUN_FILE, DOCUMENTS_FILE, SUMMARY_FILE):
            try:
                (outdir / name).unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise OutputError(f"cannot remove {outdir / name}: {exc.strerror or exc}") from None
    elif run_file.exists():
        try:
            old = json.loads(run_file.read_text(encoding="utf-8"))
            old_settings, old_fingerprint = old["settings"], old["fingerprint"]
        except (OSError, ValueError, KeyError, TypeError):
            raise ArgumentValueError(
                f"{run_file} is not a corpus run's settings file; pass --restart to start {outdir} afresh"
            ) from None
        if old_fingerprint != fingerprint:
            raise ArgumentValueError(
                f"{outdir} holds a run with other settings ({_describe_change(old_settings, settings)}); "
                "pass --restart to start it afresh, or name another output folder"
            )
    elif outdir.is_dir() and any(outdir.iterdir()):
        raise ArgumentValueError(
            f"the output folder {outdir} is not empty and holds no corpus run; name an empty or new folder, "
            "or pass --restart to write into it"
        )
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        if not run_file.exists():
            data = {"layout": LAYOUT, "fingerprint": fingerprint, "settings": settings}
            _write_atomically(run_file, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    except OSError as exc:
        raise OutputError(f"cannot write to {outdir}: {exc.strerror or exc}") from None
    return _finished_ids(docs_file)


def _finished_ids(docs_file: Path) -> set[str]:
    """The ids in ``documents.jsonl``; a last line without its newline (a killed write) is cut off."""
    if not docs_file.exists():
        return set()
    done: set[str] = set()
    with open(docs_file, "rb+") as fh:
        keep = 0
        for number, line in enumerate(fh, 1):
            if not line.endswith(b"\n"):
                break
            try:
                done.add(str(json.loads(line)["id"]))
            except (ValueError, KeyError, TypeError):
                raise ResultFormatError(
                    f"{docs_file} line {number} is not a finished document; pass --restart to start afresh"
                ) from None
            keep += len(line)
        fh.truncate(keep)
    return done


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def run_corpus(
    documents: Iterable[Document],
    outdir: str | Path,
    settings: dict[str, Any],
    *,
    restart: bool = False,
    on_document: Callable[[DocumentResult], None] | None = None,
    progress: Callable[[CorpusProgress], None] | None = None,
    skipped: Callable[[], int] | None = None,
    **pipe_args: Any,
) -> CorpusSummary:
    """Run :func:`~compare.corpus.pipe` over ``documents`` into ``outdir`` (see the module docstring).

    ``settings`` describe the run for the resume check (the CLI records its input, languages,
    systems, lexicon and metrics); ``pipe_args`` go to :func:`~compare.corpus.pipe`. ``skipped`` tells
    how many documents the reader skipped as empty, read once the input is exhausted.
    """
    out = Path(outdir)
    settings = {"layout": LAYOUT, **settings}
    done = prepare_outdir(out, settings, restart)
    resumed = len(done)

    written = 0
    scored = _ScoredDocuments([m for m in settings.get("metrics", []) if m in _CORPUS_METRICS])
    try:
        with open(out / DOCUMENTS_FILE, "a", encoding="utf-8", newline="\n") as fh:
            for item in pipe(documents, progress=progress, skip=done, **pipe_args):
                fh.write(json.dumps(item.to_dict(), ensure_ascii=False, sort_keys=False) + "\n")
                fh.flush()
                scored.add(item)
                written += 1
                if on_document is not None:
                    on_document(item)
    except OSError as exc:
        raise OutputError(f"cannot write {out / DOCUMENTS_FILE}: {exc.strerror or exc}") from None
    aggregates = aggregate(out / DOCUMENTS_FILE, settings, skipped() if skipped is not None else 0, scored)
    try:
        _write_atomically(out / SUMMARY_FILE, json.dumps(aggregates, ensure_ascii=False, indent=2) + "\n")
    except OSError as exc:
        raise OutputError(f"cannot write {out / SUMMARY_FILE}: {exc.strerror or exc}") from None
    return CorpusSummary(
        outdir=out,
        documents=aggregates["documents"],
        resumed=resumed,
        segments=aggregates["segments"],
        skipped=aggregates["skipped_empty"],
        aggregates=aggregates,
    )


# --- aggregates -----------------------------------------------------------------------------------


#: The metrics whose corpus scores :func:`aggregate` makes from summed statistics.
_CORPUS_METRICS = ("bleu", "chrf", "ter")


class _MetricSums:
    """sacrebleu's sufficient statistics of one metric summed over segments; the corpus score from them."""

    def __init__(self, name: str, lang: str) -> None:
        from ..metrics.mt import make_metric

        self.metric = make_metric(name, lang=lang)
        self.sums: list[float] | None = None

    def add(self, hyps: Sequence[str], refs: Sequence[str]) -> None:
        for row in self.metric._extract_corpus_statistics(list(hyps), [list(refs)]):
            self.add_sums(row)

    def add_sums(self, row: Sequence[float]) -> None:
        from ..metrics.mt import add_statistics

        self.metric.num_refs = 1  # what extracting the statistics sets: one reference a segment (the source)
        self.sums = add_statistics(self.sums, row)

    def score(self) -> dict[str, Any] | None:
        if self.sums is None:
            return None
        stats = [int(v) if float(v).is_integer() else v for v in self.sums]
        result = self.metric._compute_score_from_stats(stats)
        return {"metric": result.name, "score": result.score, "signature": str(self.metric.get_signature())}


class _ScoredDocuments:
    """The metric statistics this run's documents were scored with, summed per path as they finish, so
    that the corpus scores need not score them again (the statistics are integer counts: the order of
    adding does not change the sums). Documents of an earlier run (resumed) are scored from the file."""

    def __init__(self, metrics: Sequence[str]) -> None:
        self.metrics = tuple(metrics)
        self.ids: set[str] = set()
        self.sums: dict[str, dict[str, list[float]]] = {}

    def add(self, item: DocumentResult) -> None:
        """Take ``item``'s sums, if its analysis scored every round trip with every metric of the run."""
        analysis = item.result.analysis
        if analysis is None or not self.metrics:
            return
        roundtrips = {p.name for p in item.result.paths if p.is_roundtrip}
        analysed = {pa.path: pa for pa in analysis.paths if pa.path in roundtrips}
        if set(analysed) != roundtrips or any(
            pa.scores is None or not set(self.metrics) <= set(pa.scores.sums) for pa in analysed.values()
        ):
            return
        from ..metrics.mt import add_statistics

        for pa in analysed.values():
            assert pa.scores is not None
            per_metric = self.sums.setdefault(pa.path, {})
            for name in self.metrics:
                per_metric[name] = add_statistics(per_metric.get(name), pa.scores.sums[name])
        self.ids.add(item.id)


def aggregate(
    docs_file: Path, settings: dict[str, Any], skipped_empty: int = 0, scored: _ScoredDocuments | None = None
) -> dict[str, Any]:
    """Corpus-level numbers from the finished documents of ``docs_file`` (one pass, streamed); the metric
    statistics of the documents in ``scored`` are taken from it, not computed again."""
    from ..results import RoundTrip
    from ..stats import Outcome, outcome_statistics

    metric_names = [m for m in settings.get("metrics", []) if m in _CORPUS_METRICS]
    documents = segments = 0
    paths: dict[str, dict[str, Any]] = {}
    outcomes: dict[str, list[Outcome]] = {}
    signature = ""
    with open(docs_file, encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            result = RoundTrip.from_dict(item["result"])
            refs = [s.text for s in result.segments]
            for path in result.paths:
                entry = paths.setdefault(
                    path.name,
                    {
                        "path": path.name,
                        "system": path.system_name,
                        "documents": 0,
                        "segments": 0,
                        "signature": str(path.signature),
                        "sums": {m: _MetricSums(m, result.source_lang) for m in metric_names},
                    },
                )
                entry["documents"] += 1
                entry["segments"] += len(refs)
                if path.is_roundtrip and (scored is None or item["id"] not in scored.ids):
                    for sums in entry["sums"].values():
                        sums.add(path.back.segments, refs)
            if result.analysis is not None:
                signature = signature or str(result.analysis.signature)
                for pa in result.analysis.paths:
                    records = outcomes.setdefault(pa.path, [])
                    for s in pa.shifts:
                        records.append(Outcome(documents, s.concept, s.status, s.frame_change, s.back_concept))
            documents += 1
            segments += len(refs)
    if scored is not None:
        for name, per_metric in scored.sums.items():
            for metric, row in per_metric.items():
                if name in paths and metric in paths[name]["sums"]:
                    paths[name]["sums"][metric].add_sums(row)
    statistics = None
    if outcomes and documents:
        stats = outcome_statistics(outcomes, segments=list(range(documents)))
        statistics = stats.to_dict()
        statistics["settings"]["unit"] = "document"
        statistics["settings"]["signature"] = statistics["settings"]["signature"].replace(
            "unit:segment", "unit:document"
        )
    return {
        "layout": LAYOUT,
        "documents": documents,
        "segments": segments,
        "skipped_empty": skipped_empty,
        "analysis_signature": signature,
        "paths": [
            {
                **{k: v for k, v in entry.items() if k != "sums"},
                "metrics": [s for s in (sums.score() for sums in entry["sums"].values()) if s is not None],
            }
            for entry in paths.values()
        ],
        "statistics": statistics,
    }
