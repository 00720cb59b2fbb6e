"""User text shown literally: never read as rich markup, never able to drive the terminal.

Input texts, translations, lexicon forms, file names and command specs reach the terminal through
:func:`literal` (a rich ``Text``, so ``[/SDF]`` or ``[hf]`` is shown as typed) and :func:`visible`,
which writes terminal control characters (ESC, BEL, BS, DEL, C1 controls) and the bidirectional
embedding, override and isolate characters (U+202A–U+202E, U+2066–U+2069) as escapes such as
``\\x1b`` and ``\\u202e``. The marks LRM, RLM and ALM, zero-width joiners and ordinary spaces are
left alone: right-to-left text needs them and they cannot reorder or recolour anything. JSON output
never goes through here; it stays exact.
"""

from __future__ import annotations

import re

from rich.text import Text

_BIDI_CONTROLS = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_CONTROLS = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]
_ESCAPES = {cp: (f"\\x{cp:02x}" if cp <= 0xFF else f"\\u{cp:04x}") for cp in (*_CONTROLS, *_BIDI_CONTROLS)}
_PATTERN = re.compile("[" + "".join(re.escape(chr(cp)) for cp in _ESCAPES) + "]")
ESCAPE_STYLE = "reverse"


def visible(text: str, keep: str = "") -> str:
    """``text`` with every control and bidi-override character except those in ``keep`` escaped."""
    if keep:
        return _PATTERN.sub(lambda m: m.group() if m.group() in keep else _ESCAPES[ord(m.group())], text)
    return _PATTERN.sub(lambda m: _ESCAPES[ord(m.group())], text)


def literal(text: str | None, style: str = "") -> Text:
    """A rich ``Text`` of ``text`` exactly as written, its escaped control characters in reverse video."""
    text = text or ""
    out = Text(style=style)
    last = 0
    for match in _PATTERN.finditer(text):
        out.append(text[last : match.start()])
        out.append(_ESCAPES[ord(match.group())], style=ESCAPE_STYLE)
        last = match.end()
    out.append(text[last:])
    return out
