"""How stable each term's outcome is when a system translates by sampling: ``--samples N --seed S``.

A deterministic engine (Apertium, a file of translations, greedy or beam search) gives one
translation of a text; a neural model can also *sample* one. :func:`sample_roundtrip` runs every
system that can sample (``Backend.can_sample``: ``hf``) ``samples`` times with seeds ``seed``,
``seed + 1``, …, and every other system once, saying that it is deterministic; it analyses each run
and counts, for every source occurrence of a loaded term, what it became: "Daesh → ISIS (variant)
in 7 of 10 samples".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import _checks as check
from .errors import ArgumentValueError

if TYPE_CHECKING:
    from .results import RoundTrip, Segment

#: The most samples :func:`sample_roundtrip` takes per system.
MAX_SAMPLES = 1000


@dataclass(frozen=True)
class OutcomeCount:
    """One outcome of a term over the samples: its status, the back-translation's text, how often."""

    status: str
    back_text: str | None
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "back_text": self.back_text, "count": self.count}


@dataclass(frozen=True)
class TermStability:
    """What one source occurrence became on one path over ``samples`` runs, most frequent outcome first."""

    path: str
    system: str
    segment: int
    concept: str
    source_text: str | None
    source_span: tuple[int, int] | None
    samples: int
    outcomes: tuple[OutcomeCount, ...]

    @property
    def agreement(self) -> float:
        """The share of samples that gave the most frequent outcome (1.0: always the same)."""
        return self.outcomes[0].count / self.samples if self.outcomes else 0.0

    def describe(self) -> str:
        """``Daesh → ISIS (variant) in 7 of 10 samples``."""
        top = self.outcomes[0]
        unit = "sample" if self.samples == 1 else "samples"
        return f"{self.source_text} → {top.back_text or '—'} ({top.status}) in {top.count} of {self.samples} {unit}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "system": self.system,
            "segment": self.segment,
            "concept": self.concept,
            "source_text": self.source_text,
            "source_span": list(self.source_span) if self.source_span else None,
            "samples": self.samples,
            "agreement": self.agreement,
            "outcomes": [o.to_dict() for o in self.outcomes],
            "describe": self.describe(),
        }


@dataclass(frozen=True)
class SystemSampling:
    """How one system was run: ``deterministic`` systems once, the others with each of ``seeds``."""

    system: str
    deterministic: bool
    seeds: tuple[int, ...]

    @property
    def samples(self) -> int:
        return max(1, len(self.seeds))

    def to_dict(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "deterministic": self.deterministic,
            "samples": self.samples,
            "seeds": list(self.seeds),
        }


@dataclass(frozen=True)
class Stability:
    """The outcome of every term over the samples, per path; ``runs`` holds each analysed run."""

    samples: int
    seed: int
    systems: tuple[SystemSampling, ...]
    terms: tuple[TermStability, ...]
    runs: tuple[RoundTrip, ...]

    def to_dict(self) -> dict[str, Any]:
        from .results import SCHEMA_VERSION

        return {
            "schema_version": SCHEMA_VERSION,
            "kind": "stability",
            "samples": self.samples,
            "seed": self.seed,
            "systems": [s.to_dict() for s in self.systems],
            "terms": [t.to_dict() for t in self.terms],
            "runs": [r.to_dict() for r in self.runs],
        }


def _stabilities(runs: Sequence[RoundTrip]) -> list[TermStability]:
    """Source occurrences matched across runs by path, segment, span and concept; their outcomes counted."""
    counts: dict[tuple[str, int, Any, str], dict[tuple[str, str | None], int]] = {}
    texts: dict[tuple[str, int, Any, str], str | None] = {}
    systems: dict[str, str] = {}
    for run in runs:
        if run.analysis is None:
            continue
        for pa in run.analysis.paths:
            systems[pa.path] = run.path(pa.path).system_name
            for s in pa.shifts:
                if s.status == "added":
                    continue
                key = (pa.path, s.segment, s.source_span, s.concept)
                texts[key] = s.source_text
                outcome = (s.status, s.back_text or s.replacement)
                counts.setdefault(key, {})
                counts[key][outcome] = counts[key].get(outcome, 0) + 1
    rows = []
    for key, found in counts.items():
        path, segment, span, concept = key
        outcomes = sorted(found.items(), key=lambda item: (-item[1], item[0][0], item[0][1] or ""))
        rows.append(
            TermStability(
                path=path,
                system=systems[path],
                segment=segment,
                concept=concept,
                source_text=texts[key],
                source_span=span,
                samples=sum(found.values()),
                outcomes=tuple(OutcomeCount(status, back, n) for (status, back), n in outcomes),
            )
        )
    return rows


