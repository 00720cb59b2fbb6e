"""Apertium, the rule-based engine from Debian's packages (``apt-get install apertium apertium-eng-spa``).

Installed modes are discovered with ``apertium -l`` and mapped to ISO 639-1 pairs. A whole batch is
translated in one process run: segments are NUL-separated (each ending in a newline) and Apertium
runs null-flushing (``-z``) on the unformatted stream (``-f none``), so segment *i* in is segment *i* out.
Apertium's unknown-word marks (``*Daesh``, ``@word``, ``#word``) are kept in
:attr:`Translation.unknown` for later analysis; the returned text is Apertium's own unmarked (``-u``)
output of the same batch.

**One pass per batch.** Marks come from the generator alone (``lt-proc -g`` writes them, ``-n``
does not), but they are not simply strippable from its output: a mark can sit inside a token
("libras*illion"), a literal ``*``, ``#`` or escaped ``@`` of the input looks the same, and the
post-generator elides differently next to a marked word ("del #espectre" but "de l'espectre").
So the generator runs once in its *tagged* mode (``lt-proc -m``), which writes each generated unit
as ``^surface/lexical form$``: the surface is what ``-n`` writes, and only the lexical form carries
the mark (``^Daesh/*Daesh$``). As each segment comes out, its units are unwrapped to their
surfaces and the marked lemmas taken (:func:`untag_generated`), and the post-generator runs on
the unmarked text, so the text is exactly ``apertium -u``'s and the marks are the engine's own,
never a literal character. Where the generator has no tagged mode (fra-cat's generates with ``-b``
for a constraint grammar to choose), the generator alone runs twice, side by side (``tee``), with
and without marks, and the marks are those the marked output has and the unmarked one lacks
(:func:`unknown_words`). Without ``apertium-wblank-mode`` the batch is translated twice, marked
and ``-u``.

**Word alignment.** Apertium carries *word-bound blanks* (``[[tag]]^lexical unit$[[/]]``) through
every stage of its pipeline and writes them around the target words each source unit became; its
own document formats rely on that. The run therefore goes through the mode's pipeline in two
parts: the morphological analyser, then each analysed lexical unit is wrapped in a numbered
word-bound blank and the rest of the pipeline runs (``apertium-wblank-mode`` writes it, as
``apertium`` itself does). Both parts run at once: the analyser flushes at each segment's NUL, and
each segment is tagged and handed on as it comes out. Multi-word units (``because of``) are already
formed by then, so the translation is the one ``apertium -u`` gives (word-bound blanks make a
transfer rule choose otherwise in about one sentence in 500). The numbers in the output give
:attr:`Translation.alignment`: character links from the source words to the target words.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import IO

from ..errors import ExternalCommandError, ModelUnavailableError, UnknownLanguageError, UnsupportedPairError
from ..languages import normalize_lang
from ..results import HopSignature, Translation
from .base import SECONDS, Availability, Backend, Option, register_backend

#: Where ``apertium`` finds its modes (its own default, or ``$APERTIUM_DATADIR/modes``).
MODES_DIR = Path(os.environ.get("APERTIUM_DATADIR") or "/usr/share/apertium") / "modes"
INSTALL_HINT = "install it: apt-get install apertium apertium-eng-spa apertium-eng-cat (Debian/Ubuntu)"

# Characters with a meaning in Apertium's stream format; escaped on the way in, unescaped on the way out.
_STREAM_SPECIALS = re.compile(r"([\\\[\]^$/@<>{}])")
_ESCAPED = re.compile(r"\\(.)", re.S)
# An unknown-word mark: * (not in the analyser), @ (not in the bilingual dictionary; Apertium may write
# it escaped, as \@), # (generation). Marks can stand inside a token ("libras*illion", "2*pm").
_MARK = re.compile(r"(?:\\@|[*@#])(\w[\w'’-]*)")
# A lexical unit in the stream: ^surface/analysis…$ (backslash escapes inside); an escaped
# character outside units is matched too, so that "\^" in a blank is not taken for a unit.
_UNIT = re.compile(r"\\.|\^((?:\\.|[^$\\])*)\$", re.S)
_SURFACE_END = re.compile(r"(?<!\\)/")
# The generator's output with word-bound blanks: an escaped character, a closing or opening blank, a lone bracket,
# a run of other characters (or a lone backslash at the end).
# A lone unescaped bracket is a superblank's: the engine's rules write some blanks as "[']", which
# Apertium's own reformatter (-f txt) unwraps; with -f none that is left to us.
_WBLANK_STREAM = re.compile(r"\\(.)|\[\[/\]\]|\[\[(.*?)\]\]|[\[\]]|([^\\\[\]]+|.)", re.S)
_UNESCAPE = re.compile(r"\\(.)|[\[\]]", re.S)
_WBLANK_SPLIT = re.compile(r"(\[\[/\]\]|\[\[.*?\]\])", re.S)  # the same blanks, to split on where nothing is escaped
# A word-bound blank's opening or closing tag (dropped), or an escaped character (kept as it is).
_WBLANK_TAG = re.compile(r"(\\.)|\[\[/\]\]|\[\[.*?\]\]", re.S)
_WBLANK_TAG_PLAIN = re.compile(r"\[\[/\]\]|\[\[.*?\]\]", re.S)  # the same where nothing is escaped
# lt-proc's tagged generation (-m): an escaped character, or a unit ^surfaces/lexical form$ (the surfaces
# kept, the lexical form, after the last unescaped slash, dropped).
_GENERATED_UNIT = re.compile(r"(\\.)|\^((?:\\.|[^$\\])*)/(?:\\.|[^/$\\])*\$", re.S)
# The same where nothing is escaped (so every ^ opens a unit and every $ closes one): each unit's opening
# ^ and its last slash up to its $ are dropped. Four times faster; no bracket in between, so never from
# the slash of a word-bound blank's "[[/]]".
_GENERATED_UNIT_PLAIN = re.compile(r"\^|/[^/$\[\]]*\$")
# A marked lexical form there: its slash, the mark (* @ # or escaped \@), the rest up to the unit's end.
_GENERATED_MARK = re.compile(r"\\.|/(?:\\@|[*@#])((?:\\.|[^/$\\<])*)(?:<(?:\\.|[^/$\\])*)?\$", re.S)
_MARK_WORD = re.compile(r"\w[\w'’-]*")
# A generator that runs in tagged mode: lt-proc on one transducer, its mode flag still to fill in.
_PLAIN_GENERATOR = re.compile(r"lt-proc -z \$1 '[^']+'|lt-proc -z \$1 [^\s'|;&]+")
# An absolute path in a mode file (its dictionaries and rules).
_MODE_PATH = re.compile(r"(/[^'\"\s|]+)")
# Where a mode's pipeline hands the transfer's output to the generator.
_DETACH = re.compile(r"\|\s*apertium-wblank-detach\s*\|")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill a pipeline started in its own session, every stage of it, and reap it.

    Only while its leader is unreaped: the group id is the leader's pid, which is not reused before.
    """
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
        proc.wait()


