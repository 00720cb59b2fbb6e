"""Terminal tables (rich) for round trips, translations, backends and term occurrences."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..results import Path, RoundTrip, Shift


def _mark_unknown(text: str, unknown: Sequence[str]) -> Text:
    """The segment with the words the engine passed through untranslated in bold red."""
    rendered = Text(text)
    for word in set(unknown):
        rendered.highlight_words([word], style="bold red")
    return rendered


def path_table(result: RoundTrip, path: Path) -> Table:
    """Source, each pivot and the back-translation side by side, one row per segment."""
    table = Table(title=f"{path.name}", title_justify="left", show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column(f"source ({result.source_lang})", ratio=1)
    for hop in path.hops:
        label = "back" if hop is path.hops[-1] and len(path.hops) > 1 else "pivot"
        table.add_column(f"{label} ({hop.lang})", ratio=1)
    for seg in result.segments:
        cells = [_mark_unknown(hop.segments[seg.id], hop.unknown[seg.id]) for hop in path.hops]
        table.add_row(str(seg.id), seg.text, *cells)
    table.caption = str(path.signature)
    table.caption_justify = "left"
    return table


_STATUS_STYLE = {
    "kept": "green",
    "variant": "yellow",
    "replaced": "magenta",
    "dropped": "bold red",
    "added": "cyan",
}


def _pivot_cell(form: str | None, text: str | None, found: bool) -> Text:
    """The span the term was translated into; marked when the engine left it unknown or no form is there."""
    if not text:
        return Text("—", style="dim")
    if form == "untranslated":
        return Text(f"{text} (untranslated)", style="red")
    if not found:
        return Text.assemble(text, (" (no term)", "dim"))
    return Text(text)


def _framing_cell(s: Shift) -> str:
    if s.status == "variant":
        return f"{s.frame_change} ({s.source_frame}→{s.back_frame})"
    if s.status == "replaced" and s.back_concept and s.back_concept != s.concept:
        change = f"{s.frame_change} ({s.source_frame}→{s.back_frame})" if s.frame_change else ""
        return f"became {s.back_concept}; {change}" if change else f"became {s.back_concept}"
    return s.frame_change or ""


def shift_table(path: Path) -> Table:
    """Term, pivot form(s), back form, outcome and framing change: one row per occurrence."""
    table = Table(title=f"loaded terms — {path.name}", title_justify="left", expand=True)
    table.add_column("seg", justify="right", no_wrap=True)
    table.add_column("term")
    table.add_column("concept")
    for hop in path.hops[:-1]:
        table.add_column(f"pivot ({hop.lang})")
    table.add_column(f"back ({path.back.lang})")
    table.add_column("outcome")
    table.add_column("framing")
    for s in sorted(path.shifts, key=lambda s: (s.segment, s.status == "added")):
        term = Text(s.source_text) if s.source_text else Text("—", style="dim")
        if s.back_text:
            back = Text(s.back_text)
        elif s.replacement and s.status == "replaced":
            back = Text(f"“{s.replacement}”", style="italic")
        else:
            back = Text("—", style="dim")
        n = len(s.pivot_forms)
        pivots = [
            _pivot_cell(f, t, found)
            for f, t, found in zip(
                s.pivot_forms, s.pivot_texts or [None] * n, s.pivot_found or [f is not None for f in s.pivot_forms]
            )
        ]
        framing = _framing_cell(s)
        table.add_row(
            str(s.segment), term, s.concept, *pivots, back, Text(s.status, style=_STATUS_STYLE[s.status]), framing
        )
    return table


def summary_table(result: RoundTrip) -> Table:
    """Concept × path counts of each outcome."""
    from ..shifts import STATUSES, summary

    table = Table(title="summary: outcomes per concept and path", title_justify="left")
    table.add_column("concept")
    table.add_column("path")
    for status in STATUSES:
        table.add_column(status, justify="right", style=_STATUS_STYLE[status])
    for row in summary(result):
        table.add_row(row["concept"], row["path"], *(str(row[s]) if row[s] else "·" for s in STATUSES))
    return table


def roundtrip_view(result: RoundTrip, segments: bool = True, terms: bool = True) -> Group:
    parts: list[object] = []
    for path in result.paths:
        if segments:
            parts.append(path_table(result, path))
        if terms and path.shifts:
            parts.append(shift_table(path))
    if terms and any(p.shifts for p in result.paths):
        parts.append(summary_table(result))
    return Group(*parts)


def print_renderable(renderable: object, console: Console | None = None) -> None:
    (console or Console()).print(renderable)


def terms_table(rows: Sequence[object]) -> Table:
    """Occurrences found by ``mtcompare terms``: where, what, which concept and framing."""
    table = Table(title=f"loaded terms: {len(rows)} occurrences", title_justify="left")
    for column in ("line", "chars", "text", "concept", "form", "frame"):
        table.add_column(column, justify="right" if column in ("line", "chars") else "left")
    for row in rows:
        occ = row.occurrence  # type: ignore[attr-defined]
        table.add_row(str(row.line), f"{occ.start}-{occ.end}", occ.text, occ.concept, occ.form, occ.frame)  # type: ignore[attr-defined]
    return table
