#!/usr/bin/env python3
"""Detection precision and recall on the hand-annotated news paragraphs of ``tests/data/detection``.

Each line of ``tests/data/detection/LANG.jsonl`` is one paragraph written in the style of an outlet
that writes in that language, with every occurrence of a concept annotated by hand (concept, start,
end, text; see that folder's README). The matcher runs on each paragraph (``find_terms``, watched forms
and scare quotes, the paragraph as its own document) and its occurrences are paired one to one with
the annotated ones: a pair is the same concept on overlapping characters. Then, per language and
overall:

- recall: the share of annotated occurrences that the matcher found;
- precision: the share of the matcher's occurrences that are annotated;
- exact: the share of found pairs whose span is exactly the annotated one.

    python scripts/detection_gold.py [--langs ar,he] [--batch 2] [--show-errors] [--data DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compare.lexicon import Lexicon  # noqa: E402
from compare.matching import Occurrence, matcher_for  # noqa: E402

DATA = ROOT / "tests" / "data" / "detection"
LANGS = ["en", "ar", "fa", "ru", "tr", "de", "fr", "es", "ca", "gl", "kmr", "ckb", "he", "zh"]


@dataclass(frozen=True)
class Term:
    concept: str
    start: int
    end: int
    text: str


@dataclass
class Paragraph:
    id: str
    lang: str
    source: str
    text: str
    terms: list[Term]
    not_terms: list[str]
    batch: int = 1


@dataclass
class Score:
    lang: str
    paragraphs: int = 0
    gold: int = 0
    found: int = 0
    matched: int = 0
    exact: int = 0
    misses: list[tuple[Paragraph, Term]] = field(default_factory=list)
    false_hits: list[tuple[Paragraph, Occurrence]] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        return self.matched / self.gold if self.gold else None

    @property
    def precision(self) -> float | None:
        return self.matched / self.found if self.found else None

    def add(self, other: Score) -> None:
        self.paragraphs += other.paragraphs
        self.gold += other.gold
        self.found += other.found
        self.matched += other.matched
        self.exact += other.exact


def load(data: Path = DATA, langs: list[str] | None = None) -> list[Paragraph]:
    """Every annotated paragraph, checked: offsets index the text and annotations do not overlap."""
    paragraphs = []
    for lang in langs or LANGS:
        path = data / f"{lang}.jsonl"
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            d = json.loads(line)
            terms = [Term(t["concept"], t["start"], t["end"], t["text"]) for t in d["terms"]]
            previous_end = 0
            for t in terms:
                if d["text"][t.start : t.end] != t.text or t.start < previous_end:
                    raise ValueError(f"{path}:{no}: annotation {t} does not index the text in order")
                previous_end = t.end
            paragraphs.append(
                Paragraph(
                    d["id"], d["lang"], d.get("source", ""), d["text"], terms, d.get("not_terms", []), d.get("batch", 1)
                )
            )
    return paragraphs


def pair(
    gold: list[Term], found: list[Occurrence]
) -> tuple[list[tuple[Term, Occurrence]], list[Term], list[Occurrence]]:
    """One-to-one pairs of the same concept on overlapping characters, the closest start first."""
    candidates = sorted(
        (abs(g.start - o.start), gi, oi)
        for gi, g in enumerate(gold)
        for oi, o in enumerate(found)
        if g.concept == o.concept and g.start < o.end and o.start < g.end
    )
    used_g: set[int] = set()
    used_o: set[int] = set()
    pairs = []
    for _, gi, oi in candidates:
        if gi in used_g or oi in used_o:
            continue
        used_g.add(gi)
        used_o.add(oi)
        pairs.append((gold[gi], found[oi]))
    misses = [g for i, g in enumerate(gold) if i not in used_g]
    false_hits = [o for i, o in enumerate(found) if i not in used_o]
    return pairs, misses, false_hits


def score(paragraphs: list[Paragraph], lexicon: Lexicon | None = None) -> dict[str, Score]:
    """Scores per language, in the order of ``LANGS``."""
    scores: dict[str, Score] = {}
    for p in paragraphs:
        s = scores.setdefault(p.lang, Score(p.lang))
        found = matcher_for(p.lang, lexicon).find(p.text)
        pairs, misses, false_hits = pair(p.terms, found)
        s.paragraphs += 1
        s.gold += len(p.terms)
        s.found += len(found)
        s.matched += len(pairs)
        s.exact += sum(1 for g, o in pairs if (g.start, g.end) == (o.start, o.end))
        s.misses.extend((p, g) for g in misses)
        s.false_hits.extend((p, o) for o in false_hits)
    order = {lang: i for i, lang in enumerate(LANGS)}
    return dict(sorted(scores.items(), key=lambda kv: order.get(kv[0], len(order))))


def total(scores: dict[str, Score]) -> Score:
    overall = Score("all")
    for s in scores.values():
        overall.add(s)
    return overall


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}"


def render(scores: dict[str, Score]) -> str:
    rows = [
        "| lang | paragraphs | annotated | found | matched | recall % | precision % | exact span % |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in [*scores.values(), total(scores)]:
        exact = s.exact / s.matched if s.matched else None
        rows.append(
            f"| {s.lang} | {s.paragraphs} | {s.gold} | {s.found} | {s.matched} | {percent(s.recall)} "
            f"| {percent(s.precision)} | {percent(exact)} |"
        )
    return "\n".join(rows)


def visible(text: str) -> str:
    """Invisible and control characters written as escapes (\\u00ad, \\x1b), everything else as is."""
    return "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii") for c in text)


def context(text: str, start: int, end: int, width: int = 40) -> str:
    left = text[max(0, start - width) : start]
    right = text[end : end + width]
    return visible(f"…{left}[{text[start:end]}]{right}…")


def render_errors(scores: dict[str, Score]) -> str:
    out = []
    for s in scores.values():
        if not s.misses and not s.false_hits:
            continue
        out.append(f"\n## {s.lang}: {len(s.misses)} misses, {len(s.false_hits)} false hits")
        for p, g in s.misses:
            out.append(f"MISS  {p.id} {g.concept:<10} {context(p.text, g.start, g.end)}")
        for p, o in s.false_hits:
            out.append(f"FALSE {p.id} {o.concept:<10} {context(p.text, o.start, o.end)}  (form {o.form!r})")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="folder of LANG.jsonl files")
    parser.add_argument("--langs", help=f"comma-separated languages (default: {','.join(LANGS)})")
    parser.add_argument("--show-errors", action="store_true", help="print every miss and false hit in context")
    parser.add_argument("--batch", type=int, help="only the paragraphs of this batch (see the data README)")
    args = parser.parse_args(argv)
    langs = args.langs.split(",") if args.langs else None
    try:
        paragraphs = load(args.data, langs)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.batch is not None:
        paragraphs = [p for p in paragraphs if p.batch == args.batch]
    scores = score(paragraphs)
    print(render(scores))
    if args.show_errors:
        print(render_errors(scores))
    return 0


if __name__ == "__main__":
    sys.exit(main())
