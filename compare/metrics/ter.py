"""TER as sacrebleu computes it, faster: the same numbers from the same algorithm, in plain Python.

sacrebleu's TER (``sacrebleu/metrics/lib_ter.py``) shifts phrases of the hypothesis greedily, each
time taking the shift that lowers a beam-restricted edit distance most, and spends nearly all its
time evaluating shift candidates: a full edit-distance matrix for each, built from ``(cost, op)``
tuples. :func:`translation_edit_rate` here follows the same control flow and tie-breaking
(candidates in the same order, the same ranking ``(gain, length, -start, -target)``, the same
``_MAX_SHIFT_CANDIDATES`` cut-off that also drops the shift found in the round it is reached, the
same beam around the length-ratio diagonal, the same preference of no-op/substitution, then
deletion, then insertion when the alignment is read back), so it returns the same ``(num_edits,
ref_length)`` for every pair of word lists. What changes is how a candidate's distance is found:

* words are ints (every hypothesis word absent from the reference is one id: only equality with
  reference words enters the distance);
* while the distance stays below the beam's margin (the least cost of any path through a cell
  outside the beam; about 50 for sentences of similar length), the beam changes nothing, and the
  distances and the read-back come from Myers' bit-vector algorithm, a dozen integer operations a
  row (:meth:`_Ter._prepare_bits`). A candidate whose distance reaches the margin costs more than
  the current hypothesis and cannot be the shift taken, which is all its value decides;
* otherwise (for the whole sentence) the beam rows are flat lists of costs. The beam distance is
  the cheapest path through the cells inside the beam, so it splits at any row ``k`` as
  ``min_j forward[k][j] + backward[k][j]``. A shift changes only the words between its two ends;
  the rows below that span are the hypothesis's own (the backward rows, computed once per round),
  so a candidate costs only the rows of its changed span. Rows of prefixes already seen come from
  a cache keyed by the prefix, as sacrebleu's is (also bounded by ``_MAX_CACHE_SIZE`` rows),
  holding costs only: the operations are read back once per round, by the same comparisons
  sacrebleu's matrix made;
* the word matches that ``_find_shifted_pairs`` looks for are looked up by position lists, and the
  error counts over a span come from prefix sums.

The cache only saves work (a row depends on nothing but its prefix, as every hypothesis of one
sentence has the same length), so what it holds changes no number. :class:`FastTER` is sacrebleu's
``TER`` with this function in ``_compute_segment_statistics``: tokenisation, options, statistics
and signature are sacrebleu's own.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from operator import add
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sacrebleu.metrics import TER

# sacrebleu's constants (lib_ter.py); the tests check they still are.
_MAX_SHIFT_SIZE = 10
_MAX_SHIFT_DIST = 50
_BEAM_WIDTH = 25
_MAX_CACHE_SIZE = 10000
_MAX_SHIFT_CANDIDATES = 1000
_INT_INFINITY = int(1e16)

# Edit operations of the trace (sacrebleu's letters), as read back from the matrix.
_NOP, _SUB, _INS, _DEL = " ", "s", "i", "d"


def translation_edit_rate(words_hyp: Sequence[str], words_ref: Sequence[str]) -> tuple[int, int]:
    """``(number of edits, reference length)``, equal to ``sacrebleu.metrics.lib_ter.translation_edit_rate``."""
    return _translation_edit_rate(words_hyp, words_ref, bits=True)


def _translation_edit_rate(words_hyp: Sequence[str], words_ref: Sequence[str], *, bits: bool) -> tuple[int, int]:
    """:func:`translation_edit_rate`; ``bits=False`` keeps to the beam rows (what it does for any
    sentence whose distance the bit vectors may get wrong), for the tests to check both."""
    n_ref = len(words_ref)
    n_hyp = len(words_hyp)
    if n_ref == 0:
        return n_hyp, 0
    if n_hyp == 0:
        return n_ref, n_ref  # one insertion per reference word, nothing to shift
    ids: dict[str, int] = {}
    for word in words_ref:
        if word not in ids:
            ids[word] = len(ids)
    ref = [ids[word] for word in words_ref]
    other = len(ids)
    hyp = [ids.get(word, other) for word in words_hyp]
    return _Ter(ref, n_hyp, other).run(hyp, bits=bits), n_ref


def _trace_to_alignment(ops: list[str]) -> tuple[list[int], list[int], list[int]]:
    """sacrebleu's ``trace_to_alignment(_flip_trace(trace))`` for the trace ``ops`` read backwards.

    ``(align, ref_err, hyp_err)``: per reference word the hypothesis position it aligns to (every
    reference position has one), and 0/1 error flags per reference and per hypothesis word.
    """
    pos_hyp = -1
    align: list[int] = []
    ref_err: list[int] = []
    hyp_err: list[int] = []
    for op in reversed(ops):
        if op == _NOP or op == _SUB:
            pos_hyp += 1
            align.append(pos_hyp)
            err = 0 if op == _NOP else 1
            hyp_err.append(err)
            ref_err.append(err)
        elif op == _DEL:  # flipped: an insertion, one hypothesis word
            pos_hyp += 1
            hyp_err.append(1)
        else:  # flipped: a deletion, one reference word
            align.append(pos_hyp)
            ref_err.append(1)
    return align, ref_err, hyp_err


def _perform_shift(words: list[int], start: int, length: int, target: int) -> list[int]:
    """sacrebleu's ``_perform_shift``: ``words[start:start + length]`` moved before ``target``."""
    if target < start:
        return words[:target] + words[start : start + length] + words[target:start] + words[start + length :]
    if target > start + length:
        return words[:start] + words[start + length : target] + words[start : start + length] + words[target:]
    end = length + target
    return words[:start] + words[start + length : end] + words[start : start + length] + words[end:]


