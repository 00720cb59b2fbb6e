"""Terminal tables (rich) for round trips, translations, backends and term occurrences.

Every cell is built with :func:`~compare.render.literal.literal`, so user text is never read as markup
and control characters are shown escaped. Each table is a :class:`Grid`: a rich table when the
terminal has room for its columns, one block per record when it has not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from ..results import Path, RoundTrip, Shift
from .literal import literal

if TYPE_CHECKING:
    from ..backends.status import BackendStatus

# A table is drawn only if every column can get this many characters (or all it needs, if fewer).
MIN_COLUMN_WIDTH = 8


@dataclass(frozen=True)
class Column:
    header: str
    justify: Literal["left", "right"] = "left"
    style: str = ""
    no_wrap: bool = False
    ratio: int | None = None


class Grid:
    """Rows of literal cells, rendered as a table or, on a terminal too narrow for it, as records.

    A table squeezed below a few characters per column shows empty or one-letter columns; there each
    row becomes a block of ``column: value`` lines instead, so nothing is cut.
    """

    def __init__(
        self,
        title: str,
        columns: Sequence[Column],
        *,
        caption: str | None = None,
        expand: bool = False,
        show_lines: bool = False,
    ) -> None:
        self.title = literal(title)
        self.columns = tuple(columns)
        self.caption = literal(caption) if caption else None
        self.expand = expand
        self.show_lines = show_lines
        self.rows: list[tuple[Text, ...]] = []

    def add_row(self, *cells: Text | str | None) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"row has {len(cells)} cells; the grid has {len(self.columns)} columns")
        self.rows.append(tuple(c if isinstance(c, Text) else literal(c) for c in cells))

    def table(self) -> Table:
        table = Table(
            title=self.title,
            title_justify="left",
            caption=self.caption,
            caption_justify="left",
            expand=self.expand,
            show_lines=self.show_lines,
        )
        for col in self.columns:
            table.add_column(
                literal(col.header),
                justify=col.justify,
                style=col.style or None,
                no_wrap=col.no_wrap,
                ratio=col.ratio,
                overflow="fold",
            )
        for row in self.rows:
            table.add_row(*row)
        return table

    def records(self) -> Group:
        """One block per row: a ``column: value`` line for each non-empty cell, blocks apart by a blank line."""
        parts: list[Text] = [self.title]
        for row in self.rows:
            parts.append(Text())
            for col, cell in zip(self.columns, row):
                if cell.plain:
                    line = Text.assemble((f"{col.header}: ", "bold"), cell)
                    if col.style:
                        line.stylize(col.style, len(col.header) + 2)
                    parts.append(line)
        if self.caption is not None:
            parts.extend([Text(), self.caption])
        return Group(*parts)

    def fits(self, console: Console, options: ConsoleOptions) -> bool:
        """Whether every column gets at least :data:`MIN_COLUMN_WIDTH` characters (or its widest word)."""
        needed = len(self.columns) + 1  # vertical borders
        for index, col in enumerate(self.columns):
            cells: Iterable[Text] = (literal(col.header), *(row[index] for row in self.rows))
            widest_word = max(Measurement.get(console, options, c).minimum for c in cells)
            needed += min(widest_word, MIN_COLUMN_WIDTH) + 2  # padding
        return needed <= options.max_width

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.table() if self.fits(console, options) else self.records()


def _mark_unknown(text: str, unknown: Sequence[str]) -> Text:
    """The segment with the words the engine passed through untranslated in bold red."""
    rendered = literal(text)
    words = [literal(w).plain for w in set(unknown) if w]
    if words:
        rendered.highlight_words(words, style="bold red")
    return rendered


def path_table(result: RoundTrip, path: Path) -> Grid:
    """Source, each pivot and the back-translation side by side, one row per segment."""
    columns = [Column("#", justify="right", no_wrap=True), Column(f"source ({result.source_lang})", ratio=1)]
    for hop in path.hops:
        label = "back" if hop is path.hops[-1] and len(path.hops) > 1 else "pivot"
        columns.append(Column(f"{label} ({hop.lang})", ratio=1))
    grid = Grid(path.name, columns, caption=str(path.signature), expand=True, show_lines=True)
    for seg in result.segments:
        cells = [_mark_unknown(hop.segments[seg.id], hop.unknown[seg.id]) for hop in path.hops]
        grid.add_row(str(seg.id), seg.text, *cells)
    return grid


_STATUS_STYLE = {
    "kept": "green",
    "variant": "yellow",
    "replaced": "magenta",
    "dropped": "bold red",
    "added": "cyan",
}


def _dash() -> Text:
    return Text("—", style="dim")


def _pivot_cell(form: str | None, text: str | None, found: bool) -> Text:
    """The span the term was translated into; marked when the engine left it unknown or no form is there."""
    if not text:
        return _dash()
    if form == "untranslated":
        return literal(f"{text} (untranslated)", style="red")
    if not found:
        return Text.assemble(literal(text), (" (no term)", "dim"))
    return literal(text)


def _framing_cell(s: Shift) -> str:
    if s.status == "variant":
        return f"{s.frame_change} ({s.source_frame}→{s.back_frame})"
    if s.status == "replaced" and s.back_concept and s.back_concept != s.concept:
        change = f"{s.frame_change} ({s.source_frame}→{s.back_frame})" if s.frame_change else ""
        return f"became {s.back_concept}; {change}" if change else f"became {s.back_concept}"
    return s.frame_change or ""


def shift_table(path: Path) -> Grid:
    """Term, pivot form(s), back form, outcome and framing change: one row per occurrence."""
    columns = [Column("seg", justify="right", no_wrap=True), Column("term"), Column("concept")]
    columns += [Column(f"pivot ({hop.lang})") for hop in path.hops[:-1]]
    columns += [Column(f"back ({path.back.lang})"), Column("outcome"), Column("framing")]
    grid = Grid(f"loaded terms — {path.name}", columns, expand=True)
    for s in sorted(path.shifts, key=lambda s: (s.segment, s.status == "added")):
        term = literal(s.source_text) if s.source_text else _dash()
        if s.back_text:
            back = literal(s.back_text)
        elif s.replacement and s.status == "replaced":
            back = literal(f"“{s.replacement}”", style="italic")
        else:
            back = _dash()
        n = len(s.pivot_forms)
        pivots = [
            _pivot_cell(f, t, found)
            for f, t, found in zip(
                s.pivot_forms, s.pivot_texts or [None] * n, s.pivot_found or [f is not None for f in s.pivot_forms]
            )
        ]
        status = literal(s.status, style=_STATUS_STYLE.get(s.status, ""))
        grid.add_row(str(s.segment), term, s.concept, *pivots, back, status, _framing_cell(s))
    return grid


def summary_table(result: RoundTrip) -> Grid:
    """Concept × path counts of each outcome."""
    from ..shifts import STATUSES, summary

    columns = [Column("concept"), Column("path")]
    columns += [Column(status, justify="right", style=_STATUS_STYLE[status]) for status in STATUSES]
    grid = Grid("summary: outcomes per concept and path", columns)
    for row in summary(result):
        grid.add_row(row["concept"], row["path"], *(str(row[s]) if row[s] else "·" for s in STATUSES))
    return grid


def roundtrip_view(result: RoundTrip, segments: bool = True, terms: bool = True) -> Group:
    parts: list[Grid] = []
    for path in result.paths:
        if segments:
            parts.append(path_table(result, path))
        if terms and path.shifts:
            parts.append(shift_table(path))
    if terms and any(p.shifts for p in result.paths):
        parts.append(summary_table(result))
    return Group(*parts)


def terms_table(rows: Sequence[object]) -> Grid:
    """Occurrences found by ``mtcompare terms``: where, what, which concept and framing."""
    columns = [Column("line", justify="right"), Column("chars", justify="right")]
    columns += [Column(name) for name in ("text", "concept", "form", "frame")]
    grid = Grid(f"loaded terms: {len(rows)} occurrences", columns)
    for row in rows:
        occ = row.occurrence  # type: ignore[attr-defined]
        grid.add_row(str(row.line), f"{occ.start}-{occ.end}", occ.text, occ.concept, occ.form, occ.frame)  # type: ignore[attr-defined]
    return grid


def backends_table(statuses: Sequence[BackendStatus]) -> Grid:
    """``mtcompare backends``: each backend, whether it is available here, its pairs or why not."""
    grid = Grid("mtcompare backends", [Column("backend"), Column("available"), Column("pairs / why not")])
    for s in statuses:
        grid.add_row(s.name, "yes" if s.available else "no", s.pairs if s.available else s.reason)
    return grid
