"""Any OpenAI-compatible chat-completions server as a backend: vLLM, llama.cpp's server, Ollama, commercial APIs.

``-b gpt=openai:MODEL -O base_url=http://host:8000/v1``. The API key is read from an environment
variable (option ``api_key_env``, default ``OPENAI_API_KEY``; unset: no key is sent, as local servers
expect) and is never part of a signature, the cache, an error message or a log.

**The prompt is data.** A versioned template (``prompts/translate-v1.yaml``, Jinja2, or a file given as
``-O prompt=PATH``) names the source and target languages, lists the glossary entries whose terms occur
in the request (``-O glossary=FILE``: TSV or YAML) and asks for a translation only. Each request carries
up to ``batch_size`` segments as a JSON object with numbered keys (``{"1": "...", "2": "..."}``); the
answer must be a JSON object with the same keys. The answer is parsed strictly: the first JSON object
in it (text around it, such as "Here is the translation:" or a code fence, is ignored) must give each
key exactly once as a string. Keys missing, repeated or empty are asked again, one segment per request;
a one-segment answer that is no JSON object is taken as plain text with a chatty preamble removed.

**Failures.** ``finish_reason=length`` or a context-length error splits the request in halves, down to
one segment, which then fails with a one-line error. 429, 408, 409 and 5xx answers, timeouts
(``timeout``, per request), dropped connections and malformed bodies are retried (``retries``) with
exponential backoff (``backoff`` seconds, doubled each time), waiting as long as a 429's
``Retry-After`` (or ``retry-after-ms``) asks, up to :data:`MAX_RETRY_AFTER`. 401/403 (the key),
404 (the model; the server's ``/models`` list is named when it has one), other 4xx answers and
refusals (``message.refusal``, ``finish_reason=content_filter``, or an apology instead of JSON) are
one-line errors at once. Up to ``concurrency`` requests run at a time; the first that fails for good
fails the batch at once (the others are not retried). Proxy settings come from the environment
(``HTTPS_PROXY``, ``NO_PROXY``), as in any httpx client.

**Signature and cache.** The hop signature names the model, the base URL (without any credentials
in it), the template's name and SHA-256, temperature, batch size and every other setting that can
change a translation (max_tokens, sample, glossary hash, json_mode); the translation cache is keyed
on it. With ``temperature=0`` (the default) and no ``sample``, the backend counts as deterministic.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
import random
import re
import threading
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import (
    ArgumentValueError,
    BackendUnavailableError,
    ExternalCommandError,
    MissingExtraError,
    ModelUnavailableError,
)
from ..results import HopSignature, Translation
from .base import SECONDS, Availability, Backend, Option, register_backend

if TYPE_CHECKING:
    import httpx

PROMPTS_DIR = Path(__file__).with_name("prompts")
DEFAULT_PROMPT = "translate-v1"
INSTALL_HINT = "pip install 'mtcompare[openai]'"
#: The longest wait a server's Retry-After may ask for, in seconds.
MAX_RETRY_AFTER = 60.0
#: Statuses worth asking again: the server is busy, overloaded or failed for a moment.
_RETRIED = frozenset({408, 409, 429, 500, 502, 503, 504})
_CONTEXT_LENGTH = re.compile(
    r"context[ _-]?(length|window)|maximum context|too many tokens|too long|prompt is too long|exceeds? the "
    r"(maximum|max)|reduce the length",
    re.I,
)
_REFUSAL = re.compile(
    r"^\W*(I['’]m sorry|I am sorry|sorry,|I apologi[sz]e|I cannot|I can['’]t|I can not|I won['’]t|"
    r"I['’]m (not able|unable)|I am (not able|unable)|I must decline|As an AI)",
    re.I,
)
_REFUSAL_TOPIC = re.compile(r"\b(help|assist|comply|translat\w*|provide|fulfil+|request|content|able to)\b", re.I)
_PREAMBLE = re.compile(
    r"^\s*(?:(?:sure|certainly|of course|okay|ok)\b[!,.]*\s*)?"
    r"(?:(?:here(?:['’]s| is| are)\s+(?:the\s+|your\s+|my\s+)?)?"
    r"(?:translations?|translated text|rendering)\b[^:\n]{0,60}?:|"
    r"(?:sure|certainly|of course)[!.]*\s*$)\s*",
    re.I,
)
_AFTERWORD = re.compile(
    r"\s*(\(?note\b|please note|i hope|let me know|this translation|the translation (above|keeps|preserves))", re.I
)
_CODE_FENCE = re.compile(r"^\s*```[\w-]*\s*\n(.*?)\n\s*```\s*$", re.S)
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Something that looks like an API key, in a server's error text (OpenAI echoes part of a wrong one).
_KEYLIKE = re.compile(r"\b(?:sk|pk|key|api)[-_][A-Za-z0-9*_.\-]{6,}", re.I)


@register_backend("openai")
class OpenAIBackend(Backend):
    """Translate with a model behind an OpenAI-compatible ``/chat/completions`` endpoint."""

    options_spec = (
        Option(
            "base_url",
            str,
            None,
            "the server's API root, e.g. http://localhost:8000/v1 (required)",
            accepts="an http(s) URL such as http://localhost:8000/v1",
        ),
        Option(
            "api_key_env",
            str,
            "OPENAI_API_KEY",
            "the environment variable that holds the API key (unset: no key is sent)",
            accepts="an environment variable name such as OPENAI_API_KEY",
        ),
        Option("temperature", float, 0.0, "sampling temperature (0: the most likely output)", minimum=0),
        Option("batch_size", int, 16, "segments per request", minimum=1),
        Option("concurrency", int, 4, "requests at once", minimum=1),
        Option("timeout", float, 120.0, "seconds one request may take", minimum=0, exclusive=True, accepts=SECONDS),
        Option("retries", int, 4, "attempts after a failed request (429, 5xx, timeout, bad body)", minimum=0),
        Option("backoff", float, 1.0, "seconds before the first retry, doubled each time", minimum=0),
        Option("max_tokens", int, None, "longest answer in tokens (unset: the server's limit)", minimum=1),
        Option(
            "glossary",
            str,
            None,
            "a TSV (term<TAB>rendering) or YAML file of renderings to impose",
            accepts="the path of a .tsv, .yaml or .yml file",
        ),
        Option(
            "prompt",
            str,
            DEFAULT_PROMPT,
            "the prompt template: a name in compare/backends/prompts or a path",
            accepts="translate-v1 or the path of a YAML file with name, system, user",
        ),
        Option("json_mode", bool, False, "ask the server for a JSON answer (response_format json_object)"),
        Option(
            "sample",
            int,
            None,
            "translate by sampling with this seed (temperature 1 unless set above 0)",
            minimum=0,
        ),
    )
    install_hint = INSTALL_HINT
    pairs_note = "any pair the model translates"
    can_sample = True
    #: With the defaults (temperature 0, no ``sample``); an instance says whether its own settings are.
    deterministic = True

    def __init__(self, arg: str | None = None, **options: Any) -> None:
        super().__init__(arg, **options)
        if not arg:
            raise ArgumentValueError("the openai backend needs a model: -b openai:MODEL (e.g. openai:gpt-4o-mini)")
        self.model = arg
        if "base_url" not in self.options:
            raise ArgumentValueError(
                "the openai backend needs the server's address: -O base_url=http://localhost:8000/v1 "
                "(vLLM, llama.cpp: /v1; Ollama: http://localhost:11434/v1; OpenAI: https://api.openai.com/v1)"
            )
        self.base_url = _check_url(str(self.options["base_url"]))
        env = str(self.option("api_key_env"))
        if not _ENV_NAME.match(env):
            raise ArgumentValueError(
                f"backend 'openai' option api_key_env must name an environment variable such as OPENAI_API_KEY; "
                f"got {env!r}"
            )
        self.api_key_env = env
        self.sample: int | None = self.option("sample")
        temperature = float(self.option("temperature"))
        if self.sample is not None and temperature == 0:
            temperature = 1.0
        self.temperature = temperature
        self.deterministic = temperature == 0  # type: ignore[misc]
        self.batch_size = int(self.option("batch_size"))
        self.concurrency = int(self.option("concurrency"))
        self.timeout = float(self.option("timeout"))
        self.retries = int(self.option("retries"))
        self.backoff = float(self.option("backoff"))
        self.max_tokens: int | None = self.option("max_tokens")
        self.json_mode = bool(self.option("json_mode"))
        self.template = load_prompt(str(self.option("prompt")))
        self.glossary = load_glossary(self.options["glossary"]) if "glossary" in self.options else None

    @classmethod
    def availability(cls) -> Availability:
        import importlib.util

        try:
            found = importlib.util.find_spec("httpx") is not None
        except (ImportError, ValueError):  # a module set to None in sys.modules
            found = False
        if not found:
            return Availability(False, f"httpx not installed; install the extra: {INSTALL_HINT}")
        return Availability(True)

    def pairs(self) -> set[tuple[str, str]]:
        return set()

    def hop_signature(self, source_lang: str, target_lang: str) -> HopSignature:
        settings: dict[str, Any] = {
            "base_url": _shown_url(self.base_url),
            "prompt": f"{self.template.name}@{self.template.digest[:12]}",
            "temperature": self.temperature,
            "batch_size": self.batch_size,
        }
        if self.max_tokens is not None:
            settings["max_tokens"] = self.max_tokens
        if self.sample is not None:
            settings["sample"] = self.sample
        if self.glossary is not None:
            settings["glossary"] = f"{self.glossary.name}@{self.glossary.digest[:12]}"
        if self.json_mode:
            settings["json_mode"] = True
        return HopSignature(
            backend="openai",
            source_lang=source_lang,
            target_lang=target_lang,
            model=self.model,
            settings=tuple(sorted(settings.items())),
        )

    # -- translating -------------------------------------------------------------------------------

    def _translate_batch(self, texts: list[str], source_lang: str, target_lang: str) -> list[Translation]:
        results = ["" for _ in texts]
        todo = [i for i, t in enumerate(texts) if t.strip()]  # blank segments need no model
        groups = [todo[k : k + self.batch_size] for k in range(0, len(todo), self.batch_size)]
        with self._session() as session:
            job = _Job(self, session, source_lang, target_lang)

            def run(group: list[int]) -> dict[int, str]:
                return job.translate({i: texts[i] for i in group})

            if len(groups) <= 1 or self.concurrency == 1:
                done = [run(g) for g in groups]
            else:
                pool = ThreadPoolExecutor(max_workers=min(self.concurrency, len(groups)))
                futures = [pool.submit(run, g) for g in groups]
                try:
                    for future in as_completed(futures):
                        future.result()  # the first failure, as soon as it happens
                    done = [f.result() for f in futures]
                except BaseException:
                    job.cancelled.set()
                    pool.shutdown(wait=False, cancel_futures=True)  # requests under way end on their own
                    raise
                pool.shutdown(wait=True)
        for found in done:
            for i, text in found.items():
                results[i] = text
        return [Translation(t) for t in results]

    def _session(self) -> httpx.Client:
        try:
            import httpx
        except ImportError:
            raise MissingExtraError(f"the openai backend needs httpx; install the extra: {INSTALL_HINT}") from None
        headers = {"Content-Type": "application/json"}
        key = self._api_key()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(self.timeout),
            limits=httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency),
        )

    def _api_key(self) -> str:
        return os.environ.get(self.api_key_env, "").strip()

    def _request_body(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": self.temperature}
        if self.max_tokens is not None:
            body["max_tokens"] = self.max_tokens
        if self.sample is not None:
            body["seed"] = self.sample
        if self.json_mode:
            body["response_format"] = {"type": "json_object"}
        return body

    def _redact(self, text: str) -> str:
        """``text`` without the API key (whole or in part) or anything shaped like one."""
        key = self._api_key()
        if key:
            text = text.replace(key, "[key]")
        return _KEYLIKE.sub("[key]", text)


@dataclass(frozen=True)
class _Reply:
    content: str
    finish_reason: str
    refusal: str


class _TooLong(Exception):
    """The request does not fit the model's context, or its answer was cut (split it and ask again)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class _Job:
    """One ``_translate_batch`` call: its HTTP session, pair and the rendering of prompts."""

    def __init__(self, backend: OpenAIBackend, session: httpx.Client, source: str, target: str) -> None:
        self.backend = backend
        self.session = session
        self.source, self.target = source, target
        self.where = f"openai:{backend.model} at {_shown_url(backend.base_url)}"
        self.cancelled = threading.Event()
        self.names = {"source": source, "target": target, "source_name": language_name(source)}
        self.names["target_name"] = language_name(target)

    def translate(self, segments: dict[int, str]) -> dict[int, str]:
        """Translations of ``segments`` (index → text): one request, then halves or single re-asks as needed."""
        ids = {str(n): i for n, i in enumerate(segments, 1)}
        texts = list(segments.values())
        try:
            reply = self.ask(texts)
        except _TooLong as exc:
            if len(segments) == 1:
                raise ExternalCommandError(
                    f"{self.where}: the segment {_short(texts[0])!r} ({len(texts[0])} characters) is too long: "
                    f"{exc.why}"
                ) from None
            half = len(segments) // 2
            items = list(segments.items())
            return self.translate(dict(items[:half])) | self.translate(dict(items[half:]))
        if reply.refusal:
            if len(segments) > 1:
                return self.singly(segments)
            raise ExternalCommandError(
                f"{self.where} refused to translate {_short(texts[0])!r} ({self.source}→{self.target}): "
                f"{_short(reply.refusal, 120)}"
            )
        found = parse_answer(reply.content, list(ids))
        out = {ids[k]: v for k, v in found.items()}
        missing = {i: segments[i] for k, i in ids.items() if k not in found}
        if not missing:
            return out
        if len(segments) > 1:
            return out | self.singly(missing)
        lone = _lone_value(reply.content)
        if lone is not None:  # one segment, answered under another key ({"translation": "..."})
            return {next(iter(segments)): lone}
        return {next(iter(segments)): self.plain(reply.content, texts[0])}

    def singly(self, segments: dict[int, str]) -> dict[int, str]:
        out: dict[int, str] = {}
        for i, text in segments.items():
            out |= self.translate({i: text})
        return out

    def plain(self, content: str, source: str) -> str:
        """A one-segment answer that is no JSON object: the text itself, chatty preamble and fences removed."""
        text = strip_chatter(content, source)
        if is_refusal(text) and not is_refusal(source):
            raise ExternalCommandError(
                f"{self.where} refused to translate {_short(source)!r} ({self.source}→{self.target}): "
                f"{_short(text, 120)}"
            )
        if not text:
            raise ExternalCommandError(
                f"{self.where} gave an empty answer for {_short(source)!r} ({self.source}→{self.target})"
            )
        if text.lstrip().startswith("{"):
            raise ExternalCommandError(
                f"{self.where} answered {_short(text, 120)!r} for {_short(source)!r}: not the JSON object "
                'with key "1" the prompt asks for'
            )
        return text

    def messages(self, texts: list[str]) -> list[dict[str, str]]:
        segments = json.dumps({str(n): t for n, t in enumerate(texts, 1)}, ensure_ascii=False, indent=0)
        glossary = self.backend.glossary.entries_for(self.source, self.target, texts) if self.backend.glossary else []
        values = self.names | {"segments": segments, "count": len(texts), "glossary": glossary}
        return self.backend.template.render(values)

    def ask(self, texts: list[str]) -> _Reply:
        """One chat completion for ``texts``, retried on passing failures; raises :class:`_TooLong` to split."""
        backend = self.backend
        body = backend._request_body(self.messages(texts))
        attempts = backend.retries + 1
        for attempt in range(attempts):
            if self.cancelled.is_set():
                raise ExternalCommandError(f"{self.where}: cancelled after another request failed")
            problem, wait = self._attempt(body)
            if isinstance(problem, _Reply):
                return problem
            if attempt + 1 == attempts:
                tries = f"{attempts} attempt{'s' if attempts > 1 else ''}"
                raise ExternalCommandError(f"{self.where}: {problem} ({tries}; raise -O retries or -O timeout)")
            delay = wait if wait is not None else backend.backoff * 2**attempt * (1 + random.random() / 4)
            if self.cancelled.wait(min(delay, MAX_RETRY_AFTER)):
                raise ExternalCommandError(f"{self.where}: cancelled after another request failed")
        raise AssertionError("unreachable")

    def _attempt(self, body: dict[str, Any]) -> tuple[_Reply | str, float | None]:
        """One POST: the reply, or (why it failed, how long the server asks us to wait) when worth retrying."""
        import httpx

        try:
            response = self.session.post("chat/completions", json=body)
        except httpx.TimeoutException:
            return f"no answer within {self.backend.timeout:g} s", None
        except httpx.RequestError as exc:
            return self.backend._redact(f"cannot reach the server: {exc or type(exc).__name__}"), None
        status = response.status_code
        if 200 <= status < 300:
            try:
                return _read_reply(response.content), None
            except ValueError as exc:
                return f"malformed answer ({exc})", None
        message = self.backend._redact(_error_message(response))
        if status in (401, 403):
            env = self.backend.api_key_env
            had = "no key was sent: $" + env + " is not set" if not self.backend._api_key() else f"the key in ${env}"
            raise BackendUnavailableError(
                f"{self.where} refused the request ({status} {response.reason_phrase}; {had}): {message}"
            )
        if status == 404:
            raise ModelUnavailableError(f"{self.where}: {status} Not Found ({message}); {self._models_hint()}")
        if status == 429:
            return f"rate limited (429): {message}", _retry_after(response.headers)
        if status in _RETRIED:
            return f"server error {status}: {message}", _retry_after(response.headers)
        if status in (400, 413, 422) and _CONTEXT_LENGTH.search(message):
            raise _TooLong(f"{status}: {message}")
        raise ExternalCommandError(f"{self.where} answered {status} {response.reason_phrase}: {message}")

    def _models_hint(self) -> str:
        """What the server says it serves (``GET /models``), or what to check when it does not say."""
        try:
            response = self.session.get("models", timeout=min(self.backend.timeout, 10.0))
            served = [str(m["id"]) for m in response.json()["data"]] if response.status_code == 200 else []
        except Exception:  # noqa: BLE001 - only a hint; the 404 is the error
            served = []
        if served:
            shown = ", ".join(served[:20]) + (", …" if len(served) > 20 else "")
            return f"model {self.backend.model!r} is not served here; the server has: {shown}"
        return (
            f"check the model name {self.backend.model!r} and that base_url is the API root "
            "(POST base_url/chat/completions; usually ends in /v1)"
        )