class _Ter:
    """The beam edit distance of hypotheses of one length against one reference, and the shift search."""

    def __init__(self, ref: list[int], n_hyp: int, other: int) -> None:
        self.ref = ref
        n_ref = self.n_ref = len(ref)
        self.n_hyp = n_hyp
        inf = _INT_INFINITY
        self.other = other
        # Per word id, 0 where the reference has that word, else 1 (the substitution cost); made for
        # the beam rows only (see _prepare_banded).
        self.neq: list[list[int]] = []
        # Positions of each word id in the reference, ascending.
        where: list[list[int]] = [[] for _ in range(other + 1)]
        for j, r in enumerate(ref):
            where[r].append(j)
        self.where = where
        # The beam: row i holds cells lo[i] <= j < hi[i]; the others are infinite. Computed as
        # sacrebleu does, in floating point.
        length_ratio = n_ref / n_hyp
        if _BEAM_WIDTH < length_ratio / 2:
            beam_width = math.ceil(length_ratio / 2 + _BEAM_WIDTH)
        else:
            beam_width = _BEAM_WIDTH
        lo = [0] * (n_hyp + 1)
        hi = [n_ref + 1] * (n_hyp + 1)
        for i in range(1, n_hyp + 1):
            pseudo_diag = math.floor(i * length_ratio)
            lo[i] = max(0, pseudo_diag - beam_width)
            hi[i] = min(n_ref + 1, pseudo_diag + beam_width)
        hi[n_hyp] = n_ref + 1
        self.lo, self.hi = lo, hi
        self.infs = [inf] * (n_ref + 1)
        self.row0 = list(range(n_ref + 1))  # the first row: one insertion per reference word
        self.cache: dict[int, tuple[dict[int, Any], list[int]]] = {}
        self.cache_size = 0
        # For the bit vectors: per word id, the reference positions holding it as bits.
        self.mask = (1 << n_ref) - 1
        self.peq = [sum(1 << j for j in positions) for positions in where]
        # A lower bound of _margin() in closed form: a cell outside the beam is at least
        # beam_width - 1 from the row's pseudo-diagonal (2 less here, for the floating point), and
        # the diagonal it sits on then differs from the start's and the end's by at least that much
        # twice over, less the length difference.
        self.margin_floor = 2 * beam_width - 4 - abs(n_ref - n_hyp)
        self.margin: int | None = None

    def _margin(self) -> int:
        """The least cost of a path through a cell outside the beam (infinity when the beam is everything).

        A path through cell ``(i, j)`` costs at least ``|i - j|`` to reach it and ``|(n_hyp - i) -
        (n_ref - j)|`` from it on (each insertion or deletion moves the diagonal by one). That sum is
        convex in ``j``, so over a run of cells outside the beam it is least at an end of the run or
        at one of its two breakpoints.
        """
        n_hyp, n_ref, lo, hi = self.n_hyp, self.n_ref, self.lo, self.hi
        shift = n_ref - n_hyp
        margin = _INT_INFINITY
        for i in range(1, n_hyp + 1):
            runs = []
            if lo[i] > 0:
                runs.append((0, lo[i] - 1))
            if hi[i] <= n_ref:
                runs.append((hi[i], n_ref))
            for first, last in runs:
                for j in (first, last, min(max(i, first), last), min(max(i + shift, first), last)):
                    margin = min(margin, abs(i - j) + abs(i + shift - j))
        return margin

    def _row(self, prev: list[int], i: int, word: int) -> list[int]:
        """Row ``i`` of the matrix from row ``i - 1`` for hypothesis word ``word`` (costs only).

        Inside the beam each cell is ``min(sub, del, ins)``; a cell no path reaches holds a value
        ``>= _INT_INFINITY`` (sacrebleu holds exactly that value there), which no comparison with a
        reachable cell's cost picks.
        """
        a = self.lo[i]
        b = self.hi[i]
        nq = self.neq[word]
        if a == 0:
            left = prev[0] + 1
            out = [left]
            a = 1
        else:
            left = _INT_INFINITY
            out = []
        append = out.append
        for diag, up, cost in zip(prev[a - 1 : b - 1], prev[a:b], nq[a - 1 : b - 1]):
            c = diag + cost
            up += 1
            if up < c:
                c = up
            left += 1
            if left < c:
                c = left
            else:
                left = c
            append(c)
        a = self.lo[i]
        if a or b <= self.n_ref:
            infs = self.infs
            return infs[:a] + out + infs[: self.n_ref + 1 - b]
        return out

    def _backward(self, hyp: list[int], back: list[list[int] | None], down_to: int) -> None:
        """Fill ``back[i]`` for ``i >= down_to``: per cell of row ``i``, the cheapest path to the last cell.

        Paths stay inside the beam, as the forward rows' do; ``back[n_hyp]`` is set already.
        """
        n_ref, lo, hi, neq, infs = self.n_ref, self.lo, self.hi, self.neq, self.infs
        known = down_to
        while back[known] is None:
            known += 1
        nxt: list[int] = back[known]  # type: ignore[assignment]
        for i in range(known - 1, down_to - 1, -1):
            a, b = (lo[i], hi[i]) if i else (0, n_ref + 1)
            nq = neq[hyp[i]]
            top = b - 1
            if top == n_ref:  # the last column: only a deletion leads on
                right = nxt[n_ref] + 1
                vals = [right]
            else:
                right = _INT_INFINITY
                vals = []
            append = vals.append
            for down, diag, cost in zip(reversed(nxt[a:top]), reversed(nxt[a + 1 : top + 1]), reversed(nq[a:top])):
                c = diag + cost
                down += 1
                if down < c:
                    c = down
                right += 1
                if right < c:
                    c = right
                else:
                    right = c
                append(c)
            vals.reverse()
            nxt = infs[:a] + vals + infs[b:] if a or b <= n_ref else vals
            back[i] = nxt

    def _forward(self, hyp: list[int]) -> tuple[list[list[int]], list[Any]]:
        """Every row of ``hyp``'s matrix, and the cache node of each prefix (``None`` past the cache)."""
        rows = [self.row0]
        nodes: list[Any] = [self.cache]
        node: Any = self.cache
        row = self.row0
        for i, word in enumerate(hyp, 1):
            entry = node.get(word) if node is not None else None
            if entry is not None:
                node, row = entry
            else:
                row = self._row(row, i, word)
                if node is not None and self.cache_size < _MAX_CACHE_SIZE:
                    child: dict[int, Any] = {}
                    node[word] = (child, row)
                    self.cache_size += 1
                    node = child
                else:
                    node = None
            rows.append(row)
            nodes.append(node)
        return rows, nodes

    def _alignment(self, hyp: list[int], rows: list[list[int]]) -> tuple[list[int], list[int], list[int]]:
        """sacrebleu's ``trace_to_alignment`` of the flipped trace: ``(align, ref_err, hyp_err)``.

        The trace is read back from the last cell; each cell's operation is the first of
        substitution/no-op, deletion, insertion whose cost is below the cell's initial infinity and
        below the ones before it, as sacrebleu's matrix recorded it.
        """
        ref, lo, hi = self.ref, self.lo, self.hi
        inf = _INT_INFINITY
        i, j = self.n_hyp, self.n_ref
        ops: list[str] = []
        while i > 0 or j > 0:
            if i == 0:
                op = _INS
            elif not lo[i] <= j < hi[i]:
                raise ValueError(f"TER trace left the beam at ({i}, {j})")
            elif j == 0:
                op = _DEL
            else:
                prev, row = rows[i - 1], rows[i]
                same = hyp[i - 1] == ref[j - 1]
                best, op = inf, "x"
                cost = prev[j - 1] + (0 if same else 1)
                if best > cost:
                    best, op = cost, (_NOP if same else _SUB)
                cost = prev[j] + 1
                if best > cost:
                    best, op = cost, _DEL
                cost = row[j - 1] + 1
                if best > cost:
                    best, op = cost, _INS
                if op == "x":
                    raise ValueError(f"TER trace reached an unset cell ({i}, {j})")
            ops.append(op)
            if op == _INS:
                j -= 1
            elif op == _DEL:
                i -= 1
            else:
                i -= 1
                j -= 1
        return _trace_to_alignment(ops)

    def _prepare_banded(self, hyp: list[int]) -> tuple[int, list[int], list[int], list[int], Callable[..., int]]:
        """The beam distance of ``hyp``, its alignment, and a scorer of shifted copies of it.

        The scorer takes the shifted words and the span ``begin:end`` outside which they equal
        ``hyp``'s; it computes the rows of that span (from cached prefixes where it can) and joins
        them to ``hyp``'s backward rows at ``end``.
        """
        n_hyp, n_ref = self.n_hyp, self.n_ref
        if not self.neq:
            self.neq = [[0 if r == w else 1 for r in self.ref] for w in range(self.other + 1)]
        rows, nodes = self._forward(hyp)
        pre_score = rows[n_hyp][n_ref]
        align, ref_err, hyp_err = self._alignment(hyp, rows)
        back: list[list[int] | None] = [None] * n_hyp + [[n_ref - j for j in range(n_ref + 1)]]
        make_row = self._row
        inf = _INT_INFINITY

        def score(shifted: list[int], begin: int, end: int) -> int:
            node = nodes[begin]
            row = rows[begin]
            k = begin
            while node is not None and k < end:
                entry = node.get(shifted[k])
                if entry is None:
                    break
                node, row = entry
                k += 1
            while k < end:
                word = shifted[k]
                k += 1
                row = make_row(row, k, word)
                if node is not None:
                    if self.cache_size < _MAX_CACHE_SIZE:
                        child: dict[int, Any] = {}
                        node[word] = (child, row)
                        self.cache_size += 1
                        node = child
                    else:
                        node = None
            if end == n_hyp:
                value = row[n_ref]
            else:
                after = back[end]
                if after is None:
                    self._backward(hyp, back, end)
                    after = back[end]
                value = min(map(add, row, after))  # type: ignore[arg-type]
            return inf if value > inf else value

        return pre_score, align, ref_err, hyp_err, score

    def _prepare_bits(self, hyp: list[int]) -> tuple[int, list[int], list[int], list[int], Callable[..., int]] | None:
        """As :meth:`_prepare_banded`, with Levenshtein distances from bit vectors (``None`` where they may differ).

        Myers' bit-vector algorithm (Hyyro's formulation for the global distance) runs a matrix row
        in a dozen integer operations: bit ``j - 1`` of ``vp``/``vn`` says that cell ``j`` is one
        more/one less than cell ``j - 1``. It ignores the beam, so it is used only while the
        distance is below :attr:`margin`, the least cost of any path through a cell outside the
        beam: then every path that costs the distance or less stays inside the beam, the beam
        distance equals it, and so does every cost the read-back compares along the way (any
        cheaper-or-equal path through the cell it looks at would be such a path). A shifted copy
        whose distance reaches the margin costs more than ``hyp`` and can never be the chosen shift.
        """
        n_hyp, mask, peq = self.n_hyp, self.mask, self.peq
        vp, vn = mask, 0
        vps, vns, d0s, hps = [vp], [vn], [0], [0]
        for word in hyp:
            x = peq[word] | vn
            d0 = (((vp + (x & vp)) ^ vp) | x) & mask
            hn = vp & d0
            hp = vn | (~(vp | d0) & mask)
            x = ((hp << 1) | 1) & mask
            vn = x & d0
            vp = ((hn << 1) | ~(x | d0)) & mask
            vps.append(vp)
            vns.append(vn)
            d0s.append(d0)
            hps.append(hp)
        pre_score = n_hyp + vp.bit_count() - vn.bit_count()
        if pre_score >= self.margin_floor:
            if self.margin is None:
                self.margin = self._margin()
            if pre_score >= self.margin:
                return None
        # The read-back: a match is a no-op; otherwise a substitution where the diagonal step
        # costs 1 (d0 clear), else a deletion where the cell is one more than the one above (hp),
        # else an insertion.
        ref = self.ref
        i, j = n_hyp, self.n_ref
        ops: list[str] = []
        while i > 0 or j > 0:
            if i == 0:
                ops.append(_INS)
                j -= 1
            elif j == 0:
                ops.append(_DEL)
                i -= 1
            elif hyp[i - 1] == ref[j - 1]:
                ops.append(_NOP)
                i -= 1
                j -= 1
            elif not (d0s[i] >> (j - 1)) & 1:
                ops.append(_SUB)
                i -= 1
                j -= 1
            elif (hps[i] >> (j - 1)) & 1:
                ops.append(_DEL)
                i -= 1
            else:
                ops.append(_INS)
                j -= 1
        align, ref_err, hyp_err = _trace_to_alignment(ops)

        def score(shifted: list[int], begin: int, end: int) -> int:
            vp = vps[begin]
            vn = vns[begin]
            for k in range(begin, n_hyp):
                x = peq[shifted[k]] | vn
                d0 = (((vp + (x & vp)) ^ vp) | x) & mask
                hn = vp & d0
                hp = vn | (~(vp | d0) & mask)
                x = ((hp << 1) | 1) & mask
                vn = x & d0
                vp = ((hn << 1) | ~(x | d0)) & mask
                if k >= end - 1 and vp == vps[k + 1] and vn == vns[k + 1]:
                    return pre_score  # the same row as hyp's over the same remaining words
            return n_hyp + vp.bit_count() - vn.bit_count()

        return pre_score, align, ref_err, hyp_err, score

    def _shift(self, hyp: list[int], checked: int, bits: bool) -> tuple[int, int, list[int], int] | None:
        """sacrebleu's ``_shift``: ``(distance of hyp, gain of the best shift, shifted words, checked)``.

        ``None`` when ``bits`` was asked for but the bit-vector distance may differ from the beam's.
        """
        n_hyp, n_ref, ref = self.n_hyp, self.n_ref, self.ref
        prepared = self._prepare_bits(hyp) if bits else self._prepare_banded(hyp)
        if prepared is None:
            return None
        pre_score, align, ref_err, hyp_err, score = prepared
        hyp_cum = [0]
        for e in hyp_err:
            hyp_cum.append(hyp_cum[-1] + e)
        ref_cum = [0]
        for e in ref_err:
            ref_cum.append(ref_cum[-1] + e)
        where = self.where

        best: tuple[int, int, int, int] | None = None
        best_shift = (0, 0, 0)
        for start_h in range(n_hyp):
            for start_r in where[hyp[start_h]]:
                if abs(start_r - start_h) > _MAX_SHIFT_DIST:
                    continue
                length = 0
                while hyp[start_h + length] == ref[start_r + length] and length < _MAX_SHIFT_SIZE:
                    length += 1
                    # ---- the body of sacrebleu's loop over _find_shifted_pairs ----
                    if (
                        hyp_cum[start_h + length] != hyp_cum[start_h]
                        and ref_cum[start_r + length] != ref_cum[start_r]
                        and not start_h <= align[start_r] < start_h + length
                    ):
                        prev_idx = -1
                        for offset in range(-1, length):
                            at = start_r + offset
                            if at == -1:
                                idx = 0
                            elif at < n_ref:
                                idx = align[at] + 1
                            else:
                                break
                            if idx == prev_idx:
                                continue
                            prev_idx = idx
                            # The shifted words equal hyp's before `begin` and from `end` on.
                            if idx < start_h:
                                begin, end = idx, start_h + length
                            elif idx > start_h + length:
                                begin, end = start_h, idx
                            else:
                                begin, end = start_h, min(n_hyp, idx + length)
                            if end <= begin:
                                value = pre_score
                            else:
                                value = score(_perform_shift(hyp, start_h, length, idx), begin, end)
                            checked += 1
                            candidate = (pre_score - value, length, -start_h, -idx)
                            if best is None or candidate > best:
                                best = candidate
                                best_shift = (start_h, length, idx)
                        if checked >= _MAX_SHIFT_CANDIDATES:
                            return pre_score, 0, hyp, checked
                    # ----
                    if n_hyp == start_h + length or n_ref == start_r + length:
                        break
        if best is None:
            return pre_score, 0, hyp, checked
        return pre_score, best[0], _perform_shift(hyp, *best_shift), checked

    def run(self, hyp: list[int], *, bits: bool = True) -> int:
        """sacrebleu's ``translation_edit_rate`` loop: shifts while they help, then the distance."""
        shifts = 0
        checked = 0
        while True:
            shifted = self._shift(hyp, checked, bits)
            if shifted is None:  # the bit vectors do not apply to this sentence (only tried first)
                bits = False
                continue
            distance, delta, hyp_next, checked = shifted
            if checked >= _MAX_SHIFT_CANDIDATES or delta <= 0:
                return shifts + distance
            shifts += 1
            hyp = hyp_next


