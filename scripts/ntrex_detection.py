#!/usr/bin/env python3
"""How well the lexicon and matcher detect concepts in real human translations (NTREX-128).

Every ``newstest2019-ref.LANG.txt`` line is a professional translation of the same line of
``newstest2019-src.eng.txt``. For each language, over (line, concept) pairs:

- recall: of the pairs found in the English line, the share also found in the reference line;
- precision: of the pairs found in the reference line, the share also found in the English line.

Only watched forms count (as ``find_terms`` reports them). NTREX is general news, so the war
vocabulary of the default lexicon is rare there; "government" dominates the counts. A second table
gives the same figures per concept, over all languages.

    python scripts/ntrex_detection.py [--corpus DIR] [--langs arb,deu] [--lexicon extra.yaml]
                                      [--show-misses 5] [--by-concept]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compare.errors import MtcompareError  # noqa: E402
from compare.lexicon import Lexicon  # noqa: E402
from compare.matching import Occurrence, matcher_for  # noqa: E402

SOURCE = "newstest2019-src.eng.txt"


@dataclass
class LanguageScore:
    lang: str
    lines: int = 0
    en_lines_with_concept: int = 0
    en_pairs: int = 0
    ref_pairs: int = 0
    shared: int = 0
    seconds: float = 0.0
    misses: list[tuple[int, str, str, str]] = field(default_factory=list)  # line, concept, en, ref
    false_hits: list[tuple[int, str, str, str]] = field(default_factory=list)
    per_concept: Counter[tuple[str, str]] = field(default_factory=Counter)  # (concept, en|ref|shared)

    @property
    def recall(self) -> float | None:
        return self.shared / self.en_pairs if self.en_pairs else None

    @property
    def precision(self) -> float | None:
        return self.shared / self.ref_pairs if self.ref_pairs else None


def read_languages(corpus: Path) -> list[str]:
    langs = []
    for line in (corpus / "LANGUAGES.tsv").read_text(encoding="utf-8").splitlines():
        code = line.split()[0] if line.strip() else ""
        if code and (corpus / f"newstest2019-ref.{code}.txt").exists():
            langs.append(code)
    return langs


def concepts(occurrences: list[Occurrence]) -> set[str]:
    return {o.concept for o in occurrences}


def describe(occurrences: list[Occurrence], concept: str) -> str:
    return ", ".join(f"{o.text!r}={o.form}" for o in occurrences if o.concept == concept)


def score_language(
    code: str, english: list[str], english_occ: list[list[Occurrence]], corpus: Path, lexicon: Lexicon
) -> LanguageScore:
    reference = (corpus / f"newstest2019-ref.{code}.txt").read_text(encoding="utf-8").split("\n")
    if reference and reference[-1] == "":
        reference.pop()
    if len(reference) != len(english):
        raise SystemExit(f"{code}: {len(reference)} lines, but the English source has {len(english)}")
    matcher = matcher_for(code, lexicon)
    score = LanguageScore(code, lines=len(reference))
    started = time.perf_counter()
    ref_occ = [matcher.find(line) for line in reference]
    score.seconds = time.perf_counter() - started
    for no, (en_line, ref_line, en_o, ref_o) in enumerate(zip(english, reference, english_occ, ref_occ), start=1):
        en_c, ref_c = concepts(en_o), concepts(ref_o)
        score.en_lines_with_concept += bool(en_c)
        score.en_pairs += len(en_c)
        score.ref_pairs += len(ref_c)
        score.shared += len(en_c & ref_c)
        for c in en_c:
            score.per_concept[(c, "en")] += 1
        for c in ref_c:
            score.per_concept[(c, "ref")] += 1
        for c in en_c & ref_c:
            score.per_concept[(c, "shared")] += 1
        for c in sorted(en_c - ref_c):
            score.misses.append((no, c, f"{en_line}  [{describe(en_o, c)}]", ref_line))
        for c in sorted(ref_c - en_c):
            score.false_hits.append((no, c, en_line, f"{ref_line}  [{describe(ref_o, c)}]"))
    return score


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}"


def render_table(scores: list[LanguageScore]) -> str:
    header = "| lang | lines | EN lines with a concept | EN pairs | ref pairs | shared | recall % | precision % |"
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|"
    rows = [header, rule]
    total = LanguageScore("all")
    for s in scores:
        rows.append(
            f"| {s.lang} | {s.lines} | {s.en_lines_with_concept} | {s.en_pairs} | {s.ref_pairs} | {s.shared} "
            f"| {percent(s.recall)} | {percent(s.precision)} |"
        )
        total.en_pairs += s.en_pairs
        total.ref_pairs += s.ref_pairs
        total.shared += s.shared
    rows.append(
        f"| all | | | {total.en_pairs} | {total.ref_pairs} | {total.shared} "
        f"| {percent(total.recall)} | {percent(total.precision)} |"
    )
    return "\n".join(rows)


def render_concepts(scores: list[LanguageScore]) -> str:
    """Per concept over all languages: the (line, concept) pairs of every language added up."""
    names = sorted({c for s in scores for c, _ in s.per_concept})
    rows = [
        "| concept | EN pairs | ref pairs | shared | recall % | precision % |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in names:
        en = sum(s.per_concept[(name, "en")] for s in scores)
        ref = sum(s.per_concept[(name, "ref")] for s in scores)
        shared = sum(s.per_concept[(name, "shared")] for s in scores)
        recall = shared / en if en else None
        precision = shared / ref if ref else None
        rows.append(f"| {name} | {en} | {ref} | {shared} | {percent(recall)} | {percent(precision)} |")
    return "\n".join(rows)


def render_by_concept(scores: list[LanguageScore]) -> str:
    names = sorted({c for s in scores for c, _ in s.per_concept})
    lines = ["| lang | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for s in scores:
        cells = [
            f"{s.per_concept[(c, 'shared')]}/{s.per_concept[(c, 'en')]}/{s.per_concept[(c, 'ref')]}" for c in names
        ]
        lines.append(f"| {s.lang} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n(cells: shared/EN/reference (line, concept) pairs)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "ntrex")
    parser.add_argument("--langs", help="comma-separated NTREX codes (default: every one in LANGUAGES.tsv here)")
    parser.add_argument("--lexicon", action="append", default=[], help="extra lexicon file (repeatable)")
    parser.add_argument("--no-default", action="store_true", help="do not load the default lexicon first")
    parser.add_argument("--show-misses", type=int, default=0, metavar="N", help="print N misses and false hits")
    parser.add_argument("--by-concept", action="store_true", help="also print counts per concept")
    args = parser.parse_args(argv)

    try:
        lexicon = Lexicon.load(*args.lexicon, include_default=not args.no_default)
        langs = args.langs.split(",") if args.langs else read_languages(args.corpus)
        english = (args.corpus / SOURCE).read_text(encoding="utf-8").split("\n")
        if english and english[-1] == "":
            english.pop()
        en_matcher = matcher_for("en", lexicon)
        started = time.perf_counter()
        english_occ = [en_matcher.find(line) for line in english]
        en_seconds = time.perf_counter() - started
        scores = [score_language(code, english, english_occ, args.corpus, lexicon) for code in langs]
    except MtcompareError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except FileNotFoundError as exc:
        print(f"error: {exc.filename} not found; pass --corpus DIR (the NTREX folder)", file=sys.stderr)
        return 2

    print(render_table(scores))
    print()
    print(render_concepts(scores))
    slowest = max([en_seconds] + [s.seconds for s in scores])
    print(f"\n{len(english)} lines per language; slowest language matched in {slowest:.2f} s")
    if args.by_concept:
        print()
        print(render_by_concept(scores))
    if args.show_misses:
        for s in scores:
            print(f"\n## {s.lang}: {len(s.misses)} misses, {len(s.false_hits)} false hits")
            for no, concept, en_line, ref_line in s.misses[: args.show_misses]:
                print(f"MISS {concept} line {no}\n  en:  {en_line}\n  ref: {ref_line}")
            for no, concept, en_line, ref_line in s.false_hits[: args.show_misses]:
                print(f"FALSE {concept} line {no}\n  en:  {en_line}\n  ref: {ref_line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
