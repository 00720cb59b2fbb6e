"""Paired significance of two systems (or two pivots) on the same segments, through sacrebleu.

Both systems' back-translations are scored against the same sources with BLEU, chrF++ and TER, and
sacrebleu's paired tests (``sacrebleu.significance.PairedTest``) say how likely the difference is
under the null hypothesis that both come from the same process: paired bootstrap resampling
(``bs``, Koehn 2004, as Moses' script) or paired approximate randomisation (``ar``, as MultEval).
The numbers equal those of::

    SACREBLEU_SEED=SEED sacrebleu SOURCES -i BASELINE SYSTEM -m bleu chrf ter --chrf-word-order 2 \\
        --paired-bs --paired-bs-n SAMPLES          # or --paired-ar --paired-ar-n SAMPLES

Note on sacrebleu's p-value: it counts resampled differences strictly greater than the observed one,
plus one, over samples plus one. Where both systems are identical on every segment nothing is
greater, so sacrebleu reports its smallest p-value, 1/(samples+1), although nothing differs (the
same holds for MultEval, whose test sacrebleu follows). The result therefore also carries
``differing_segments``: with none, the p-value says nothing and a report should say "identical".
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .._checks import _fail, check_str
from ..errors import ArgumentValueError
from ._inputs import check_count, check_parallel, check_texts
from .mt import METRICS, check_metrics, make_metric

#: The tests: paired bootstrap resampling and paired approximate randomisation.
METHODS: tuple[str, ...] = ("bs", "ar")
#: sacrebleu's default number of resamples (bs) and trials (ar).
DEFAULT_SAMPLES: Mapping[str, int] = {"bs": 1000, "ar": 10000}
#: sacrebleu's default seed (``SACREBLEU_SEED``).
DEFAULT_SEED = 12345


@dataclass(frozen=True)
class PairedScore:
    """One metric for both systems, with the test's p-value.

    ``*_mean`` and ``*_ci`` are sacrebleu's bootstrap estimate of the true score and the half-width
    of its 95 % interval (``mean ± ci``); with ``ar`` they are ``None`` unless asked for.
    """

    metric: str
    baseline: float
    system: float
    p_value: float
    signature: str
    baseline_mean: float | None = None
    baseline_ci: float | None = None
    system_mean: float | None = None
    system_ci: float | None = None

    @property
    def difference(self) -> float:
        """System minus baseline (for TER, negative is better)."""
        return self.system - self.baseline

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "baseline": self.baseline,
            "system": self.system,
            "difference": self.difference,
            "p_value": self.p_value,
            "signature": self.signature,
            "baseline_mean": self.baseline_mean,
            "baseline_ci": self.baseline_ci,
            "system_mean": self.system_mean,
            "system_ci": self.system_ci,
        }


@dataclass(frozen=True)
class PairedMetricTest:
    """A paired test of ``system`` against ``baseline`` on the same ``segments`` sources."""

    method: str
    baseline: str
    system: str
    samples: int
    seed: int
    segments: int
    differing_segments: int
    scores: tuple[PairedScore, ...]

    def get(self, metric: str) -> PairedScore:
        """One metric's result, by sacrebleu's name (``BLEU``) or the command line's (``bleu``)."""
        wanted = metric.lower()
        for score in self.scores:
            if score.metric.lower().startswith(wanted):
                return score
        raise KeyError(f"no {metric!r} score; tested: {', '.join(s.metric for s in self.scores)}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "baseline": self.baseline,
            "system": self.system,
            "samples": self.samples,
            "seed": self.seed,
            "segments": self.segments,
            "differing_segments": self.differing_segments,
            "scores": [s.to_dict() for s in self.scores],
        }


@contextmanager
def _sacrebleu_seed(seed: int) -> Iterator[None]:
    """sacrebleu's PairedTest reads its seed from ``SACREBLEU_SEED`` only; set it for the test, then restore it."""
    before = os.environ.get("SACREBLEU_SEED")
    os.environ["SACREBLEU_SEED"] = str(seed)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SACREBLEU_SEED", None)
        else:
            os.environ["SACREBLEU_SEED"] = before


