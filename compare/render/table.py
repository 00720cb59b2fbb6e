"""Terminal tables (rich) for round trips, translations, backends and term occurrences."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..results import Path, RoundTrip


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


def roundtrip_view(result: RoundTrip, segments: bool = True) -> Group:
    parts = []
    for path in result.paths:
        if segments:
            parts.append(path_table(result, path))
    return Group(*parts)


def print_renderable(renderable: object, console: Console | None = None) -> None:
    (console or Console()).print(renderable)
