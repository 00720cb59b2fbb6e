"""Typed, frozen result objects and their JSON form.

The JSON written by ``mtcompare roundtrip --format json`` is ``RoundTrip.to_dict()``; every other
output format is rendered from the same objects, and ``RoundTrip.from_dict`` reads it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ResultFormatError

SCHEMA_VERSION = 1


def _version() -> str:
    from . import __version__

    return __version__


@dataclass(frozen=True)
class Segment:
    """One sentence of the source text; ``id`` is shared by its translations in every hop."""

    id: int
    text: str
    paragraph: int = 0
    document: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "paragraph": self.paragraph, "document": self.document}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Segment:
        return cls(
            id=int(d["id"]),
            text=str(d["text"]),
            paragraph=int(d.get("paragraph", 0)),
            document=str(d.get("document", "")),
        )


#: A word-level link between a hop's input and output: (source start, source end, target start,
#: target end), character offsets into the input segment and into its translation.
Link = tuple[int, int, int, int]


@dataclass(frozen=True)
class Translation:
    """One translated segment.

    ``unknown`` holds words the engine passed through untranslated; ``alignment`` the engine's own
    word-level links between the input and ``text`` (empty when the engine exposes none).
    """

    text: str
    unknown: tuple[str, ...] = ()
    alignment: tuple[Link, ...] = ()


@dataclass(frozen=True)
class HopSignature:
    """How one hop was made: backend, model (or Apertium mode) with revision, decoding settings."""

    backend: str
    source_lang: str
    target_lang: str
    model: str
    revision: str | None = None
    settings: tuple[tuple[str, Any], ...] = ()

    @property
    def short(self) -> str:
        text = f"{self.backend}:{self.model}"
        if self.revision:
            text += f"@{self.revision}"
        if self.settings:
            text += "[" + ",".join(f"{k}={v}" for k, v in self.settings) + "]"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "source_lang": self.source_lang,
            "target_lang": self.target_lang,
            "model": self.model,
            "revision": self.revision,
            "settings": dict(self.settings),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> HopSignature:
        return cls(
            backend=d["backend"],
            source_lang=d["source_lang"],
            target_lang=d["target_lang"],
            model=d["model"],
            revision=d.get("revision"),
            settings=tuple(sorted(dict(d.get("settings") or {}).items())),
        )


@dataclass(frozen=True)
class Signature:
    """A reproducibility signature in the manner of sacrebleu: short string and JSON.

    ``str(sig)`` gives e.g.
    ``path:en>es>en|hop1:apertium:eng-spa@0.8.1-2|hop2:apertium:spa-eng@0.8.1-2|seg:sentencex-1.0.32|version:0.1.0``;
    the toolkit version comes last, as in sacrebleu.
    """

    path: str
    hops: tuple[HopSignature, ...]
    segmenter: str
    version: str = field(default_factory=_version)

    def __str__(self) -> str:
        parts = [f"path:{self.path}"]
        parts += [f"hop{i}:{h.short}" for i, h in enumerate(self.hops, 1)]
        parts += [f"seg:{self.segmenter}", f"version:{self.version}"]
        return "|".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "short": str(self),
            "path": self.path,
            "hops": [h.to_dict() for h in self.hops],
            "segmenter": self.segmenter,
            "version": self.version,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Signature:
        return cls(
            path=d["path"],
            hops=tuple(HopSignature.from_dict(h) for h in d["hops"]),
            segmenter=d["segmenter"],
            version=d["version"],
        )


@dataclass(frozen=True)
class Hop:
    """One translation step of a path: from ``source_lang`` into ``lang``, every segment aligned."""

    lang: str
    source_lang: str
    backend: str
    segments: tuple[str, ...]
    unknown: tuple[tuple[str, ...], ...]
    signature: HopSignature
    #: Per segment, the engine's word links (see :data:`Link`); empty tuples when it gives none.
    alignment: tuple[tuple[Link, ...], ...] = ()

    def links(self, segment: int) -> tuple[Link, ...]:
        """The engine's word links of one segment (empty when the engine exposes none)."""
        return self.alignment[segment] if segment < len(self.alignment) else ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "source_lang": self.source_lang,
            "backend": self.backend,
            "signature": self.signature.to_dict(),
            "segments": list(self.segments),
            "unknown": [list(u) for u in self.unknown],
            "alignment": [[list(link) for link in links] for links in self.alignment],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Hop:
        segments = tuple(d["segments"])
        return cls(
            lang=d["lang"],
            source_lang=d["source_lang"],
            backend=d["backend"],
            segments=segments,
            unknown=tuple(tuple(u) for u in d.get("unknown") or [() for _ in segments]),
            signature=HopSignature.from_dict(d["signature"]),
            alignment=tuple(
                tuple((int(a), int(b), int(c), int(e)) for a, b, c, e in links) for links in d.get("alignment") or ()
            ),
        )


