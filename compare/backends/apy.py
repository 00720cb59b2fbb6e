"""Apertium through its own HTTP server, apertium-apy (``apt-get install apertium-apy``): ``-b apy -O url=http://host:2737``.

This is how Apertium is served at scale: one server keeps a pipeline of every pair it was asked for
running, and many clients share it. The pairs are the server's (``/listPairs``, Apertium's codes
mapped to ISO tags as the ``apertium`` backend maps its modes: ``por_BR`` → ``pt-BR``).

**Batching.** Several segments go in one ``/translate`` request (``format=txt``), a blank line
between two: the text deformatter keeps it, and no transfer rule crosses it. (A single newline is an
ordinary blank that rules reorder across, "The red\nhouse" → "La casa\n roja"; a NUL in a request
desynchronises the server's pipeline for every later request, so a NUL in a segment is sent as a
space.) On 200 NTREX sentences en→es on a fresh server, batches of 20 gave the same translations as
one request per segment, and as the ``apertium`` backend but for three (a mark next to the word
changes the post-generator's elision, below); ``scripts/bench_apy.py`` measures it. A request holds
at most ``batch_size`` segments and 4,000 bytes: apy cuts a longer text itself (at a full stop or
a space past 4,096 bytes, or 1,000 characters once more than two requests wait for the pipeline,
so with ``concurrency`` above 2 requests stay under 900 bytes) and translates the parts apart. A
segment holding a blank line goes alone; a batch that does not come back as as many blank-line
separated parts is asked again one segment per request. Requests go one after another by default:
the server runs one pipeline per pair behind a lock (``-i 1``), and concurrent requests only queue
there; option ``concurrency`` sends several at once to a server started with several pipelines per
pair (``apertium-apy -i N``). The server's pipelines live on between requests, and Apertium's
tagger keeps state from one segment into the next after some words ("C-SPAN": eng-spa then tags
"said" as a participle, in one ``apertium -z`` run too), so a long-running server's translation of a
segment can depend on what it translated before, for any client.

**Unknown words.** The server always generates with marks (``lt-proc -g``); ``markUnknown=no``
only strips its ``*`` marks, leaving ``@`` and ``#`` in the text. So each request asks for the
marks, and the backend removes them itself: a ``*``, ``@`` or ``#`` before a word is a mark unless
the source segment holds that very token (a literal ``@handle``, ``5*3``). The marked words go to
:attr:`Translation.unknown` and the text is that with the marks removed, which is ``apertium -u``'s
text except where the post-generator elides differently next to a mark (Catalan "del #espectre",
where ``apertium -u`` writes "de l'espectre"): that is what the server gives.

**Failures.** A connection error, a timeout (option ``timeout``) or a 5xx answer is retried
``retries`` times with exponential backoff (0.5 s, 1 s, 2 s …); a server that cannot be reached
raises :class:`~compare.errors.BackendUnavailableError`, an answer that cannot be read
:class:`~compare.errors.ExternalCommandError`, each in one line.

**Signature.** apertium-apy exposes no version of its pairs (``/listPairs`` lists codes, ``/stats``
usage; ``/pipedebug``, which would show the pipeline's files, fails in Debian's 0.11.7). The hop
signature names the server's pair (``model``: ``eng-spa``) and, for a server on this machine
(``localhost``, ``127.0.0.1``, ``::1``), the Debian version of the installed pair's package as
``revision``, as the ``apertium`` backend does; for a server elsewhere, whose versions cannot be
known, its URL (setting ``server``), so the cache never serves one server's translations for another's.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from ..errors import ArgumentValueError, BackendUnavailableError, ExternalCommandError, UnsupportedPairError
from ..results import HopSignature, Translation
from .apertium import installed_modes, mode_langs, mode_package_version
from .base import SECONDS, Availability, Backend, Option, ServedPairs, register_backend

#: Bytes of text apy translates in one piece: it cuts anything longer than PIPE_BUF (4,096 bytes)
#: itself, or 1,000 characters when more than two requests use the pipeline at once.
MAX_REQUEST_BYTES = 4000
MAX_REQUEST_BYTES_BUSY = 900
#: Between two segments of a request: a blank line, a boundary the text deformatter keeps.
SEPARATOR = "\n\n"
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_SEPARATOR_OUT = re.compile(r"[^\S\n]*\n[^\S\n]*\n\s*")
# An unknown-word mark in the server's text output (escapes already resolved by its reformatter).
_MARK = re.compile(r"[*@#](\w[\w'’-]*)")
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "ip6-localhost"}
START_HINT = "start one with: apertium-apy -p 2737 /usr/share/apertium/modes"


def strip_marks(marked: str, source: str) -> tuple[str, tuple[str, ...]]:
    """(text, unknown words) of one marked translation.

    What Apertium's marks say tells them from a literal ``*``, ``@`` or ``#`` of the text (the
    ``apertium`` backend compares with an unmarked run instead, which the server does not give):
    ``*word`` is a word the analyser did not know, copied from the source, so the source holds it;
    ``@lemma`` is a source lemma the bilingual dictionary lacks, so the source holds it too, and the
    mark starts a token; ``#lemma`` is a target word the generator could not inflect, and starts a
    token. A token the source holds itself (``@handle``, ``5*3``, as many times) is text.

    >>> strip_marks("*Daesh y @me 5*3 #espectre", "Daesh and @me 5*3 spectre")
    ('Daesh y @me 5*3 espectre', ('Daesh', 'espectre'))
    """
    literal = Counter(m.group(0) for m in _MARK.finditer(source))
    folded = source.casefold()
    unknown: list[str] = []

    def drop(m: re.Match[str]) -> str:
        token, sigil, word = m.group(0), m.group(0)[0], m.group(1)
        if literal[token] > 0:
            literal[token] -= 1
            return token
        starts_token = m.start() == 0 or not (marked[m.start() - 1].isalnum() or marked[m.start() - 1] == "_")
        if sigil == "*":
            is_mark = word.casefold() in folded
        elif sigil == "@":
            is_mark = starts_token and word.casefold() in folded
        else:
            is_mark = starts_token
        if not is_mark:
            return token
        unknown.append(word)
        return word

    return _MARK.sub(drop, marked).strip(), tuple(unknown)


@register_backend("apy")
class ApyBackend(Backend):
    """Apertium's HTTP server (apertium-apy): ``apy`` with ``-O url=http://host:2737`` (or ``apy:URL``)."""

    options_spec = (
        Option(
            "url",
            str,
            None,
            "the apertium-apy server, e.g. http://localhost:2737 (required unless given as apy:URL)",
            accepts="an http:// or https:// URL such as http://localhost:2737",
        ),
        Option("timeout", float, 120.0, "seconds one request may take", minimum=0, exclusive=True, accepts=SECONDS),
        Option("batch_size", int, 32, "segments per request (a request also stays under 4,000 bytes)", minimum=1),
        Option(
            "concurrency",
            int,
            1,
            "requests at once (more helps only a server run with several pipelines per pair, apertium-apy -i N)",
            minimum=1,
        ),
        Option("retries", int, 3, "times a request that failed (connection, timeout, 5xx) is sent again", minimum=0),
    )
    install_hint = "a running apertium-apy server: apt-get install apertium-apy; apertium-apy /usr/share/apertium/modes"
    pairs_note = "the pairs of the apertium-apy server at url= (its /listPairs)"

    def __init__(self, arg: str | None = None, **options: Any) -> None:
        super().__init__(arg, **options)
        url = self.options.get("url") or arg
        if not url:
            raise ArgumentValueError(
                "backend 'apy' needs its server's address: -O url=http://localhost:2737 (or -b apy:http://localhost:2737)"
            )
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ArgumentValueError(f"backend 'apy' option url must be an http:// or https:// URL; got {url!r}")
        self.url = url.rstrip("/")
        self._pairs: dict[tuple[str, str], str] | None = None

    @classmethod
    def availability(cls) -> Availability:
        return Availability(True)  # a client: what it needs is a server, checked when it is first asked

    @classmethod
    def served_pairs(cls) -> ServedPairs:
        return ServedPairs(any=True, note=cls.pairs_note)

    @property
    def spec(self) -> str:
        return f"apy:{self.url}"

    # --- the server ----------------------------------------------------------------------------------

    def _request(self, path: str, form: dict[str, str] | None = None) -> Any:
        """The ``responseData`` of one GET (or, with ``form``, POST) to the server, retried on failure."""
        import urllib.error
        import urllib.parse
        import urllib.request

        data = urllib.parse.urlencode(form).encode("utf-8") if form is not None else None
        retries, timeout = int(self.option("retries")), float(self.option("timeout"))
        problem = ""
        for attempt in range(retries + 1):
            if attempt:
                time.sleep(min(0.5 * 2 ** (attempt - 1), 8.0))
            try:
                with urllib.request.urlopen(f"{self.url}{path}", data=data, timeout=timeout) as response:  # noqa: S310
                    body = response.read()
            except urllib.error.HTTPError as exc:
                explanation = _explanation(exc.read())
                if exc.code < 500:
                    raise ExternalCommandError(
                        f"apertium-apy at {self.url} refused {path} (HTTP {exc.code}): {explanation}"
                    ) from None
                problem = f"HTTP {exc.code}: {explanation}"
                continue
            except (urllib.error.URLError, OSError) as exc:  # TimeoutError is an OSError
                reason = getattr(exc, "reason", exc)
                if isinstance(reason, TimeoutError):
                    problem = f"no answer within {timeout:g} s (option timeout)"
                else:
                    problem = getattr(reason, "strerror", None) or str(reason)
                continue
            try:
                answer = json.loads(body)
                return answer["responseData"]
            except (ValueError, KeyError, TypeError):
                raise ExternalCommandError(
                    f"apertium-apy at {self.url} answered {path} with something else than its JSON: {body[:120]!r}"
                ) from None
        tries = f" ({retries + 1} tries)" if retries else ""
        if self._pairs is None:
            raise BackendUnavailableError(f"cannot reach apertium-apy at {self.url}: {problem}{tries}; {START_HINT}")
        raise ExternalCommandError(f"apertium-apy at {self.url} failed on {path}: {problem}{tries}")

    def server_pairs(self) -> dict[tuple[str, str], str]:
        """{(src, tgt): the server's pair, such as ``eng|spa``}, from ``/listPairs`` (asked once)."""
        if self._pairs is None:
            listed = self._request("/listPairs")
            if not isinstance(listed, list):
                raise ExternalCommandError(f"apertium-apy at {self.url} listed its pairs as {type(listed).__name__}")
            found: dict[tuple[str, str], str] = {}
            codes = sorted(
                ((str(p.get("sourceLanguage", "")), str(p.get("targetLanguage", ""))) for p in listed),
                key=lambda p: ("_" in p[0] + p[1], p),
            )
            for a, b in codes:
                for src in mode_langs(a, source=True):
                    for tgt in mode_langs(b):
                        if src != tgt:
                            found.setdefault((src, tgt), f"{a}|{b}")
            self._pairs = found
        return self._pairs

    def pairs(self) -> set[tuple[str, str]]:
        return set(self.server_pairs())

    def check_pair(self, source_lang: str, target_lang: str) -> tuple[str, str]:
        """As :meth:`Backend.check_pair`; a missing pair that a route reaches names that route."""
        try:
            return super().check_pair(source_lang, target_lang)
        except UnsupportedPairError as exc:
            from ..routes import missing_pair_message

            message = missing_pair_message(self.spec, self.pairs(), source_lang, target_lang)
            raise UnsupportedPairError(message or str(exc)) from None

    def hop_signature(self, source_lang: str, target_lang: str) -> HopSignature:
        pair = self.server_pairs()[(source_lang, target_lang)]
        local = urlsplit(self.url).hostname in _LOCAL_HOSTS
        mode = installed_modes().get((source_lang, target_lang)) if local else None
        return HopSignature(
            backend="apy",
            source_lang=source_lang,
            target_lang=target_lang,
            model=pair.replace("|", "-"),
            revision=mode_package_version(mode) if mode else None,
            settings=() if local else (("server", self.url),),
        )

    # --- translation ---------------------------------------------------------------------------------

    def _translate_batch(self, texts: list[str], source_lang: str, target_lang: str) -> list[Translation]:
        pair = self.server_pairs()[(source_lang, target_lang)]
        out = [Translation("")] * len(texts)  # an empty segment translates to ""

        def run(batch: list[int]) -> list[str]:
            marked = self._translate_joined([texts[i] for i in batch], pair)
            if marked is None:  # the parts did not come back one per segment: each alone
                marked = [self._translate_one(texts[i], pair) for i in batch]
            return marked

        batches = self._batches(texts)
        workers = min(int(self.option("concurrency")), len(batches))
        if workers <= 1:
            results = [run(batch) for batch in batches]
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=workers) as pool:
                results = list(pool.map(run, batches))
        for batch, marked in zip(batches, results):
            for i, m in zip(batch, marked):
                out[i] = Translation(*strip_marks(m, texts[i]))
        return out

    def _batches(self, texts: list[str]) -> list[list[int]]:
        """Indices of the segments per request: at most ``batch_size`` and :data:`MAX_REQUEST_BYTES` each
        (:data:`MAX_REQUEST_BYTES_BUSY` with more than two requests at once); a segment with a blank
        line in it alone; an empty one in none."""
        limit = int(self.option("batch_size"))
        max_bytes = MAX_REQUEST_BYTES if int(self.option("concurrency")) <= 2 else MAX_REQUEST_BYTES_BUSY
        batches: list[list[int]] = []
        current: list[int] = []
        size = 0
        for i, text in enumerate(texts):
            text = text.strip()
            if not text:
                continue
            if _BLANK_LINE.search(text):
                batches.append([i])
                continue
            n = len(text.encode("utf-8")) + len(SEPARATOR)
            if current and (len(current) >= limit or size + n > max_bytes):
                batches.append(current)
                current, size = [], 0
            current.append(i)
            size += n
        if current:
            batches.append(current)
        return batches

    def _translate_joined(self, texts: list[str], pair: str) -> list[str] | None:
        """The marked translations of ``texts`` sent in one request, or ``None`` if they do not split back."""
        if len(texts) == 1:
            return [self._translate_one(texts[0], pair)]
        joined = self._translate_one(SEPARATOR.join(t.replace("\0", " ").strip() for t in texts), pair)
        parts = _SEPARATOR_OUT.split(joined)
        return [p.strip() for p in parts] if len(parts) == len(texts) else None

    def _translate_one(self, text: str, pair: str) -> str:
        """The server's marked translation of one segment."""
        form = {"q": text.replace("\0", " ").strip(), "langpair": pair, "markUnknown": "yes", "format": "txt"}
        answer = self._request("/translate", form)
        try:
            return str(answer["translatedText"]).strip()
        except (KeyError, TypeError):
            raise ExternalCommandError(f"apertium-apy at {self.url} answered without translatedText") from None


def _explanation(body: bytes) -> str:
    """The ``explanation`` of apy's JSON error answer, else the start of the body."""
    try:
        answer = json.loads(body)
        return str(answer.get("explanation") or answer.get("message") or answer)[:200]
    except (ValueError, AttributeError):
        return body[:200].decode("utf-8", "replace")