def _read_reply(body: bytes) -> _Reply:
    """The first choice of a chat-completion body; ``ValueError`` when the body is not one."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not JSON: {exc.msg if isinstance(exc, json.JSONDecodeError) else exc}") from None
    try:
        choice = data["choices"][0]
        message = choice["message"]
    except (KeyError, IndexError, TypeError):
        error = data.get("error") if isinstance(data, Mapping) else None
        if isinstance(error, Mapping):
            error = error.get("message")
        if isinstance(error, str) and error.strip():
            raise ValueError(f"an error instead of choices: {_short(error, 200)}") from None
        raise ValueError("no choices[0].message in the body") from None
    content = message.get("content") if isinstance(message, Mapping) else None
    refusal = message.get("refusal") if isinstance(message, Mapping) else None
    finish = str(choice.get("finish_reason") or "")
    if refusal:
        return _Reply("", finish, str(refusal))
    if finish == "content_filter":
        return _Reply("", finish, "the server's content filter stopped the answer")
    if finish == "length":
        raise _TooLong("the answer was cut at the output limit (finish_reason=length); raise -O max_tokens")
    if not isinstance(content, str):
        raise ValueError("choices[0].message.content is not text")
    return _Reply(content, finish, "")


def _error_message(response: httpx.Response) -> str:
    """The server's error text, on one line: OpenAI's ``{"error": {"message": ...}}`` or the body itself."""
    try:
        data = response.json()
    except (ValueError, UnicodeDecodeError):
        data = None
    text = ""
    if isinstance(data, Mapping):
        error = data.get("error", data.get("detail", data.get("message")))
        if isinstance(error, Mapping):
            error = error.get("message", error)
        text = error if isinstance(error, str) else json.dumps(error, ensure_ascii=False) if error else ""
    if not text:
        text = response.content.decode("utf-8", "replace")
    return _short(" ".join(text.split()), 200) or "(no message)"


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asks us to wait (``retry-after-ms`` or ``Retry-After``: seconds or an HTTP date)."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


# -- parsing answers -------------------------------------------------------------------------------


def parse_answer(content: str, ids: list[str]) -> dict[str, str]:
    """The translations a reply gives for ``ids``: from the first JSON object in it that has any of them.

    Text around the object (a preamble, a code fence, a closing remark) is ignored. A key given twice,
    a value that is not a string, and an empty value for any key are left out (asked again).
    """
    decoder = json.JSONDecoder(object_pairs_hook=_pairs)
    wanted = set(ids)
    for start in _braces(content):
        try:
            obj, _ = decoder.raw_decode(content, start)
        except json.JSONDecodeError:
            continue
        if not isinstance(obj, _Object) or not wanted & obj.keys():
            continue
        return {
            k: v.strip()
            for k, v in obj.items()
            if k in wanted and k not in obj.repeated and isinstance(v, str) and v.strip()
        }
    return {}


class _Object(dict):  # type: ignore[type-arg]
    """A decoded JSON object that remembers which keys it had more than once."""

    repeated: set[str]


def _pairs(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    obj.repeated = set()
    for key, value in pairs:
        if key in obj:
            obj.repeated.add(key)
        obj[key] = value
    return obj


def _lone_value(content: str) -> str | None:
    """The value of the first JSON object in ``content`` that has exactly one key, when it is non-empty text."""
    decoder = json.JSONDecoder()
    for start in _braces(content):
        try:
            obj, _ = decoder.raw_decode(content, start)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            values = list(obj.values())
            if len(values) == 1 and isinstance(values[0], str) and values[0].strip():
                return values[0].strip()
            return None
    return None


def _braces(text: str) -> Iterator[int]:
    start = text.find("{")
    while start != -1:
        yield start
        start = text.find("{", start + 1)


def is_refusal(text: str) -> bool:
    """Whether a plain answer reads as a refusal ("I'm sorry, but I can't help with that.")."""
    return bool(_REFUSAL.match(text) and _REFUSAL_TOPIC.search(text))


def strip_chatter(text: str, source: str = "") -> str:
    """A plain answer without a code fence, a preamble ("Here is the translation:"), a closing note that
    ``source`` has no paragraph for ("Note: ...", "Let me know ..."), or wrapping quotes."""
    text = text.strip()
    fenced = _CODE_FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    stripped = _PREAMBLE.sub("", text, count=1).strip()
    if stripped:
        text = stripped
    fenced = _CODE_FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    parts = re.split(r"\n\s*\n", text)
    if len(parts) > len(re.split(r"\n\s*\n", source.strip())) and _AFTERWORD.match(parts[-1]):
        text = "\n\n".join(parts[:-1]).strip()
    for left, right in ('""', "“”", "«»", "''"):
        if len(text) > 1 and text[0] == left and text[-1] == right and left not in text[1:-1]:
            text = text[1:-1].strip()
    return text


# -- the prompt template and the glossary ----------------------------------------------------------


@dataclass(frozen=True)
class PromptTemplate:
    """A prompt as data: a name, a system and a user message (Jinja2), and the SHA-256 of the two messages."""

    name: str
    system: str
    user: str
    digest: str

    def render(self, values: Mapping[str, Any]) -> list[dict[str, str]]:
        messages = []
        for role, source in (("system", self.system), ("user", self.user)):
            text = _compiled(source).render(**values)
            if text.strip():
                messages.append({"role": role, "content": text})
        return messages


@lru_cache(maxsize=1)
def _jinja() -> Any:
    import jinja2

    return jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False, autoescape=False)


@lru_cache(maxsize=16)
def _compiled(source: str) -> Any:
    return _jinja().from_string(source)


def load_prompt(name_or_path: str) -> PromptTemplate:
    """A prompt template by name (``translate-v1``, from ``compare/backends/prompts``) or from a YAML file.

    The file has the keys ``name``, ``system`` and ``user`` (Jinja2 text); any other key is refused.
    """
    import yaml

    shipped = PROMPTS_DIR / f"{name_or_path}.yaml"
    path = shipped if "/" not in name_or_path and shipped.is_file() else Path(name_or_path).expanduser()
    if not path.is_file():
        names = ", ".join(sorted(p.stem for p in PROMPTS_DIR.glob("*.yaml")))
        raise ArgumentValueError(
            f"no prompt template {name_or_path!r}: give one of {names} or the path of a YAML file "
            "with keys name, system, user"
        )
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ArgumentValueError(f"{path}: not a readable YAML prompt template: {' '.join(str(exc).split())}") from None
    if not isinstance(data, dict) or not isinstance(data.get("user"), str):
        raise ArgumentValueError(f"{path}: a prompt template is a mapping with keys name, system, user (text)")
    unknown = set(data) - {"name", "system", "user"}
    if unknown:
        raise ArgumentValueError(
            f"{path}: unknown key(s) {', '.join(sorted(map(str, unknown)))} in the prompt template; "
            "accepted: name, system, user"
        )
    system = data.get("system") or ""
    if not isinstance(system, str):
        raise ArgumentValueError(f"{path}: the prompt template's system must be text")
    template = PromptTemplate(
        name=str(data.get("name") or path.stem),
        system=system,
        user=data["user"],
        digest=hashlib.sha256(json.dumps([system, data["user"]]).encode()).hexdigest(),
    )
    import jinja2

    try:
        for source in (template.system, template.user):
            _jinja().parse(source)
    except jinja2.TemplateSyntaxError as exc:
        raise ArgumentValueError(f"{path}: line {exc.lineno} of a template: {exc.message}") from None
    return template


@dataclass(frozen=True)
class GlossaryEntry:
    """One imposed rendering; ``pair`` is (source, target), or ``None`` for every pair."""

    term: str
    rendering: str
    pair: tuple[str, str] | None = None


@dataclass(frozen=True)
class Glossary:
    """Terms and their renderings; each request lists those whose term occurs in its segments."""

    name: str
    digest: str
    entries: tuple[GlossaryEntry, ...]

    def entries_for(self, source: str, target: str, texts: list[str]) -> list[dict[str, str]]:
        joined = "\n".join(texts).casefold()
        return [
            {"term": e.term, "rendering": e.rendering}
            for e in self.entries
            if (e.pair is None or e.pair == (source, target)) and e.term.casefold() in joined
        ]


def load_glossary(path_text: str) -> Glossary:
    """A glossary file: TSV (``term<TAB>rendering``, or ``src<TAB>tgt<TAB>term<TAB>rendering`` for one pair;
    ``#`` starts a comment line) or YAML (``{term: rendering}``, or ``{"en-es": {term: rendering}}``)."""
    from ..languages import normalize_lang

    path = Path(path_text).expanduser()
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except OSError as exc:
        raise ArgumentValueError(f"cannot read the glossary {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ArgumentValueError(f"{path}: the glossary is not UTF-8 text") from None
    entries: list[GlossaryEntry] = []
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise ArgumentValueError(f"{path}: not readable YAML: {' '.join(str(exc).split())}") from None
        if not isinstance(data, dict):
            raise ArgumentValueError(f"{path}: a YAML glossary is a mapping of term: rendering (or of pair: mapping)")
        for key, value in data.items():
            if isinstance(value, dict):
                src, sep, tgt = str(key).partition("-")
                if not sep:
                    raise ArgumentValueError(f"{path}: {key!r} is no pair; write it as source-target, e.g. en-es")
                pair = (normalize_lang(src), normalize_lang(tgt))
                entries += [_entry(path, t, r, pair) for t, r in value.items()]
            else:
                entries.append(_entry(path, key, value, None))
    else:
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cells = line.split("\t")
            if len(cells) == 2:
                entries.append(_entry(path, cells[0], cells[1], None, number))
            elif len(cells) == 4:
                pair = (normalize_lang(cells[0]), normalize_lang(cells[1]))
                entries.append(_entry(path, cells[2], cells[3], pair, number))
            else:
                raise ArgumentValueError(
                    f"{path}:{number}: {len(cells)} tab-separated cells; a glossary line is term<TAB>rendering "
                    "or source<TAB>target<TAB>term<TAB>rendering"
                )
    return Glossary(name=path.name, digest=hashlib.sha256(raw).hexdigest(), entries=tuple(entries))


def _entry(path: Path, term: Any, rendering: Any, pair: tuple[str, str] | None, line: int = 0) -> GlossaryEntry:
    where = f"{path}:{line}" if line else str(path)
    if not isinstance(term, str) or not isinstance(rendering, str) or not term.strip() or not rendering.strip():
        raise ArgumentValueError(f"{where}: a glossary entry needs a term and a rendering, both text; got {term!r}")
    return GlossaryEntry(term.strip(), rendering.strip(), pair)


# -- small helpers ---------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def language_name(code: str) -> str:
    """The English name of a language code: 'es' → 'Spanish', 'pt-BR' → 'Portuguese (Brazil)'."""
    import langcodes

    try:
        return str(langcodes.Language.get(code).display_name("en"))
    except (langcodes.LanguageTagError, ValueError):
        return code


def _check_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ArgumentValueError(
            f"backend 'openai' option base_url must be an http(s) URL such as http://localhost:8000/v1; got {url!r}"
        )
    return url.strip().rstrip("/") + "/"


def _shown_url(url: str) -> str:
    """The base URL as signatures and messages show it: no user, password or query string."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