@dataclass(frozen=True)
class Shift:
    """What became of one source occurrence of a loaded term on one path.

    ``status`` is one of kept, variant, replaced, dropped (for source occurrences) or added (a watched
    term in the back-translation with no counterpart in the source). Per pivot hop, ``pivot_texts``
    holds the text the term was translated into (its aligned span, also when no lexicon form is
    there), ``pivot_forms`` the lexicon form of the concept found in that span, ``None``, or
    ``"untranslated"`` when the engine passed the words through unknown, and ``pivot_found`` whether a
    form of the concept was found. ``back_concept`` is the concept of the back-translation's form: a
    term that turned into another concept is one ``replaced`` row naming both, with ``frame_change``.
    Offsets: ``source_span`` indexes the segment, ``pivot_spans`` each pivot's segment,
    ``back_span`` the back-translated segment. ``alignment`` names how each hop was aligned
    (``engine``, ``engine+gap``, ``lemma``, ``position``) and ``confidence`` (0–1) the weakest step.
    """

    segment: int
    concept: str
    source_form: str | None
    source_text: str | None
    source_frame: str | None
    pivot_forms: tuple[str | None, ...]
    back_form: str | None
    back_text: str | None
    back_frame: str | None
    status: str
    frame_change: str | None = None
    replacement: str | None = None
    pivot_texts: tuple[str | None, ...] = ()
    back_concept: str | None = None
    source_span: tuple[int, int] | None = None
    back_span: tuple[int, int] | None = None
    pivot_spans: tuple[tuple[int, int] | None, ...] = ()
    pivot_found: tuple[bool, ...] = ()
    quoted: bool = False
    alignment: tuple[str, ...] = ()
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "segment": self.segment,
            "concept": self.concept,
            "source_form": self.source_form,
            "source_text": self.source_text,
            "source_frame": self.source_frame,
            "source_span": list(self.source_span) if self.source_span else None,
            "pivot_forms": list(self.pivot_forms),
            "pivot_texts": list(self.pivot_texts),
            "pivot_spans": [list(s) if s else None for s in self.pivot_spans],
            "pivot_found": list(self.pivot_found),
            "back_form": self.back_form,
            "back_text": self.back_text,
            "back_frame": self.back_frame,
            "back_concept": self.back_concept,
            "back_span": list(self.back_span) if self.back_span else None,
            "status": self.status,
            "frame_change": self.frame_change,
            "replacement": self.replacement,
            "quoted": self.quoted,
            "alignment": list(self.alignment),
            "confidence": self.confidence,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Shift:
        def span(value: Any) -> tuple[int, int] | None:
            return (int(value[0]), int(value[1])) if value else None

        return cls(
            segment=int(d["segment"]),
            concept=d["concept"],
            source_form=d.get("source_form"),
            source_text=d.get("source_text"),
            source_frame=d.get("source_frame"),
            pivot_forms=tuple(d.get("pivot_forms") or ()),
            pivot_texts=tuple(d.get("pivot_texts") or ()),
            back_form=d.get("back_form"),
            back_text=d.get("back_text"),
            back_frame=d.get("back_frame"),
            status=d["status"],
            frame_change=d.get("frame_change"),
            replacement=d.get("replacement"),
            back_concept=d.get("back_concept"),
            source_span=span(d.get("source_span")),
            back_span=span(d.get("back_span")),
            pivot_spans=tuple(span(s) for s in d.get("pivot_spans") or ()),
            pivot_found=tuple(bool(x) for x in d.get("pivot_found") or ()),
            quoted=bool(d.get("quoted", False)),
            alignment=tuple(d.get("alignment") or ()),
            confidence=d.get("confidence"),
        )


