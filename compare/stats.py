"""Rates of term outcomes with bootstrap confidence intervals, framing tallies, and a paired test between paths.

The input is one :class:`Outcome` record per traced term and path — ``(segment, concept, status,
frame_change, back_concept)`` — so this module does not depend on the shape of the result types.

**Rates and their denominators.** For a concept *c* on a path:

* ``kept``, ``variant``, ``replaced``, ``dropped``: the number of records of *c* with that status,
  over the *source occurrences* of *c* — the records of *c* whose status is one of those four (every
  occurrence of *c* in the source gets exactly one of them). The four rates add up to 1.
* ``added``: the number of ``added`` records of *c*, over the *back-translation occurrences* of *c* —
  the records in which a form of *c* stands in the back-translation: ``kept`` and ``variant`` records
  of *c*, ``added`` records of *c*, and ``replaced`` records of any concept whose ``back_concept`` is
  *c* (a term of another concept that turned into *c*).

With ``concept=None`` (the rows :func:`outcome_rates` adds for "all concepts") every concept is
pooled: counts and denominators are summed over concepts.

**Confidence intervals** are percentile bootstrap intervals over segments: the segments are
resampled with replacement (every segment, also those without terms, since the number of terms per
segment varies), the rate is recomputed as (sum of counts) / (sum of denominators) over the resample,
and the interval is the (1−confidence)/2 and (1+confidence)/2 percentiles (linear interpolation) of
those rates. A resample whose denominator is 0 has no rate and is left out (``ci_resamples`` says how
many remained). The random generator is numpy's ``default_rng(seed)``.

**Framing tallies** count the records that carry a framing change: ``softened``, ``intensified``, and
a swap between two forms of the same frame, a *same-frame swap* (``same_frame``; results written before
0.1.0's schema 2 called it ``neutral``, which is also a frame label, and are still accepted).

**Shift rate** (:func:`paired_shift_test`): the share of source occurrences that did not come back
kept — (variant + replaced + dropped) / source occurrences.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from ._checks import _fail, _items, check_str
from .errors import ArgumentValueError

if TYPE_CHECKING:
    import numpy as np

#: Outcomes of a source occurrence; their rates are over source occurrences.
SOURCE_OUTCOMES: tuple[str, ...] = ("kept", "variant", "replaced", "dropped")
#: Every outcome; ``added`` is over back-translation occurrences.
OUTCOMES: tuple[str, ...] = (*SOURCE_OUTCOMES, "added")
#: The outcomes that count as a shifted term.
SHIFTED: tuple[str, ...] = ("variant", "replaced", "dropped")
#: The tracer's ``frame_change`` values and the tally each goes to.
FRAME_CHANGES: Mapping[str, str] = {
    "softened": "softened",
    "intensified": "intensified",
    "same_frame": "same_frame",
    "neutral": "same_frame",
}
#: How a report should name each tally.
FRAMING_LABELS: Mapping[str, str] = {
    "softened": "softened",
    "intensified": "intensified",
    "same_frame": "same-frame swap",
}
#: Denominator kinds, as :attr:`OutcomeRate.denominator_kind` names them.
SOURCE_OCCURRENCES = "source occurrences"
BACK_OCCURRENCES = "back-translation occurrences"
DEFAULT_SEED = 12345
DEFAULT_RESAMPLES = 1000
DEFAULT_PERMUTATIONS = 10000


class Outcome(NamedTuple):
    """One traced term on one path: what became of it. A plain tuple of the same fields is accepted too.

    ``segment`` is the segment's id, ``status`` one of :data:`OUTCOMES`, ``frame_change`` the tracer's
    ``softened``/``intensified``/``same_frame`` or ``None``, ``back_concept`` the concept found in the
    back-translation where a ``replaced`` term turned into another concept.
    """

    segment: int
    concept: str
    status: str
    frame_change: str | None = None
    back_concept: str | None = None


@dataclass(frozen=True)
class BootstrapSettings:
    """How the intervals were made; ``signature`` names it in one line, sacrebleu-style."""

    resamples: int = DEFAULT_RESAMPLES
    seed: int | None = DEFAULT_SEED
    confidence: float = 0.95

    @property
    def signature(self) -> str:
        import numpy

        seed = "none" if self.seed is None else str(self.seed)
        return (
            f"ci:percentile-bootstrap|unit:segment|n:{self.resamples}|seed:{seed}|conf:{self.confidence:g}"
            f"|numpy:{numpy.__version__}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": "percentile bootstrap",
            "unit": "segment",
            "resamples": self.resamples,
            "seed": self.seed,
            "confidence": self.confidence,
            "signature": self.signature,
        }


@dataclass(frozen=True)
class OutcomeRate:
    """The rate of one outcome for one concept (``None``: all concepts) on one path, with its CI.

    ``rate`` is ``count / denominator`` (``None`` when the denominator is 0); ``denominator_kind`` is
    :data:`SOURCE_OCCURRENCES` or :data:`BACK_OCCURRENCES`.
    """

    path: str
    concept: str | None
    outcome: str
    count: int
    denominator: int
    denominator_kind: str
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    ci_resamples: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "concept": self.concept,
            "outcome": self.outcome,
            "count": self.count,
            "denominator": self.denominator,
            "denominator_kind": self.denominator_kind,
            "rate": self.rate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "ci_resamples": self.ci_resamples,
        }


@dataclass(frozen=True)
class FramingTally:
    """How many framing changes of each kind one concept (``None``: all concepts) had on one path."""

    path: str
    concept: str | None
    softened: int
    intensified: int
    same_frame: int

    @property
    def total(self) -> int:
        return self.softened + self.intensified + self.same_frame

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "concept": self.concept,
            "softened": self.softened,
            "intensified": self.intensified,
            "same_frame": self.same_frame,
            "total": self.total,
        }


@dataclass(frozen=True)
class OutcomeStatistics:
    """Rates with CIs and framing tallies for every concept and path, and how the CIs were made."""

    settings: BootstrapSettings
    rates: tuple[OutcomeRate, ...]
    framing: tuple[FramingTally, ...]

    def rate(self, path: str, concept: str | None, outcome: str) -> OutcomeRate:
        """The row of one path, concept (``None``: all) and outcome."""
        for row in self.rates:
            if row.path == path and row.concept == concept and row.outcome == outcome:
                return row
        raise KeyError((path, concept, outcome))

    def to_dict(self) -> dict[str, Any]:
        return {
            "settings": self.settings.to_dict(),
            "rates": [r.to_dict() for r in self.rates],
            "framing": [f.to_dict() for f in self.framing],
        }


@dataclass(frozen=True)
class PairedRateTest:
    """A paired test of the shift rate of path ``a`` against path ``b`` over the same segments.

    ``difference`` is ``rate_a - rate_b``; ``ci_low``/``ci_high`` its paired percentile bootstrap
    interval; ``p_value`` the two-sided paired permutation p-value (``exact`` when every relabelling
    was enumerated). ``differing_segments`` counts the segments whose counts differ between the paths:
    only those can move the statistic.
    """

    a: str
    b: str
    concept: str | None
    outcomes: tuple[str, ...]
    count_a: int
    total_a: int
    count_b: int
    total_b: int
    rate_a: float | None
    rate_b: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    exact: bool
    permutations: int
    settings: BootstrapSettings
    segments: int
    differing_segments: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "concept": self.concept,
            "outcomes": list(self.outcomes),
            "count_a": self.count_a,
            "total_a": self.total_a,
            "count_b": self.count_b,
            "total_b": self.total_b,
            "rate_a": self.rate_a,
            "rate_b": self.rate_b,
            "difference": self.difference,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p_value": self.p_value,
            "test": "paired permutation (labels swapped within segments), two-sided",
            "exact": self.exact,
            "permutations": self.permutations,
            "bootstrap": self.settings.to_dict(),
            "segments": self.segments,
            "differing_segments": self.differing_segments,
        }


# --- input checks -----------------------------------------------------------------------------


def _check_outcomes(name: str, value: object) -> tuple[Outcome, ...]:
    items = _items(name, value, "a list of Outcome records (segment, concept, status, frame_change, back_concept)")
    records = []
    for i, item in enumerate(items):
        where = f"{name}[{i}]"
        if isinstance(item, (str, bytes)) or not isinstance(item, (tuple, list)) or not 3 <= len(item) <= 5:
            raise _fail(where, "an Outcome or a tuple (segment, concept, status[, frame_change[, back_concept]])", item)
        record = Outcome(*item)
        if isinstance(record.segment, bool) or not isinstance(record.segment, int):
            raise _fail(f"{where}.segment", "an int segment id", record.segment)
        check_str(f"{where}.concept", record.concept, empty=False)
        if record.status not in OUTCOMES:
            raise ArgumentValueError(f"{where}.status is {record.status!r}; accepted: {', '.join(OUTCOMES)}")
        if record.frame_change is not None and record.frame_change not in FRAME_CHANGES:
            raise ArgumentValueError(
                f"{where}.frame_change is {record.frame_change!r}; accepted: None, {', '.join(FRAME_CHANGES)}"
            )
        if record.back_concept is not None:
            check_str(f"{where}.back_concept", record.back_concept, empty=False)
        records.append(record)
    return tuple(records)


def _check_settings(resamples: object, seed: object, confidence: object) -> BootstrapSettings:
    if isinstance(resamples, bool) or not isinstance(resamples, int) or resamples < 1:
        raise _fail("resamples", "an int >= 1", resamples)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise _fail("seed", "an int >= 0, or None for fresh entropy", seed)
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise _fail("confidence", "a float between 0 and 1, such as 0.95", confidence)
    return BootstrapSettings(resamples=resamples, seed=seed, confidence=float(confidence))


def _segment_ids(name: str, value: object, records: Iterable[Outcome]) -> tuple[int, ...]:
    """The segments to resample: ``value`` (checked to hold every record's segment) or those of the records."""
    seen = sorted({r.segment for r in records})
    if value is None:
        return tuple(seen)
    items = _items(name, value, "a list of int segment ids")
    for i, item in enumerate(items):
        if isinstance(item, bool) or not isinstance(item, int):
            raise _fail(f"{name}[{i}]", "an int segment id", item)
    ids = sorted(set(items))
    missing = sorted(set(seen) - set(ids))
    if missing:
        shown = ", ".join(map(str, missing[:5])) + (" ..." if len(missing) > 5 else "")
        raise ArgumentValueError(f"{name} lacks segments that outcomes refer to: {shown}")
    return tuple(ids)


def _check_outcome_names(name: str, value: object, allowed: Sequence[str]) -> tuple[str, ...]:
    items = _items(name, value, f"a list of outcomes from {', '.join(allowed)}")
    if not items:
        raise ArgumentValueError(f"{name} is empty; choose from {', '.join(allowed)}")
    for item in items:
        if item not in allowed:
            raise ArgumentValueError(f"{name} holds {item!r}; accepted: {', '.join(allowed)}")
    return tuple(dict.fromkeys(items))


# --- counting -------------------------------------------------------------------------------


def _concepts(records: Iterable[Outcome]) -> list[str]:
    found: set[str] = set()
    for r in records:
        found.add(r.concept)
        if r.back_concept is not None and r.status == "replaced":
            found.add(r.back_concept)
    return sorted(found)


def _columns(concepts: Sequence[str | None]) -> dict[tuple[str | None, str], int]:
    """Column index of each (concept, quantity): the five outcomes, ``source`` and ``back`` denominators."""
    columns: dict[tuple[str | None, str], int] = {}
    for concept in concepts:
        for quantity in (*OUTCOMES, "source", "back"):
            columns[(concept, quantity)] = len(columns)
    return columns


def _count_matrix(
    records: Iterable[Outcome], segments: Sequence[int], columns: Mapping[tuple[str | None, str], int]
) -> np.ndarray:
    """Per segment (rows) the count of each (concept, quantity) column; the ``None`` concept pools all."""
    import numpy as np

    row_of = {s: i for i, s in enumerate(segments)}
    matrix = np.zeros((len(segments), len(columns)), dtype=np.int64)
    for r in records:
        row = row_of[r.segment]
        for concept in (r.concept, None):
            if (concept, r.status) in columns:
                matrix[row, columns[(concept, r.status)]] += 1
            if r.status in SOURCE_OUTCOMES and (concept, "source") in columns:
                matrix[row, columns[(concept, "source")]] += 1
        back = r.concept if r.status in ("kept", "variant", "added") else None
        if r.status == "replaced":
            back = r.back_concept
        if back is not None:
            for concept in (back, None):
                if (concept, "back") in columns:
                    matrix[row, columns[(concept, "back")]] += 1
    return matrix


#: How many cells (rows × segments) of resample or relabelling weights are held at once.
_BLOCK_CELLS = 2_000_000


def _blocks(total: int, width: int) -> list[tuple[int, int]]:
    """Row ranges that split ``total`` rows of ``width`` cells into blocks of at most ``_BLOCK_CELLS`` cells."""
    step = max(1, _BLOCK_CELLS // max(1, width))
    return [(start, min(total, start + step)) for start in range(0, total, step)]


def _resampled_sums(matrix: np.ndarray, settings: BootstrapSettings) -> np.ndarray:
    """Column sums of ``matrix`` (segments × quantities) over each bootstrap resample of its rows.

    A resample draws as many segments as there are, with replacement, from ``default_rng(seed)``;
    the draws are made block by block, in the same order as one draw of shape (resamples, segments).
    """
    import numpy as np

    segments = matrix.shape[0]
    rng = np.random.default_rng(settings.seed)
    sums = np.empty((settings.resamples, matrix.shape[1]), dtype=np.int64)
    for start, stop in _blocks(settings.resamples, segments):
        draws = rng.integers(0, segments, size=(stop - start, segments))
        offsets = np.arange(stop - start)[:, None] * segments
        weights = np.bincount((draws + offsets).ravel(), minlength=(stop - start) * segments)
        sums[start:stop] = weights.reshape(stop - start, segments) @ matrix
    return sums


def _relabelled_sums(changes: np.ndarray, permutations: int, seed: int | None, exact: bool) -> np.ndarray:
    """For each relabelling, the sum of ``changes`` (segments × quantities) over the swapped segments.

    ``exact`` enumerates all 2**segments relabellings (bit i of row r swaps segment i); otherwise
    ``permutations`` random ones are drawn from ``default_rng(seed)``.
    """
    import numpy as np

    k = changes.shape[0]
    rows = 2**k if exact else permutations
    rng = np.random.default_rng(seed)
    sums = np.empty((rows, changes.shape[1]), dtype=np.int64)
    for start, stop in _blocks(rows, k):
        if exact:
            swaps = (np.arange(start, stop)[:, None] >> np.arange(k)) & 1
        else:
            swaps = rng.integers(0, 2, size=(stop - start, k), dtype=np.int64)
        sums[start:stop] = swaps @ changes
    return sums


def _interval(values: np.ndarray, confidence: float) -> tuple[float | None, float | None, int]:
    import numpy as np

    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return None, None, 0
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(finite, [tail, 100 - tail])
    return float(low), float(high), int(finite.size)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.maximum(denominator, 1), np.nan)


# --- public functions -----------------------------------------------------------------------


def outcome_rates(
    outcomes: Iterable[Outcome | tuple[Any, ...]],
    *,
    path: str = "",
    segments: Sequence[int] | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int | None = DEFAULT_SEED,
    confidence: float = 0.95,
    pooled: bool = True,
) -> tuple[OutcomeRate, ...]:
    """The rate of each outcome per concept on one path, with a percentile bootstrap CI over segments.

    ``segments`` lists every segment id of the text, those without terms included (they take part in
    the resampling); by default the segments the records name. With ``pooled`` a row per outcome for
    all concepts together (``concept=None``) follows the per-concept rows. See the module docstring
    for the denominators.

    >>> rows = outcome_rates([(0, "isis", "kept"), (1, "isis", "replaced"), (2, "isis", "kept")], resamples=50)
    >>> [(r.outcome, r.count, r.denominator, round(r.rate, 3)) for r in rows[:2]]
    [('kept', 2, 3, 0.667), ('variant', 0, 3, 0.0)]
    """
    records = _check_outcomes("outcomes", outcomes)
    check_str("path", path)
    settings = _check_settings(resamples, seed, confidence)
    ids = _segment_ids("segments", segments, records)
    return _rates(records, path, ids, settings, pooled)


def _rates(
    records: Sequence[Outcome], path: str, ids: Sequence[int], settings: BootstrapSettings, pooled: bool
) -> tuple[OutcomeRate, ...]:
    concepts: list[str | None] = list(_concepts(records))
    if pooled and concepts:
        concepts.append(None)
    if not concepts or not ids:
        return ()
    columns = _columns(concepts)
    matrix = _count_matrix(records, ids, columns)
    totals = matrix.sum(axis=0)
    resampled = _resampled_sums(matrix, settings)
    rows = []
    for concept in concepts:
        for outcome in OUTCOMES:
            kind = "back" if outcome == "added" else "source"
            num, den = columns[(concept, outcome)], columns[(concept, kind)]
            count, denominator = int(totals[num]), int(totals[den])
            low, high, used = _interval(_ratio(resampled[:, num], resampled[:, den]), settings.confidence)
            rows.append(
                OutcomeRate(
                    path=path,
                    concept=concept,
                    outcome=outcome,
                    count=count,
                    denominator=denominator,
                    denominator_kind=BACK_OCCURRENCES if kind == "back" else SOURCE_OCCURRENCES,
                    rate=count / denominator if denominator else None,
                    ci_low=low if denominator else None,
                    ci_high=high if denominator else None,
                    ci_resamples=used if denominator else 0,
                )
            )
    return tuple(rows)


def framing_tallies(
    outcomes: Iterable[Outcome | tuple[Any, ...]], *, path: str = "", pooled: bool = True
) -> tuple[FramingTally, ...]:
    """Per concept (by the source term's concept) the softened, intensified and same-frame-swap records.

    Every concept with a record appears, with zeros where nothing changed; with ``pooled`` a row for
    all concepts together (``concept=None``) comes last.
    """
    records = _check_outcomes("outcomes", outcomes)
    check_str("path", path)
    return _tallies(records, path, pooled)


def _tallies(records: Sequence[Outcome], path: str, pooled: bool) -> tuple[FramingTally, ...]:
    concepts: list[str | None] = sorted({r.concept for r in records})
    if pooled and concepts:
        concepts.append(None)
    counts = {c: dict.fromkeys(FRAMING_LABELS, 0) for c in concepts}
    for r in records:
        if r.frame_change is None:
            continue
        for concept in (r.concept, None):
            if concept in counts:
                counts[concept][FRAME_CHANGES[r.frame_change]] += 1
    return tuple(FramingTally(path=path, concept=c, **counts[c]) for c in concepts)


def outcome_statistics(
    paths: Mapping[str, Iterable[Outcome | tuple[Any, ...]]],
    *,
    segments: Sequence[int] | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int | None = DEFAULT_SEED,
    confidence: float = 0.95,
    pooled: bool = True,
) -> OutcomeStatistics:
    """Rates with CIs and framing tallies for every path (``{path name: outcome records}``).

    Every path is resampled with the same seed over the same ``segments`` (by default every segment
    any path's records name), so paths over the same text get the same resamples.
    """
    if not isinstance(paths, Mapping):
        raise _fail("paths", "a mapping of path name to a list of Outcome records", paths)
    checked = {
        check_str("paths key", name, empty=False): _check_outcomes(f"paths[{name!r}]", records)
        for name, records in paths.items()
    }
    settings = _check_settings(resamples, seed, confidence)
    ids = _segment_ids("segments", segments, [r for records in checked.values() for r in records])
    rates: list[OutcomeRate] = []
    framing: list[FramingTally] = []
    for name, records in checked.items():
        rates += _rates(records, name, ids, settings, pooled)
        framing += _tallies(records, name, pooled)
    return OutcomeStatistics(settings=settings, rates=tuple(rates), framing=tuple(framing))


def paired_shift_test(
    a: Iterable[Outcome | tuple[Any, ...]],
    b: Iterable[Outcome | tuple[Any, ...]],
    *,
    names: tuple[str, str] = ("a", "b"),
    concept: str | None = None,
    outcomes: Sequence[str] = SHIFTED,
    segments: Sequence[int] | None = None,
    permutations: int = DEFAULT_PERMUTATIONS,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int | None = DEFAULT_SEED,
    confidence: float = 0.95,
) -> PairedRateTest:
    """Test whether two paths shift terms at different rates on the same segments.

    The statistic is ``rate_a - rate_b``, each rate being (records with a status in ``outcomes``) /
    (source occurrences), for one ``concept`` or all (``None``). Under the null hypothesis the two
    paths' labels are exchangeable within each segment, so the test swaps them segment by segment:
    exactly over every relabelling when there are at most ``permutations`` of them, otherwise over
    ``permutations`` random ones (p = (1 + extreme) / (1 + permutations)). "Extreme" means ``|d*| >=
    |d|``: two identical paths get p = 1. Relabellings that leave a path with no occurrence are
    left out. The difference also gets a paired percentile bootstrap CI over segments.

    >>> a = [(i, "isis", "replaced") for i in range(12)]
    >>> b = [(i, "isis", "kept") for i in range(12)]
    >>> test = paired_shift_test(a, b, resamples=50)
    >>> test.difference, test.exact, round(test.p_value, 5)
    (1.0, True, 0.00049)
    """
    import numpy as np

    records_a = _check_outcomes("a", a)
    records_b = _check_outcomes("b", b)
    if not isinstance(names, tuple) or len(names) != 2:
        raise _fail("names", "a pair of path names such as ('via es', 'via ca')", names)
    name_a, name_b = check_str("names[0]", names[0]), check_str("names[1]", names[1])
    if concept is not None:
        check_str("concept", concept, empty=False)
    chosen = _check_outcome_names("outcomes", outcomes, SOURCE_OUTCOMES)
    if isinstance(permutations, bool) or not isinstance(permutations, int) or permutations < 1:
        raise _fail("permutations", "an int >= 1", permutations)
    settings = _check_settings(resamples, seed, confidence)
    ids = _segment_ids("segments", segments, (*records_a, *records_b))

    def per_segment(records: Sequence[Outcome]) -> tuple[np.ndarray, np.ndarray]:
        row_of = {s: i for i, s in enumerate(ids)}
        num = np.zeros(len(ids), dtype=np.int64)
        den = np.zeros(len(ids), dtype=np.int64)
        for r in records:
            if r.status not in SOURCE_OUTCOMES or (concept is not None and r.concept != concept):
                continue
            den[row_of[r.segment]] += 1
            if r.status in chosen:
                num[row_of[r.segment]] += 1
        return num, den

    num_a, den_a = per_segment(records_a)
    num_b, den_b = per_segment(records_b)
    total_a, total_b = int(den_a.sum()), int(den_b.sum())
    count_a, count_b = int(num_a.sum()), int(num_b.sum())
    rate_a = count_a / total_a if total_a else None
    rate_b = count_b / total_b if total_b else None
    observed = None if rate_a is None or rate_b is None else rate_a - rate_b
    differs = np.flatnonzero((num_a != num_b) | (den_a != den_b))

    p_value: float | None = None
    exact = False
    if observed is not None:
        k = len(differs)
        if k == 0:
            p_value, exact = 1.0, True
        else:
            exact = 2**k <= permutations
            changes = np.stack([num_b[differs] - num_a[differs], den_b[differs] - den_a[differs]], axis=1)
            moved = _relabelled_sums(changes, permutations, settings.seed, exact)
            perm_a = _ratio(count_a + moved[:, 0], total_a + moved[:, 1])
            perm_b = _ratio(count_b - moved[:, 0], total_b - moved[:, 1])
            diffs = perm_a - perm_b
            valid = diffs[np.isfinite(diffs)]
            extreme = int(np.sum(np.abs(valid) >= abs(observed) - 1e-12))
            p_value = extreme / valid.size if exact else (1 + extreme) / (1 + valid.size)

    low = high = None
    if observed is not None:
        sums = _resampled_sums(np.stack([num_a, den_a, num_b, den_b], axis=1), settings)
        boot = _ratio(sums[:, 0], sums[:, 1]) - _ratio(sums[:, 2], sums[:, 3])
        low, high, _ = _interval(boot, settings.confidence)

    return PairedRateTest(
        a=name_a,
        b=name_b,
        concept=concept,
        outcomes=chosen,
        count_a=count_a,
        total_a=total_a,
        count_b=count_b,
        total_b=total_b,
        rate_a=rate_a,
        rate_b=rate_b,
        difference=observed,
        ci_low=low,
        ci_high=high,
        p_value=p_value,
        exact=exact,
        permutations=(2 ** len(differs)) if exact else permutations,
        settings=settings,
        segments=len(ids),
        differing_segments=int(len(differs)),
    )
