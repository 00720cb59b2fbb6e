#!/usr/bin/env python3
"""Score the shift tracer against the hand-judged gold set in tests/data/gold (see its README).

Every gold row is one (text, pivot, source occurrence) of a loaded term, or an ``added`` term, judged
by hand on real Apertium round trips: the outcome, the pivot span and the back-translation span. The
script runs the same round trips (the translations are checked against the recorded ones) and prints:

- shift-row precision: of the rows the tracer reports as a shift (anything but ``kept``), the share
  that the gold set has with the same outcome (and the same framing change for a variant);
- shift-row recall: of the gold shift rows, the share the tracer reports with the same outcome;
- outcome accuracy over all gold rows, detection recall and precision of source occurrences, and
  pivot-span accuracy (the same content words as the judged span, in the pivot language).

    python scripts/gold_shifts.py [--gold DIR] [--pivots es,ca] [--show-errors 20] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOLD = ROOT / "tests" / "data" / "gold"


@dataclass
class Score:
    """Counts over the gold set; ``errors`` holds one line per disagreement."""

    rows: int = 0
    outcome_right: int = 0
    reported_shifts: int = 0
    reported_shifts_right: int = 0
    gold_shifts: int = 0
    gold_shifts_found: int = 0
    gold_source: int = 0
    gold_source_found: int = 0
    reported_source: int = 0
    reported_source_in_gold: int = 0
    pivot_spans: int = 0
    pivot_spans_right: int = 0
    translations_changed: int = 0
    by_outcome: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    @staticmethod
    def ratio(a: int, b: int) -> float | None:
        return a / b if b else None

    def summary(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "shift_precision": self.ratio(self.reported_shifts_right, self.reported_shifts),
            "shift_recall": self.ratio(self.gold_shifts_found, self.gold_shifts),
            "outcome_accuracy": self.ratio(self.outcome_right, self.rows),
            "detection_recall": self.ratio(self.gold_source_found, self.gold_source),
            "detection_precision": self.ratio(self.reported_source_in_gold, self.reported_source),
            "pivot_span_accuracy": self.ratio(self.pivot_spans_right, self.pivot_spans),
            "reported_shifts": self.reported_shifts,
            "gold_shifts": self.gold_shifts,
            "translations_changed": self.translations_changed,
        }


def load_gold(gold: Path = GOLD) -> list[dict[str, Any]]:
    rows = []
    for line in (gold / "shifts.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows


def _nth(items: list[Any], nth: int) -> Any:
    return items[nth] if 0 <= nth < len(items) else None


def _same_outcome(gold: dict[str, Any], shift: Any) -> bool:
    if gold["outcome"] != shift.status:
        return False
    if shift.status == "variant":
        # The gold set was judged when a same-frame swap was called "neutral" (now "same_frame").
        wanted = "same_frame" if gold.get("frame_change") == "neutral" else gold.get("frame_change")
        return wanted == shift.frame_change
    if shift.status == "replaced" and gold.get("back_concept") and gold.get("back_concept") != gold["concept"]:
        return gold["back_concept"] == shift.back_concept
    return True


def score(gold: Path = GOLD, pivots: list[str] | None = None, cache: Path | bool = False, lexicon: Any = None) -> Score:
    """Run the gold set's round trips and compare the tracer's rows with the judged ones."""
    import compare
    from compare.align import content_lemmas

    rows = load_gold(gold)
    recorded = {}
    for line in (gold / "translations.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            t = json.loads(line)
            recorded[(t["file"], t["pivot"], int(t["segment"]))] = t
    by_run: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if pivots is None or row["pivot"] in pivots:
            by_run[(row["file"], row["pivot"])].append(row)
    result = Score()
    for (name, pivot), judged in sorted(by_run.items()):
        text = (gold / "texts" / name).read_text(encoding="utf-8")
        run = compare.roundtrip(text, "en", via=[pivot], cache=cache, lexicon=lexicon, metrics=None)
        path = run.paths[0]
        for seg in run.segments:
            rec = recorded.get((name, pivot, seg.id))
            if rec and (rec["pivot_text"], rec["back_text"]) != (
                path.hops[0].segments[seg.id],
                path.back.segments[seg.id],
            ):
                result.translations_changed += 1
        shifts = sorted(
            run.analysis.path(path.name).shifts, key=lambda s: (s.segment, (s.source_span or s.back_span or (0, 0))[0])
        )
        matched: set[int] = set()
        for g in judged:
            result.rows += 1
            result.by_outcome[g["outcome"]] += 1
            seg = int(g["segment"])
            if g["outcome"] == "added":
                same = [
                    k
                    for k, s in enumerate(shifts)
                    if s.segment == seg and s.status == "added" and s.back_text == g["back_span"]
                ]
            else:
                same = [
                    k
                    for k, s in enumerate(shifts)
                    if s.segment == seg and s.source_text == g["source"] and s.status != "added"
                ]
                result.gold_source += 1
            k = _nth(same, int(g.get("nth") or 0))
            where = f"{name} {pivot} seg {seg} {g.get('source') or g.get('back_span')!r}"
            shift = shifts[k] if k is not None else None
            if shift is not None:
                matched.add(k)
                if g["outcome"] != "added":
                    result.gold_source_found += 1
            right = shift is not None and _same_outcome(g, shift)
            result.outcome_right += right
            if g["outcome"] != "kept":
                result.gold_shifts += 1
                result.gold_shifts_found += right
            if shift is None:
                result.errors.append(f"{where}: gold {g['outcome']}, not reported")
                continue
            if not right:
                result.errors.append(
                    f"{where}: gold {g['outcome']} {g.get('frame_change') or ''} ({g.get('reason', '')}), "
                    f"reported {shift.status} {shift.frame_change or ''} back={shift.back_text or shift.replacement!r}"
                )
            if g["outcome"] != "added":
                result.pivot_spans += 1
                predicted = shift.pivot_texts[0] if shift.pivot_texts else None
                wanted = g.get("pivot_span")
                same_span = (predicted is None and wanted is None) or (
                    predicted is not None
                    and wanted is not None
                    and content_lemmas(predicted, pivot) == content_lemmas(wanted, pivot)
                )
                result.pivot_spans_right += same_span
                if not same_span:
                    result.errors.append(f"{where}: pivot span {predicted!r}, gold {wanted!r}")
        for k, s in enumerate(shifts):
            if s.status != "added":
                result.reported_source += 1
                result.reported_source_in_gold += k in matched
            if s.status != "kept":
                result.reported_shifts += 1
                result.reported_shifts_right += any(_row_for(g, s, shifts, k) and _same_outcome(g, s) for g in judged)
            if k not in matched:
                result.errors.append(
                    f"{name} {pivot} seg {s.segment}: reported {s.status} {s.source_text or s.back_text!r}, not in gold"
                )
    return result


def _row_for(g: dict[str, Any], s: Any, shifts: list[Any], k: int) -> bool:
    """Whether gold row ``g`` is the one that reported row ``shifts[k]`` stands for."""
    if int(g["segment"]) != s.segment:
        return False
    if g["outcome"] == "added" or s.status == "added":
        if not (g["outcome"] == "added" and s.status == "added" and g.get("back_span") == s.back_text):
            return False
        same = [
            j
            for j, x in enumerate(shifts)
            if x.segment == s.segment and x.status == "added" and x.back_text == s.back_text
        ]
    else:
        if g.get("source") != s.source_text:
            return False
        same = [
            j
            for j, x in enumerate(shifts)
            if x.segment == s.segment and x.source_text == s.source_text and x.status != "added"
        ]
    return _nth(same, int(g.get("nth") or 0)) == k


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--pivots", help="comma-separated pivots (default: all in the gold set)")
    parser.add_argument("--show-errors", type=int, default=0, metavar="N")
    parser.add_argument("--cache-dir", type=Path, help="translation cache (default: a temporary one)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    pivots = args.pivots.split(",") if args.pivots else None
    with tempfile.TemporaryDirectory() as tmp:
        result = score(args.gold, pivots, args.cache_dir or Path(tmp))
    summary = result.summary()
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print("| measure | value |\n|---|---:|")
        for key, value in summary.items():
            shown = f"{100 * value:.1f} %" if isinstance(value, float) else str(value)
            print(f"| {key.replace('_', ' ')} | {shown} |")
        print("\ngold rows per outcome: " + ", ".join(f"{k} {v}" for k, v in sorted(result.by_outcome.items())))
    for line in result.errors[: args.show_errors]:
        print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