def _optional(value: Any) -> float | None:
    return None if value is None else float(value)


def paired_test(
    sources: Sequence[str],
    baseline: Sequence[str],
    system: Sequence[str],
    *,
    names: tuple[str, str] = ("baseline", "system"),
    method: str = "bs",
    metrics: Sequence[str] | str = METRICS,
    samples: int | None = None,
    seed: int = DEFAULT_SEED,
    confidence_resamples: int | None = None,
    lang: str = "",
) -> PairedMetricTest:
    """Test whether ``system``'s back-translations score differently from ``baseline``'s on the same sources.

    ``method`` is ``bs`` (paired bootstrap resampling, ``samples`` resamples, default 1000) or ``ar``
    (paired approximate randomisation, ``samples`` trials, default 10000). ``seed`` must be a
    positive int: sacrebleu treats 0 as "no seed". ``confidence_resamples`` adds sacrebleu's bootstrap
    mean ± 95 % CI to an ``ar`` test (``bs`` always has them). sacrebleu takes its seed from the
    environment, so this sets ``SACREBLEU_SEED`` while it runs: do not run two at once in threads.

    >>> sources = ["The cat sat on the mat.", "A dog barked."] * 5
    >>> test = paired_test(sources, sources, ["A cat is on a mat.", "Dogs bark."] * 5, samples=100)
    >>> test.get("bleu").p_value < 0.05
    True
    """
    from sacrebleu.significance import PairedTest

    refs = check_texts("sources", sources)
    base = check_texts("baseline", baseline)
    other = check_texts("system", system)
    check_parallel(("sources", "baseline", "system"), refs, base, other)
    if not isinstance(names, tuple) or len(names) != 2:
        raise _fail("names", "a pair of system names such as ('via es', 'via ca')", names)
    base_name = check_str("names[0]", names[0], empty=False)
    system_name = check_str("names[1]", names[1], empty=False)
    if base_name == system_name:
        raise ArgumentValueError(f"names must differ; both are {base_name!r}")
    if method not in METHODS:
        raise ArgumentValueError(
            f"unknown method {method!r}; accepted: bs (paired bootstrap), ar (approximate randomisation)"
        )
    chosen = check_metrics("metrics", metrics)
    n = DEFAULT_SAMPLES[method] if samples is None else check_count("samples", samples)
    check_count("seed", seed)
    ar_confidence = -1
    if confidence_resamples is not None:
        if method == "bs":
            raise ArgumentValueError("confidence_resamples is for method='ar'; the bootstrap test gives its CI itself")
        ar_confidence = check_count("confidence_resamples", confidence_resamples)

    metric_objects = {name: make_metric(name, lang=lang) for name in chosen}
    with _sacrebleu_seed(seed):
        test = PairedTest(
            [(base_name, list(base)), (system_name, list(other))],
            metric_objects,
            references=[list(refs)],
            test_type=method,
            n_samples=n,
            n_ar_confidence=ar_confidence,
            n_jobs=1,
        )
        signatures, results = test()
    scores = []
    for metric_name, signature in signatures.items():
        base_result, system_result = results[metric_name]
        scores.append(
            PairedScore(
                metric=metric_name,
                baseline=float(base_result.score),
                system=float(system_result.score),
                p_value=float(system_result.p_value),
                signature=str(signature),
                baseline_mean=_optional(base_result.mean),
                baseline_ci=_optional(base_result.ci),
                system_mean=_optional(system_result.mean),
                system_ci=_optional(system_result.ci),
            )
        )
    return PairedMetricTest(
        method=method,
        baseline=base_name,
        system=system_name,
        samples=n,
        seed=seed,
        segments=len(refs),
        differing_segments=sum(a != b for a, b in zip(base, other)),
        scores=tuple(scores),
    )