def sample_roundtrip(
    text: str | Sequence[str] | Sequence[Segment],
    source_lang: str = "en",
    via: Sequence[str] = (),
    chain: Sequence[str] = (),
    backends: Any = ("apertium",),
    samples: int = 10,
    seed: int = 12345,
    cache: Any = True,
    lexicon: Any = None,
    paragraphs: str = "auto",
    **options: Any,
) -> Stability:
    """Round trips with every system that can sample run ``samples`` times (seeds ``seed``, ``seed + 1``, …)
    and the others once; each run analysed, and each term's outcomes counted over the runs.

    Arguments are as for :func:`compare.roundtrip`; a :class:`~compare.backends.Backend` object that can
    sample is made again with each seed (:meth:`~compare.backends.Backend.with_options`), keeping its
    other options, unless it was given a ``sample`` seed of its own: then it is run as it is, once. A
    system that cannot sample says so (``SystemSampling.deterministic``): its one translation stands
    for every sample.

    >>> import compare
    >>> stable = compare.sample_roundtrip("Daesh fled.", via="es", backends="hf", samples=10)  # doctest: +SKIP
    >>> stable.terms[0].describe()  # doctest: +SKIP
    'Daesh → ISIS (variant) in 7 of 10 samples'
    """
    from .analysis import analyse
    from .backends.base import Backend, load_backends
    from .roundtrip import name_systems, roundtrip

    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= MAX_SAMPLES:
        raise check._fail("samples", f"an int from 1 to {MAX_SAMPLES}", samples)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed or seed + samples > 2**32:
        raise check._fail("seed", "an int from 0 to 2**32 - 1 - samples", seed)
    if "sample" in options:
        raise ArgumentValueError("sample_roundtrip sets each run's sample seed itself; pass seed= instead of sample=")
    check.check_options(options)
    lex = check.check_lexicon("lexicon", lexicon)
    systems = name_systems(check.check_backends("backends", backends))
    runs = []
    sampling = []
    # Options are checked against all systems together (each gets those it declares).
    loaded = load_backends([spec for _, spec in systems], **options)
    for (name, spec), backend in zip(systems, loaded):
        if not backend.can_sample or (isinstance(spec, Backend) and "sample" in spec.options):
            seeds: tuple[int, ...] = ()
            made = [backend]
        else:
            seeds = tuple(range(seed, seed + samples))
            made = [backend.with_options(sample=s) for s in seeds]
        sampling.append(SystemSampling(system=name, deterministic=not seeds, seeds=seeds))
        for one in made:
            run = roundtrip(
                text,
                source_lang,
                via=via,
                chain=chain,
                backends={name: one},
                cache=cache,
                analyse=False,
                paragraphs=paragraphs,
            )
            runs.append(analyse(run, lexicon=lex, metrics=None, statistics=False))
    return Stability(
        samples=samples,
        seed=seed,
        systems=tuple(sampling),
        terms=tuple(_stabilities(runs)),
        runs=tuple(runs),
    )


def stability_rows(stability: Stability) -> list[dict[str, Any]]:
    """One flat row per term and outcome (CSV, JSON Lines)."""
    deterministic = {s.system: s.deterministic for s in stability.systems}
    rows = []
    for t in stability.terms:
        for o in t.outcomes:
            rows.append(
                {
                    "path": t.path,
                    "system": t.system,
                    "deterministic": deterministic.get(t.system),
                    "segment": t.segment,
                    "concept": t.concept,
                    "source_text": t.source_text,
                    "source_start": t.source_span[0] if t.source_span else None,
                    "source_end": t.source_span[1] if t.source_span else None,
                    "status": o.status,
                    "back_text": o.back_text,
                    "count": o.count,
                    "samples": t.samples,
                }
            )
    return rows
