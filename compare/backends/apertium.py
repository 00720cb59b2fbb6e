"""Apertium, the rule-based engine from Debian's packages (``apt-get install apertium apertium-eng-spa``).

Installed modes are discovered with ``apertium -l`` and mapped to ISO 639-1 pairs. A whole batch is
translated in one process run: segments are NUL-separated (each ending in a newline) and Apertium
runs null-flushing (``-z``) on the unformatted stream (``-f none``), so segment *i* in is segment *i* out.
Apertium's unknown-word marks (``*Daesh``, ``@word``, ``#word``) are kept in
:attr:`Translation.unknown` for later analysis; the returned text is Apertium's own unmarked (``-u``)
output of the same batch.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from functools import lru_cache
from pathlib import Path

from ..errors import ExternalCommandError, UnknownLanguageError
from ..languages import normalize_lang
from ..results import HopSignature, Translation
from .base import Availability, Backend, register_backend

MODES_DIR = Path("/usr/share/apertium/modes")
INSTALL_HINT = "install it: apt-get install apertium apertium-eng-spa apertium-eng-cat (Debian/Ubuntu)"

# Characters with a meaning in Apertium's stream format; escaped on the way in, unescaped on the way out.
_STREAM_SPECIALS = re.compile(r"([\\\[\]^$/@<>{}])")
_ESCAPED = re.compile(r"\\(.)", re.S)
# An unknown-word mark: * (not in the analyser), @ (not in the bilingual dictionary; Apertium may write
# it escaped, as \@), # (generation). Marks can stand inside a token ("libras*illion", "2*pm").
_MARK = re.compile(r"(?:\\@|[*@#])(\w[\w'’-]*)")


@lru_cache(maxsize=1)
def installed_modes() -> dict[tuple[str, str], str]:
    """{(src, tgt): mode} for every plain translation mode ``apertium -l`` lists.

    Variant modes (``eng-cat_valencia``, ``en-eo-bytecode``) are skipped; a plain mode is preferred.
    """
    exe = shutil.which("apertium")
    if exe is None:
        return {}
    try:
        listed = subprocess.run([exe, "-l"], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    modes: dict[tuple[str, str], str] = {}
    for line in listed.stdout.split():
        parts = line.strip().split("-")
        if len(parts) != 2 or "_" in line:
            continue
        try:
            pair = (normalize_lang(parts[0]), normalize_lang(parts[1]))
        except UnknownLanguageError:
            continue
        modes.setdefault(pair, line.strip())
    return modes


@lru_cache(maxsize=64)
def mode_package_version(mode: str) -> str | None:
    """The Debian package version of the language pair behind ``mode`` (e.g. '0.8.1-2'), if known."""
    mode_file = MODES_DIR / f"{mode}.mode"
    try:
        match = re.search(r"/usr/share/apertium/(apertium-[\w-]+)/", mode_file.read_text())
    except OSError:
        return None
    if not match or shutil.which("dpkg-query") is None:
        return None
    out = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", match.group(1)],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip() or None


def unknown_words(marked: str, clean: str) -> tuple[str, ...]:
    """Words Apertium marked as unknown: the marks in the marked output that the clean (``-u``) output lacks.

    Comparing with the clean run tells a mark from a literal ``@`` or ``*`` in the text.
    """
    literal = Counter(m.group(0) for m in _MARK.finditer(clean))
    found = []
    for m in _MARK.finditer(marked):
        if literal[m.group(0)] > 0:
            literal[m.group(0)] -= 1
        else:
            found.append(m.group(1))
    return tuple(found)


@register_backend("apertium")
class ApertiumBackend(Backend):
    """Rule-based MT with Apertium; the spec argument may force a mode: ``apertium:eng-cat_valencia``."""

    option_names = ("timeout",)

    @classmethod
    def availability(cls) -> Availability:
        if shutil.which("apertium") is None:
            return Availability(False, f"the apertium program is not on PATH; {INSTALL_HINT}")
        if not installed_modes():
            return Availability(False, f"no Apertium language pair is installed; {INSTALL_HINT}")
        return Availability(True)

    def pairs(self) -> set[tuple[str, str]]:
        return set(installed_modes())

    def mode(self, source_lang: str, target_lang: str) -> str:
        if self.arg:
            return self.arg
        return installed_modes()[(source_lang, target_lang)]

    def check_pair(self, source_lang: str, target_lang: str) -> tuple[str, str]:
        if self.arg:  # an explicit mode serves whatever pair the user says it does
            return normalize_lang(source_lang), normalize_lang(target_lang)
        return super().check_pair(source_lang, target_lang)

    def hop_signature(self, source_lang: str, target_lang: str) -> HopSignature:
        mode = self.mode(source_lang, target_lang)
        return HopSignature(
            backend="apertium",
            source_lang=source_lang,
            target_lang=target_lang,
            model=mode,
            revision=mode_package_version(mode),
        )

    def _translate_batch(self, texts: list[str], source_lang: str, target_lang: str) -> list[Translation]:
        mode = self.mode(source_lang, target_lang)
        # The newline before each NUL keeps Apertium from dropping a segment's final punctuation.
        payload = "".join(_STREAM_SPECIALS.sub(r"\\\1", t.replace("\0", " ")) + "\n\0" for t in texts)
        clean = self._run(mode, ["-u"], payload, len(texts))
        marked = self._run(mode, [], payload, len(texts))
        return [Translation(_ESCAPED.sub(r"\1", c), unknown_words(m, c)) for c, m in zip(clean, marked, strict=True)]

    def _run(self, mode: str, flags: list[str], payload: str, expected: int) -> list[str]:
        """One apertium process over the whole NUL-separated batch; ``expected`` segments come back."""
        try:
            run = subprocess.run(
                ["apertium", "-z", "-f", "none", *flags, mode],
                input=payload.encode("utf-8"),
                capture_output=True,
                timeout=float(self.options.get("timeout", 600)),
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ExternalCommandError(f"apertium {mode} timed out on {expected} segments") from None
        stderr = run.stderr.decode("utf-8", "replace").strip()
        if run.returncode != 0:
            raise ExternalCommandError(f"apertium {mode} failed (exit {run.returncode}): {stderr[-300:]}")
        chunks = run.stdout.decode("utf-8", "replace").split("\0")
        if len(chunks) < expected or any(c.strip() for c in chunks[expected:]):
            raise ExternalCommandError(
                f"apertium {mode} returned {len(chunks)} NUL-separated segments for {expected}; "
                f"alignment lost. stderr: {stderr[-300:]}"
            )
        return [c.strip() for c in chunks[:expected]]
