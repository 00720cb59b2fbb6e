"""Tidy and summary exports of an analysed result: CSV, JSON Lines, Markdown and LaTeX.

CSV and JSON Lines hold one row per loaded-term occurrence and path (:func:`compare.tables.tidy`);
Markdown and LaTeX hold the summary for a paper: per concept and path each outcome's count, rate and
confidence interval and the framing tallies, then the metrics per path, the paired comparisons, and
both signatures. Cells are user text and escaped for the format, never interpreted.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..tables import STATUSES, metric_rows, summary, tidy

if TYPE_CHECKING:
    from ..results import RoundTrip
    from ..sampling import Stability

FRAMING_HEADERS = (("softened", "softened"), ("intensified", "intensified"), ("same_frame", "same-frame swap"))


def to_jsonl(result: RoundTrip) -> str:
    return _jsonl(tidy(result))


def to_csv(result: RoundTrip) -> str:
    return _csv(tidy(result))


def _jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def _csv(rows: list[dict[str, Any]]) -> str:
    """Rows as CSV, the columns in order of first appearance."""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def _rate(row: dict[str, Any], status: str) -> str:
    count, rate = row[status], row[f"{status}_rate"]
    if rate is None:
        return str(count) if count else "·"
    text = f"{count} ({100 * rate:.1f} %"
    low, high = row[f"{status}_ci_low"], row[f"{status}_ci_high"]
    if low is not None and high is not None:
        text += f" [{100 * low:.1f}, {100 * high:.1f}]"
    return text + ")"


def _summary_cells(result: RoundTrip) -> tuple[list[str], list[list[str]]]:
    header = ["concept", "path", "n", *STATUSES, *(label for _, label in FRAMING_HEADERS)]
    body = [
        [row["concept"], row["path"], str(row["source_occurrences"])]
        + [_rate(row, s) for s in STATUSES]
        + [str(row[k]) for k, _ in FRAMING_HEADERS]
        for row in summary(result)
    ]
    return header, body


def _metric_cells(result: RoundTrip) -> tuple[list[str], list[list[str]]]:
    rows = metric_rows(result)
    names = list(dict.fromkeys(k for row in rows for k in row if k != "path"))
    if not names:
        return [], []
    body = [
        [row["path"]]
        + ["—" if row.get(n) is None else (f"{row[n]:.3f}" if n == "semantic" else f"{row[n]:.1f}") for n in names]
        for row in rows
    ]
    return ["path", *names], body


def _comparison_cells(result: RoundTrip) -> tuple[list[str], list[list[str]]]:
    analysis = result.analysis
    body: list[list[str]] = []
    for c in analysis.comparisons if analysis is not None else ():
        if c.metrics is not None:
            for s in c.metrics.scores:
                p = "identical" if c.metrics.differing_segments == 0 else f"{s.p_value:.4f}"
                body.append([c.a, c.b, s.metric, f"{s.baseline:.1f}", f"{s.system:.1f}", p])
        r = c.shift_rate
        pct = lambda v: "—" if v is None else f"{100 * v:.1f} %"  # noqa: E731
        p = "identical" if r.differing_segments == 0 else ("—" if r.p_value is None else f"{r.p_value:.4f}")
        body.append([c.a, c.b, "shift rate", pct(r.rate_a), pct(r.rate_b), p])
    return ["a", "b", "measure", "a", "b", "p"], body


def _cell_note(result: RoundTrip) -> str:
    analysis = result.analysis
    if analysis is None or analysis.statistics is None:
        return "Cells: counts."
    conf = f"{100 * analysis.statistics.settings.confidence:g} %"
    return (
        f"Cells: count (rate [{conf} CI]); rates of kept, variant, replaced, dropped over the n source "
        "occurrences, of added over back-translation occurrences; CIs by percentile bootstrap over segments."
    )


def _notes(result: RoundTrip) -> list[str]:
    notes = [_cell_note(result), f"Translation signature: {result.signature}"]
    analysis = result.analysis
    if analysis is not None:
        notes.append(f"Analysis signature: {analysis.signature}")
    return notes


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_table(header: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(_md_escape(h) for h in header) + " |"]
    lines.append("|" + "|".join("---" if i < 2 else "---:" for i in range(len(header))) + "|")
    lines += ["| " + " | ".join(_md_escape(c) for c in row) + " |" for row in body]
    return "\n".join(lines) + "\n"


def to_markdown(result: RoundTrip) -> str:
    parts = ["## Outcomes per concept and path\n", _md_table(*_summary_cells(result))]
    header, body = _metric_cells(result)
    if body:
        parts += ["\n## Metrics (back-translation against source)\n", _md_table(header, body)]
    header, body = _comparison_cells(result)
    if body:
        parts += ["\n## Paired comparisons\n", _md_table(header, body)]
    parts += ["\n" + "\n\n".join(_md_escape(n) for n in _notes(result)) + "\n"]
    return "\n".join(parts)


_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    ">": r"\textgreater{}",
    "<": r"\textless{}",
}


def latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIALS.get(c, c) for c in text.replace("\n", " "))


def _latex_table(caption: str, header: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    spec = "ll" + "r" * (len(header) - 2)
    lines = [
        r"\begin{table}[ht]",
        r"\centering",
        r"\small",
        rf"\begin{{tabular}}{{{spec}}}",
        r"\hline",
        " & ".join(latex_escape(h) for h in header) + r" \\",
        r"\hline",
    ]
    lines += [" & ".join(latex_escape(c) for c in row) + r" \\" for row in body]
    lines += [r"\hline", r"\end{tabular}", rf"\caption{{{latex_escape(caption)}}}", r"\end{table}"]
    return "\n".join(lines) + "\n"


def to_latex(result: RoundTrip) -> str:
    notes = _notes(result)
    parts = [_latex_table("Outcomes per concept and path. " + notes[0], *_summary_cells(result))]
    header, body = _metric_cells(result)
    if body:
        parts.append(_latex_table("Back-translation against source, corpus level (sacrebleu).", header, body))
    header, body = _comparison_cells(result)
    if body:
        parts.append(_latex_table("Paired comparisons on the same segments.", header, body))
    parts.append("".join(f"% {latex_escape(n)}\n" for n in notes[1:]))
    return "\n".join(parts)


RENDERERS = {"jsonl": to_jsonl, "csv": to_csv, "md": to_markdown, "latex": to_latex}


def render(result: RoundTrip, fmt: str) -> str:
    """``result`` (analysed) in ``fmt``: ``csv``, ``jsonl``, ``md`` or ``latex``."""
    return RENDERERS[fmt](result)


def render_stability(stability: Stability, fmt: str) -> str:
    """``--samples`` as CSV or JSON Lines: one row per term, path and outcome, with its count."""
    from ..sampling import stability_rows

    rows = stability_rows(stability)
    return _jsonl(rows) if fmt == "jsonl" else _csv(rows)