@dataclass(frozen=True)
class Path:
    """One chain of hops from the source language back to it (or, for ``translate``, one way)."""

    source_lang: str
    pivots: tuple[str, ...]
    backends: tuple[str, ...]
    hops: tuple[Hop, ...]
    signature: Signature
    shifts: tuple[Shift, ...] = ()

    @property
    def name(self) -> str:
        langs = ">".join((self.source_lang, *(h.lang for h in self.hops)))
        return f"{langs} ({'+'.join(dict.fromkeys(self.backends))})"

    @property
    def back(self) -> Hop:
        """The last hop: the back-translation in a round trip."""
        return self.hops[-1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source_lang": self.source_lang,
            "pivots": list(self.pivots),
            "backends": list(self.backends),
            "signature": self.signature.to_dict(),
            "hops": [h.to_dict() for h in self.hops],
            "shifts": [s.to_dict() for s in self.shifts],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Path:
        return cls(
            source_lang=d["source_lang"],
            pivots=tuple(d["pivots"]),
            backends=tuple(d["backends"]),
            hops=tuple(Hop.from_dict(h) for h in d["hops"]),
            signature=Signature.from_dict(d["signature"]),
            shifts=tuple(Shift.from_dict(s) for s in d.get("shifts") or ()),
        )


@dataclass(frozen=True)
class RoundTrip:
    """The result of a run: the source segments and every path taken through them.

    ``paragraphs`` says how the source was cut into paragraphs: ``"blank"`` (blank lines separate
    paragraphs; the default, and what files written before this field meant), ``"line"`` (one
    paragraph per line), or ``"mixed"`` when ``auto`` chose differently for several input documents
    (each segment's ``document`` and ``paragraph`` still tell them apart).
    """

    source_lang: str
    segments: tuple[Segment, ...]
    paths: tuple[Path, ...]
    segmenter: str = ""
    version: str = field(default_factory=_version)
    paragraphs: str = "blank"

    @property
    def signature(self) -> str:
        """One line per path, joined by `` || ``."""
        return " || ".join(str(p.signature) for p in self.paths)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "signature": self.signature,
            "version": self.version,
            "source_lang": self.source_lang,
            "segmenter": self.segmenter,
            "paragraphs": self.paragraphs,
            "segments": [s.to_dict() for s in self.segments],
            "paths": [p.to_dict() for p in self.paths],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RoundTrip:
        try:
            return cls(
                source_lang=d["source_lang"],
                segments=tuple(Segment.from_dict(s) for s in d["segments"]),
                paths=tuple(Path.from_dict(p) for p in d["paths"]),
                segmenter=d.get("segmenter", ""),
                version=d.get("version", ""),
                paragraphs=str(d.get("paragraphs", "blank")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ResultFormatError(f"not an mtcompare result document: missing or bad field {exc}") from None

    def path(self, name_or_index: str | int) -> Path:
        if isinstance(name_or_index, int):
            return self.paths[name_or_index]
        for p in self.paths:
            if p.name == name_or_index or p.name.startswith(name_or_index):
                return p
        raise KeyError(name_or_index)