def unescape(stream: str) -> str:
    """Plain text of Apertium output: escapes resolved, superblank brackets dropped ("[']" → "'")."""
    return _UNESCAPE.sub(lambda m: m.group(1) or "", stream)


@lru_cache(maxsize=1)
def listed_modes() -> tuple[str, ...]:
    """Every mode ``apertium -l`` lists, variants included (``eng-spa``, ``eng-cat_valencia``).

    Read as ``apertium -l`` reads them, the ``*.mode`` files of ``$APERTIUM_DATADIR/modes``
    (default ``/usr/share/apertium/modes``) in byte order, without running its shell script (a fifth of
    a second in every process). Empty when the ``apertium`` program is not on PATH.
    """
    if shutil.which("apertium") is None:
        return ()
    try:
        names = sorted((p.name for p in MODES_DIR.glob("*.mode")), key=lambda name: name.encode())
    except OSError:
        return ()
    return tuple(name[: -len(".mode")] for name in names)


#: Apertium's suffixes for a regional or orthographic standard that BCP-47 can name (``por_BR``,
#: ``cat_valencia``, ``eng_US``). Others (``cat_iec2017``, ``cat_valencia_uni``, ``fra-cat_pre2017``) have
#: no tag: their modes are reached by name only (``apertium:spa-cat_iec2017``).
_VARIANT_TAGS = {"BR": "BR", "US": "US", "valencia": "ES-valencia"}
#: Serbo-Croatian: ``hbs`` (ISO 639-3's macrolanguage, ``sh``) is Latin-script Serbo-Croatian, which
#: the project's codes write ``sr-Latn``; the generator's standards ``hbs_HR``, ``hbs_BS``, ``hbs_SR``
#: are Croatian, Bosnian and (Latin) Serbian. Its analyser reads all three standards (Latin script only).
_HBS_TARGET = {"hbs": "sr-Latn", "hbs_SR": "sr-Latn", "hbs_HR": "hr", "hbs_BS": "bs"}
_HBS_SOURCE = ("sr-Latn", "hr", "bs")


