"""Typed, frozen translation results and their JSON form.

A :class:`RoundTrip` records what was translated and how: the source segments, every path with its
hops and translation signatures. What an analysis found in it (shifts, metrics, statistics) is a
separate :class:`compare.analysis.Analysis`, attached as ``RoundTrip.analysis`` (``None`` when the
result was not analysed). The JSON written by ``mtcompare roundtrip --format json`` is
``RoundTrip.to_dict()``, described by the JSON Schema ``compare/schema/result.schema.json``; every
other output format is rendered from the same objects, and ``RoundTrip.from_dict`` reads it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import ResultFormatError

if TYPE_CHECKING:
    from .analysis import Analysis

#: Version of the JSON form. 2: paths carry a ``system`` name and no ``shifts``; the analysis
#: (shifts, metrics, statistics, its signature) is the top-level ``analysis`` (``null``: not analysed).
SCHEMA_VERSION = 2


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
    #: How the path's hops were found when not as asked: ``auto(en>fr>en)`` (``--route auto`` built
    #: en>es>fr>es>en for ``--via fr``); ``""`` for a path run as asked.
    route: str = ""

    def __str__(self) -> str:
        parts = [f"path:{self.path}"]
        if self.route:
            parts.append(f"route:{self.route}")
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
        } | ({"route": self.route} if self.route else {})

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Signature:
        return cls(
            path=d["path"],
            hops=tuple(HopSignature.from_dict(h) for h in d["hops"]),
            segmenter=d["segmenter"],
            version=d["version"],
            route=d.get("route", ""),
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
class Path:
    """One chain of hops from the source language back to it (or, for ``translate``, one way)."""

    source_lang: str
    pivots: tuple[str, ...]
    backends: tuple[str, ...]
    hops: tuple[Hop, ...]
    signature: Signature
    #: The system's name (``--backend NAME=SPEC``, or one derived from the spec); ``""``: the backends.
    system: str = ""

    @property
    def system_name(self) -> str:
        """The system's name: :attr:`system`, or the backends joined by ``+`` when none was given."""
        return self.system or "+".join(dict.fromkeys(self.backends))

    @property
    def langs(self) -> str:
        """The languages of the path: ``en>es>en``."""
        return ">".join((self.source_lang, *(h.lang for h in self.hops)))

    @property
    def name(self) -> str:
        """``en>es>en (apertium)``: languages and system; unique within a result."""
        return f"{self.langs} ({self.system_name})"

    @property
    def is_roundtrip(self) -> bool:
        """Whether the path ends in its source language (only round trips are analysed)."""
        return bool(self.hops) and self.hops[-1].lang == self.source_lang

    @property
    def back(self) -> Hop:
        """The last hop: the back-translation in a round trip."""
        return self.hops[-1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "system": self.system_name,
            "source_lang": self.source_lang,
            "pivots": list(self.pivots),
            "backends": list(self.backends),
            "signature": self.signature.to_dict(),
            "hops": [h.to_dict() for h in self.hops],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Path:
        return cls(
            source_lang=d["source_lang"],
            pivots=tuple(d["pivots"]),
            backends=tuple(d["backends"]),
            hops=tuple(Hop.from_dict(h) for h in d["hops"]),
            signature=Signature.from_dict(d["signature"]),
            system=str(d.get("system") or ""),
        )


@dataclass(frozen=True)
class RoundTrip:
    """The result of a run: the source segments, every path taken through them, and the analysis if any.

    ``paragraphs`` says how the source was cut into paragraphs: ``"blank"`` (blank lines separate
    paragraphs; the default, and what files written before this field meant), ``"line"`` (one
    paragraph per line), or ``"mixed"`` when ``auto`` chose differently for several input documents
    (each segment's ``document`` and ``paragraph`` still tell them apart). ``analysis`` is what
    :func:`compare.analyse` found (``None``: not analysed, as with ``--no-terms``); path names are
    unique within a result.
    """

    source_lang: str
    segments: tuple[Segment, ...]
    paths: tuple[Path, ...]
    segmenter: str = ""
    version: str = field(default_factory=_version)
    paragraphs: str = "blank"
    analysis: Analysis | None = None

    @property
    def signature(self) -> str:
        """The translation signature: one line per path, joined by `` || ``."""
        return " || ".join(str(p.signature) for p in self.paths)

    @property
    def documents(self) -> tuple[str, ...]:
        """The documents' names, in order of first appearance."""
        return tuple(dict.fromkeys(s.document for s in self.segments))

    def with_analysis(self, analysis: Analysis | None) -> RoundTrip:
        """The same translation with ``analysis`` attached (``None`` removes it)."""
        from dataclasses import replace

        return replace(self, analysis=analysis)

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
            "analysis": self.analysis.to_dict() if self.analysis is not None else None,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RoundTrip:
        """Read a result written by :meth:`to_dict` (this or an older schema version; a newer one is refused).

        A version-1 document's shifts are not read: its translation is, and :func:`compare.analyse`
        recomputes the analysis from it.
        """
        if not isinstance(d, Mapping):
            raise ResultFormatError(f"not an mtcompare result document: expected a JSON object, got {type(d).__name__}")
        found = d.get("schema_version", 1)
        if isinstance(found, bool) or not isinstance(found, int) or found < 1:
            raise ResultFormatError(f"not an mtcompare result document: bad schema_version {str(found)[:40]!r}")
        if found > SCHEMA_VERSION:
            raise ResultFormatError(
                f"this result has schema_version {found}, newer than this mtcompare reads ({SCHEMA_VERSION}); "
                "upgrade mtcompare to read it"
            )
        try:
            paths = _unique_names(tuple(Path.from_dict(p) for p in d["paths"]))
            analysis = None
            if found >= 2 and d.get("analysis") is not None:
                from .analysis import Analysis

                analysis = Analysis.from_dict(d["analysis"])
            return cls(
                source_lang=d["source_lang"],
                segments=tuple(Segment.from_dict(s) for s in d["segments"]),
                paths=paths,
                segmenter=d.get("segmenter", ""),
                version=d.get("version", ""),
                paragraphs=str(d.get("paragraphs", "blank")),
                analysis=analysis,
            )
        except ResultFormatError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise ResultFormatError(f"not an mtcompare result document: missing or bad field {exc}") from None

    def path(self, name_or_index: str | int) -> Path:
        """A path by index, by its full name (``en>es>en (apertium)``), its system name, or a prefix of its name."""
        if isinstance(name_or_index, int):
            return self.paths[name_or_index]
        for p in self.paths:
            if p.name == name_or_index:
                return p
        matches = [p for p in self.paths if p.system_name == name_or_index or p.name.startswith(name_or_index)]
        if len(matches) == 1:
            return matches[0]
        raise KeyError(name_or_index)


def _unique_names(paths: tuple[Path, ...]) -> tuple[Path, ...]:
    """Paths read from an older result whose names collide (two ``file`` systems) get ``-2``, ``-3`` systems."""
    from dataclasses import replace

    seen: set[str] = set()
    out = []
    for p in paths:
        candidate, n = p, 1
        while candidate.name in seen:
            n += 1
            candidate = replace(p, system=f"{p.system_name}-{n}")
        seen.add(candidate.name)
        out.append(candidate)
    return tuple(out)
