"""Term occurrences as JSON, JSON Lines or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from ..terms import TermRow

COLUMNS = ("file", "line", "start", "end", "text", "concept", "form", "frame", "lang")


def render_terms(rows: Sequence[TermRow], fmt: str) -> str:
    dicts = [{k: r.to_dict()[k] for k in COLUMNS} for r in rows]
    if fmt == "json":
        return json.dumps(dicts, ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in dicts)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(dicts)
        return buf.getvalue()
    raise ValueError(f"unknown terms format {fmt!r}; expected json, jsonl or csv")