def mode_langs(code: str, source: bool = False) -> tuple[str, ...]:
    """The ISO tags one language code of an Apertium mode stands for; ``()`` when it names none.

    ``eng`` → ``("en",)``, ``por_BR`` → ``("pt-BR",)``, ``cat_valencia`` → ``("ca-ES-valencia",)``,
    ``cat_iec2017`` → ``()``. Serbo-Croatian as a source (``hbs-eng``) stands for Serbian (Latin),
    Croatian and Bosnian; as a target each standard has its own mode (``eng-hbs_HR``). The same codes
    name the pairs of Apertium's HTTP server (apertium-apy's ``/listPairs``).
    """
    if code in _HBS_TARGET:
        return _HBS_SOURCE if source and code == "hbs" else (() if source else (_HBS_TARGET[code],))
    base, _, variant = code.partition("_")
    if variant and variant not in _VARIANT_TAGS:
        return ()
    try:
        lang = normalize_lang(base)
    except UnknownLanguageError:
        return ()
    if not variant:
        return (lang,)
    return (normalize_lang(f"{lang}-{_VARIANT_TAGS[variant]}"),)


def mode_pairs(modes: Iterable[str]) -> dict[tuple[str, str], str]:
    """{(src, tgt): mode} for every translation mode among ``modes`` (``eng-spa``, ``es-pt_BR``).

    A plain mode is preferred to a variant for the same pair (``eng-hbs`` to ``eng-hbs_SR``); modes
    that are no ``SRC-TGT`` pair (``en-eo-bytecode``, ``Cyrl-Latn``) are skipped.
    """
    pairs: dict[tuple[str, str], str] = {}
    for mode in sorted((m.strip() for m in modes), key=lambda m: ("_" in m, m)):
        parts = mode.split("-")
        if len(parts) != 2:
            continue
        for src in mode_langs(parts[0], source=True):
            for tgt in mode_langs(parts[1]):
                if src != tgt:
                    pairs.setdefault((src, tgt), mode)
    return pairs


@lru_cache(maxsize=1)
def installed_modes() -> dict[tuple[str, str], str]:
    """{(src, tgt): mode} for every working translation mode ``apertium -l`` lists (see :func:`mode_pairs`).

    A mode whose files are missing is left out (:func:`mode_missing_files`): Debian's apertium-eo-es and
    apertium-eo-ca install their data under ``apertium-es-eo`` and ``apertium-ca-eo`` while their
    modes read ``apertium-eo-es`` and ``apertium-eo-ca``, so ``es-eo`` and ``ca-eo`` cannot run until
    those are linked (``scripts/setup.sh`` does it).
    """
    return mode_pairs(m for m in listed_modes() if not mode_missing_files(m))


@lru_cache(maxsize=128)
def mode_missing_files(mode: str) -> tuple[str, ...]:
    """The files ``mode``'s pipeline names that do not exist (``()`` for a working mode)."""
    try:
        text = (MODES_DIR / f"{mode}.mode").read_text(encoding="utf-8")
    except OSError:
        return ()  # a mode apertium finds elsewhere: nothing to check it against
    return tuple(p for p in dict.fromkeys(_MODE_PATH.findall(text)) if not Path(p).exists())


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