def fast_ter(**kwargs: Any) -> TER:
    """A :class:`FastTER` (sacrebleu's ``TER`` with :func:`translation_edit_rate`); imports sacrebleu."""
    return _fast_ter_class()(**kwargs)


def __getattr__(name: str) -> Any:
    # FastTER subclasses sacrebleu's TER, so it is made on first use: importing this module (and
    # compare) does not import sacrebleu.
    if name == "FastTER":
        return _fast_ter_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_CLASS: Any = None


def _fast_ter_class() -> Any:
    global _CLASS
    if _CLASS is None:
        from sacrebleu.metrics import TER

        class FastTER(TER):  # type: ignore[misc]
            """sacrebleu's TER, its segment statistics from :func:`translation_edit_rate`."""

            def _compute_segment_statistics(self, hypothesis: str, ref_kwargs: dict[str, Any]) -> list[float]:
                ref_lengths = 0
                best_num_edits = int(1e16)
                words_hyp = hypothesis.split()
                ref_words = ref_kwargs["ref_words"]
                for words_ref in ref_words:
                    num_edits, ref_len = translation_edit_rate(words_hyp, words_ref)
                    ref_lengths += ref_len
                    if num_edits < best_num_edits:
                        best_num_edits = num_edits
                return [best_num_edits, ref_lengths / len(ref_words)]

        FastTER.__module__ = __name__
        FastTER.__qualname__ = "FastTER"
        _CLASS = FastTER
    return _CLASS