@lru_cache(maxsize=64)
def wblank_pipeline(mode: str) -> tuple[str, str] | None:
    """The mode's pipeline with word-bound blanks, cut after the analyser: (analyser, the rest).

    ``None`` when the mode cannot be cut there (no ``apertium-wblank-mode``, or a pipeline that
    does not start with ``lt-proc``); the backend then translates without word alignment.
    """
    exe = shutil.which("apertium-wblank-mode")
    mode_file = MODES_DIR / f"{mode}.mode"
    if exe is None or not mode_file.is_file():
        return None
    try:
        out = subprocess.run([exe, "-z", str(mode_file)], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    first, sep, rest = out.stdout.strip().partition("|")
    if out.returncode != 0 or not sep or not first.strip().startswith("lt-proc") or "wblank-attach" not in rest:
        return None
    return first.strip(), rest.strip()


@lru_cache(maxsize=64)
def split_generator(rest: str) -> tuple[str, str] | None:
    """The rest of a wblank pipeline cut before the generator: (up to ``apertium-wblank-detach``, the generator on).

    The generator part is the one that takes the mark flag (``$1``: ``-g`` marks unknown words, ``-n`` does
    not). ``None`` when the pipeline has no such place.
    """
    parts = _DETACH.split(rest)
    if len(parts) != 2 or "$1" not in parts[1] or "$1" in parts[0]:
        return None
    return f"{parts[0].strip()} | apertium-wblank-detach", parts[1].strip()


@lru_cache(maxsize=64)
def tagged_generation(generator: str) -> tuple[str, str] | None:
    """The generator part of a pipeline as (generator in lt-proc's tagged mode ``-m``, the stages after it).

    ``lt-proc -m`` writes each generated unit as ``^surface/lexical form$``: the surface is what ``-n``
    writes, and the lexical form keeps the unknown-word mark (``^Daesh/*Daesh$``, ``^bar/\\@bar<n>$``,
    ``^casa/#casa<vblex>…$``). So one generator run gives both the text and the marks, with no
    ambiguity: a literal ``*``, ``#`` or ``@`` of the text is never in a lexical form. ``None`` when the
    generator is not a plain ``lt-proc -z $1 FILE`` (fra-cat's generates with ``-b`` for a CG to choose).
    """
    first, _, after = generator.partition("|")
    if not _PLAIN_GENERATOR.fullmatch(first.strip()):
        return None
    return first.strip().replace("$1", "-m"), after.strip()


def untag_generated(chunk: str) -> tuple[str, tuple[str, ...]]:
    """One segment of tagged generation (``lt-proc -m``) as plain generated text, and its unknown words.

    The text is what ``lt-proc -n`` writes (an ambiguous generation keeps both surfaces, "YouTube/Youtube",
    as ``-n`` does); the unknown words are the marked lexical forms' lemmas, in order (``*Daesh`` → Daesh).
    """
    found = []
    if "/" in chunk:
        for m in _GENERATED_MARK.finditer(chunk):
            if m.group(1) is not None:
                word = _MARK_WORD.match(_ESCAPED.sub(r"\1", m.group(1)))
                if word is not None:
                    found.append(word.group(0))
    if "\\" in chunk:
        return _GENERATED_UNIT.sub(r"\1\2", chunk), tuple(found)
    return _GENERATED_UNIT_PLAIN.sub("", chunk), tuple(found)


class _Link:
    """Hands one pipeline's output to the next, NUL-separated segment by segment, through ``change``."""

    def __init__(
        self,
        source: subprocess.Popen[bytes],
        sink: subprocess.Popen[bytes],
        change: Callable[[int, str], str],
        expected: int,
    ) -> None:
        self.source, self.sink, self.change, self.expected = source, sink, change, expected
        self.chunks = 0  # segments read so far
        self.extra = False  # something after the expected segments
        self.broken = False  # the sink died; its exit status says why

    def _handle(self, piece: bytes) -> str:
        k = self.chunks
        self.chunks += 1
        chunk = piece.decode("utf-8", "replace")
        if k < self.expected:
            return self.change(k, chunk)
        if chunk.strip():
            self.extra = True
        return chunk

    def _write(self, text: str) -> None:
        assert self.sink.stdin is not None
        if text and not self.broken:
            try:
                self.sink.stdin.write(text.encode("utf-8"))
                self.sink.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                self.broken = True

    def run(self) -> None:
        assert self.source.stdout is not None
        pending = b""
        while True:
            try:
                block = self.source.stdout.read1(1 << 16)
            except (OSError, ValueError):  # closed under it: the run was stopped (timed out)
                break
            if not block:
                break
            pending += block
            *done, pending = pending.split(b"\0")
            if done:
                self._write("".join(self._handle(piece) + "\0" for piece in done))
        tail = pending.decode("utf-8", "replace")  # after the last NUL: as in str.split, one more chunk
        if self.chunks < self.expected:
            tail = self.change(self.chunks, tail)
        elif tail.strip():
            self.extra = True
        self._write(tail)
        self.close()

    def close(self) -> None:
        try:
            if self.sink.stdin is not None:
                self.sink.stdin.close()
        except (BrokenPipeError, OSError):
            pass


def tag_units(analysed: str, text: str, first_tag: int) -> tuple[str, list[tuple[int, int] | None]]:
    """Wrap every lexical unit of one analysed segment in a numbered word-bound blank.

    Returns the tagged stream and, per tag from ``first_tag`` on, the unit's character span in
    ``text`` (found by its surface form, in order; ``None`` if the surface cannot be found).
    """
    spans: list[tuple[int, int] | None] = []
    cursor = 0

    def wrap(m: re.Match[str]) -> str:
        nonlocal cursor
        if m.group(1) is None:  # an escaped character between units
            return m.group(0)
        unit = m.group(1)
        if "\\" in unit:
            surface = _ESCAPED.sub(r"\1", _SURFACE_END.split(unit, maxsplit=1)[0])
        else:  # nothing escaped: the surface is all before the first slash
            surface = unit.partition("/")[0]
        at = text.find(surface, cursor) if surface else -1
        if at < 0 and surface.strip():  # a multi-word unit across other whitespace
            pattern = r"\s+".join(re.escape(w) for w in surface.split())
            found = re.compile(pattern).search(text, cursor)
            span = (found.start(), found.end()) if found else None
        else:
            span = (at, at + len(surface)) if at >= 0 else None
        if span is not None:
            cursor = span[1]
        spans.append(span)
        return f"[[{first_tag + len(spans) - 1}]]{m.group(0)}[[/]]"

    return _UNIT.sub(wrap, analysed), spans


def read_tagged(output: str) -> tuple[str, str, list[tuple[int, int, tuple[str, ...]]]]:
    """(escaped text, plain text, groups) of one generated segment with word-bound blanks.

    Each group is (start, end, tags): a stretch of the plain text and the tags of the source units
    it came from. Leading and trailing whitespace is trimmed; offsets index the trimmed plain text.
    """
    if "\\" not in output:
        plain: list[str] = []
        groups: list[tuple[int, int, tuple[str, ...]]] = []
        pos = 0
        opened: tuple[int, tuple[str, ...]] | None = None
        parts = _WBLANK_SPLIT.split(output)  # text, tag, text, tag, …, text
        if not any("[" in part or "]" in part for part in parts[::2]):  # no superblank to unwrap either
            for i, part in enumerate(parts):
                if not i % 2:
                    plain.append(part)
                    pos += len(part)
                elif part != "[[/]]":
                    opened = (pos, tuple(t.strip() for t in part[2:-2].split(";") if t.strip()))
                elif opened is not None:
                    groups.append((opened[0], pos, opened[1]))
                    opened = None
            return _trimmed(plain, plain, groups)
    return read_tagged_stream(output)


def read_tagged_stream(output: str) -> tuple[str, str, list[tuple[int, int, tuple[str, ...]]]]:
    """:func:`read_tagged` for any output: escapes and superblanks read token by token."""
    raw: list[str] = []
    plain: list[str] = []
    groups: list[tuple[int, int, tuple[str, ...]]] = []
    pos = 0
    opened: tuple[int, tuple[str, ...]] | None = None
    for m in _WBLANK_STREAM.finditer(output):
        if m.group(1) is not None:
            raw.append(m.group(0))
            plain.append(m.group(1))
            pos += len(m.group(1))
        elif m.group(3) is not None:
            raw.append(m.group(3))
            plain.append(m.group(3))
            pos += len(m.group(3))
        elif m.group(2) is not None:
            opened = (pos, tuple(t.strip() for t in m.group(2).split(";") if t.strip()))
        elif m.group(0) == "[[/]]" and opened is not None:
            groups.append((opened[0], pos, opened[1]))
            opened = None
    return _trimmed(raw, plain, groups)


def _trimmed(
    raw: list[str], plain: list[str], groups: list[tuple[int, int, tuple[str, ...]]]
) -> tuple[str, str, list[tuple[int, int, tuple[str, ...]]]]:
    """:func:`read_tagged`'s result: leading and trailing whitespace trimmed, the groups' offsets with it."""
    text = "".join(plain)
    lead = len(text) - len(text.lstrip())
    stripped = text.strip()
    trimmed = []
    for start, end, tags in groups:
        start, end = max(start - lead, 0), min(end - lead, len(stripped))
        while start < end and stripped[start].isspace():
            start += 1
        while end > start and stripped[end - 1].isspace():
            end -= 1
        if start < end:
            trimmed.append((start, end, tags))
    return "".join(raw).strip(), stripped, trimmed


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

    options_spec = (
        Option(
            "timeout", float, 600.0, "seconds one Apertium run may take", minimum=0, exclusive=True, accepts=SECONDS
        ),
    )
    install_hint = "apt-get install apertium apertium-eng-spa (bash scripts/setup.sh installs every pair)"
    gives_alignment = True
    #: Each translation runs in its own child processes: two pairs may be translated at once.
    concurrent_pairs = True
    #: 2: superblanks the engine's rules write ("[']" in en-eo) are unwrapped as ``apertium -u`` does.
    #: 3: the unknown words are the generator's marked lemmas ("vegana", not "vegana-amigable"; a mark next
    #: to a literal * is one, a literal @ before a number is none).
    output_version = 3

    @classmethod
    def availability(cls) -> Availability:
        if shutil.which("apertium") is None:
            return Availability(False, f"the apertium program is not on PATH; {INSTALL_HINT}")
        if not installed_modes():
            return Availability(False, f"no Apertium language pair is installed; {INSTALL_HINT}")
        return Availability(True)

    def __init__(self, arg: str | None = None, **options: object) -> None:
        super().__init__(arg, **options)
        if arg and arg not in listed_modes():
            installed = ", ".join(listed_modes()) or "none"
            raise ModelUnavailableError(f"apertium has no mode {arg!r}; installed modes: {installed}")

    def pairs(self) -> set[tuple[str, str]]:
        return set(installed_modes())

    def mode(self, source_lang: str, target_lang: str) -> str:
        if self.arg:
            return self.arg
        return installed_modes()[(source_lang, target_lang)]

    def check_pair(self, source_lang: str, target_lang: str) -> tuple[str, str]:
        """As :meth:`Backend.check_pair`; a missing pair that a route reaches names that route
        (``apertium has no pair en→fr; a route that exists: --chain es,fr,es (or --route auto)``)."""
        if self.arg:  # an explicit mode serves whatever pair the user says it does
            return normalize_lang(source_lang), normalize_lang(target_lang)
        try:
            return super().check_pair(source_lang, target_lang)
        except UnsupportedPairError as exc:
            from ..routes import missing_pair_message

            message = missing_pair_message(self.spec, self.pairs(), source_lang, target_lang)
            raise UnsupportedPairError(message or str(exc)) from None

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
        aligned = self._run_aligned(mode, payload, texts)
        if aligned is None:
            marked = self._run(mode, [], payload, len(texts))
            clean = self._run(mode, ["-u"], payload, len(texts))
            return [Translation(unescape(c), unknown_words(m, c)) for c, m in zip(clean, marked, strict=True)]
        return [Translation(text, unknown, links) for text, links, unknown in aligned]

    def _run_aligned(
        self, mode: str, payload: str, texts: list[str]
    ) -> list[tuple[str, tuple[tuple[int, int, int, int], ...], tuple[str, ...]]] | None:
        """One pass with word-bound blanks: (text, links, unknown words) per segment.

        ``None`` when the mode's pipeline cannot be cut after the analyser and before the generator.
        """
        pipeline = wblank_pipeline(mode)
        split = split_generator(pipeline[1]) if pipeline is not None else None
        if pipeline is None or split is None:
            return None
        analyser = ["bash", "-c", f"set -o pipefail; {pipeline[0]}"]
        middle, generator = split
        tagged = tagged_generation(generator)
        marks: list[tuple[str, ...]] | None = None
        if tagged is not None:
            # The generator runs once, in lt-proc's tagged mode: the marks come from its lexical forms,
            # and the units are unwrapped to their surfaces before the post-generator.
            generate, post = tagged
            rest = ["bash", "-c", f"set -o pipefail; {middle} | {generate}"]
            after = ["bash", "-c", f"set -o pipefail; {post or 'cat'}"]
            generated, spans, marks = self._pipe_tagged(mode, analyser, rest, payload, texts, after)
        else:
            generated, spans, marked = self._run_teed(mode, analyser, middle, generator, payload, texts)
        out = []
        for k, chunk in enumerate(generated.split("\0")[: len(texts)]):
            raw, text, groups = read_tagged(chunk)
            links = []
            for start, end, tags in groups:
                for tag in tags:
                    span = spans[int(tag)] if tag.isdigit() and int(tag) < len(spans) else None
                    if span is not None:
                        links.append((span[0], span[1], start, end))
            if marks is not None:
                unknown = marks[k] if k < len(marks) else ()
            else:
                marked_chunk = marked[k] if k < len(marked) else ""
                if "\\" in marked_chunk:
                    marked_text = _WBLANK_TAG.sub(r"\1", marked_chunk)
                else:
                    marked_text = _WBLANK_TAG_PLAIN.sub("", marked_chunk)
                unknown = unknown_words(marked_text.strip(), raw)
            out.append((text, tuple(links), unknown))
        return out

    def _run_teed(
        self, mode: str, analyser: list[str], middle: str, generator: str, payload: str, texts: list[str]
    ) -> tuple[str, list[tuple[int, int] | None], list[str]]:
        """For a generator that has no tagged mode (fra-cat's generates in ``-b`` mode, then a CG chooses):
        the generator runs twice side by side on the transfer's output, once with marks and once without.

        The marked branch reads the stream from a FIFO that ``tee`` fills, into a file; the unmarked one is
        the pipeline's stdout. Both exit statuses count. Returns (unmarked output, tag spans, marked chunks).
        """
        script = (
            "set -o pipefail\n"
            f'( {generator.replace("$1", "-g")} ) < "$3" > "$4" & marked=$!\n'
            f'{middle} | tee "$3" | {generator}\n'
            "status=$?\n"
            'wait "$marked" || exit $?\n'
            "exit $status\n"
        )
        with tempfile.TemporaryDirectory(prefix="mtcompare-apertium-") as tmp:
            fifo, marked_file = Path(tmp) / "generator-input", Path(tmp) / "marked"
            os.mkfifo(fifo)
            generated, spans, _ = self._pipe_tagged(
                mode,
                analyser,
                ["bash", "-c", script, "apertium", "-n", "", str(fifo), str(marked_file)],
                payload,
                texts,
            )
            marked = self._check_output(mode, marked_file.read_bytes().decode("utf-8", "replace"), len(texts), "")
        return generated, spans, marked.split("\0")

    def _pipe_tagged(
        self,
        mode: str,
        analyser: list[str],
        argv: list[str],
        payload: str,
        texts: list[str],
        post: list[str] | None = None,
    ) -> tuple[str, list[tuple[int, int] | None], list[tuple[str, ...]]]:
        """The analyser, the rest of the pipeline and the post-generation (``post``), all at once.

        Each analysed segment is tagged as it comes out of the analyser (it flushes at each NUL) and
        handed on, so tagging and the later stages overlap with analysis. With ``post``, the rest's
        output is lt-proc's tagged generation: each segment's units are unwrapped to their surfaces
        and their marks collected (:func:`untag_generated`) as it comes out, and handed to ``post``.

        Returns the last command's output (checked as :meth:`_pipe` checks it), the source span of every
        tag, and with ``post`` the unknown words of each segment (else an empty list).
        """
        expected = len(texts)
        deadline = time.monotonic() + float(self.options.get("timeout", 600))
        commands = [analyser, argv] + ([post] if post is not None else [])
        procs: list[subprocess.Popen[bytes]] = []
        try:
            for command in commands:
                procs.append(
                    subprocess.Popen(
                        command,
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        start_new_session=True,  # one group per pipeline: killed whole, stages included
                    )
                )
        except OSError as exc:
            for proc in procs:
                _kill_group(proc)
            raise ExternalCommandError(f"cannot run bash for apertium {mode}: {exc.strerror}") from None
        captured: dict[str, bytes] = {}
        spans: list[tuple[int, int] | None] = []
        marks: list[tuple[str, ...]] = []

        def feed() -> None:
            assert procs[0].stdin is not None
            try:
                procs[0].stdin.write(payload.encode("utf-8"))
                procs[0].stdin.close()
            except (BrokenPipeError, ValueError, OSError):
                pass

        def drain(name: str, stream: IO[bytes] | None) -> None:
            assert stream is not None
            captured[name] = stream.read()

        def tag(k: int, chunk: str) -> str:
            tagged, found = tag_units(chunk, texts[k].replace("\0", " "), len(spans))
            spans.extend(found)
            return tagged

        def untag(k: int, chunk: str) -> str:
            surfaces, found = untag_generated(chunk)
            marks.append(found)
            return surfaces

        links = [_Link(procs[0], procs[1], tag, expected)]
        if post is not None:
            links.append(_Link(procs[1], procs[2], untag, expected))
        last = procs[-1]
        threads = [
            threading.Thread(target=feed, daemon=True),
            threading.Thread(target=drain, args=("out", last.stdout), daemon=True),
            *(threading.Thread(target=link.run, daemon=True) for link in links[1:]),
            *(
                threading.Thread(target=drain, args=(f"err{i}", proc.stderr), daemon=True)
                for i, proc in enumerate(procs)
            ),
        ]
        for thread in threads:
            thread.start()
        try:
            links[0].run()  # here: the analyser's output is the most work of the Python side
            for proc in procs:
                proc.wait(timeout=max(deadline - time.monotonic(), 0.001))
            for thread in threads:
                thread.join(timeout=max(deadline - time.monotonic(), 0.001))
                if thread.is_alive():
                    raise subprocess.TimeoutExpired(argv, 0)
        except subprocess.TimeoutExpired:
            raise ExternalCommandError(f"apertium {mode} timed out on {expected} segments") from None
        finally:
            for proc in procs:
                _kill_group(proc)
            # The pipes' file objects are closed once nothing reads them (a drain that still runs keeps its own).
            for thread in threads:
                thread.join(timeout=5)
            for i, proc in enumerate(procs):
                for name, stream in ((f"err{i}", proc.stderr), ("out", proc.stdout if proc is last else None)):
                    if stream is not None and name in captured:
                        stream.close()
            for link in links:
                link.close()
                if link.source.stdout is not None:
                    link.source.stdout.close()
        for i, proc in enumerate(procs):
            stderr = captured.get(f"err{i}", b"").decode("utf-8", "replace").strip()
            if proc.returncode != 0:
                raise ExternalCommandError(f"apertium {mode} failed (exit {proc.returncode}): {stderr[-300:]}")
        if links[0].chunks + 1 < expected or links[0].extra:
            raise ExternalCommandError(
                f"apertium {mode} returned {links[0].chunks + 1} NUL-separated segments for {expected}; "
                f"alignment lost. stderr: {captured.get('err0', b'').decode('utf-8', 'replace').strip()[-300:]}"
            )
        stderr = captured.get(f"err{len(procs) - 1}", b"").decode("utf-8", "replace").strip()
        output = self._check_output(mode, captured.get("out", b"").decode("utf-8", "replace"), expected, stderr)
        return output, spans, marks

    def _run(self, mode: str, flags: list[str], payload: str, expected: int) -> list[str]:
        """One apertium process over the whole NUL-separated batch; ``expected`` segments come back."""
        out = self._pipe(mode, ["apertium", "-z", "-f", "none", *flags, mode], payload, expected)
        return [c.strip() for c in out.split("\0")[:expected]]

    def _pipe(self, mode: str, argv: list[str], payload: str, expected: int) -> str:
        """Run one command of ``mode`` over the NUL-separated batch; check that ``expected`` segments come back."""
        try:
            run = subprocess.run(
                argv,
                input=payload.encode("utf-8"),
                capture_output=True,
                timeout=float(self.options.get("timeout", 600)),
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ExternalCommandError(f"apertium {mode} timed out on {expected} segments") from None
        except OSError as exc:
            raise ExternalCommandError(f"cannot run {argv[0]} for apertium {mode}: {exc.strerror}") from None
        stderr = run.stderr.decode("utf-8", "replace").strip()
        if run.returncode != 0:
            raise ExternalCommandError(f"apertium {mode} failed (exit {run.returncode}): {stderr[-300:]}")
        return self._check_output(mode, run.stdout.decode("utf-8", "replace"), expected, stderr)

    @staticmethod
    def _check_output(mode: str, output: str, expected: int, stderr: str) -> str:
        """``output`` if it holds ``expected`` NUL-separated segments (and nothing after them)."""
        chunks = output.split("\0")
        if len(chunks) < expected or any(c.strip() for c in chunks[expected:]):
            raise ExternalCommandError(
                f"apertium {mode} returned {len(chunks)} NUL-separated segments for {expected}; "
                f"alignment lost. stderr: {stderr[-300:]}"
            )
        return output
