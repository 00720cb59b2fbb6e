"""A real OpenAI-compatible chat-completions server for the tests, answering from Apertium.

Run as its own process (``python -m tests.openai_server --fd N`` on a socket the parent bound, so no
port can be taken in between); :func:`running_server` starts it, waits until it answers and stops it.

It understands the prompt of ``compare/backends/openai.py``: the language codes are the first two
``(xx)`` in the system message, the segments the JSON object in the user message. Its answers are
Apertium's translations as the JSON object with the same keys.

**Failure modes by model name.** The model is ``test-model`` followed by ``+mode`` tokens (and any
``+t=tag`` to keep tests' counters apart); any other model is a 404. Counters are per model name, so
a test that uses a fresh name gets deterministic behaviour:

- ``429``: the first request is a 429 with ``Retry-After: 1``; ``always429`` answers 429 every time.
- ``500``: the first request is a 500; ``leak``: every answer is a 500 whose message repeats the
  Authorization header it got.
- ``slow``: the first request is answered only when the next one has arrived (or after 60 s);
  ``slowall``: every request waits 60 s (or until the server stops).
- ``badjson``: the first answer is a 200 with a truncated JSON body; ``errorbody``: a 200 with an error and
  no choices.
- ``chatty``: the JSON comes inside "Here is the translation:" and a code fence, with a closing remark.
- ``dropid``: a request of several segments is answered without its last key; ``dupid``: its first key
  comes twice, the second time with a wrong value.
- ``otherkey``: several segments are answered as ``{"translations": [...]}``, one as ``{"translation": "..."}``.
- ``plain``: several segments are answered as numbered lines (no JSON), one as "Here is the translation: …".
- ``length``: a request of several segments is cut (``finish_reason=length``); ``lengthall``: every one.
- ``ctx``: a request of several segments is a 400 context-length error; ``ctxall``: every one.
- ``hang``: a request with ``HANG`` in a segment waits until ``POST /admin/release`` (at most 60 s); one
  with ``REJECT`` is a 400.
- ``hold``: every request waits 0.2 s before it is answered (requests overlap; see ``in_flight``).
- ``refuse``: every answer is an apology; ``refusal``: ``message.refusal`` is set.

With the environment variable :data:`SERVER_KEY_ENV` set, requests must carry ``Authorization:
Bearer <that key>``; others get a 401 whose message shows part of the key they gave, as OpenAI's does.
``GET /admin/requests?model=NAME`` lists what the server received for that model (without keys), each
request with ``in_flight`` (how many requests for that model it was serving then, this one included)
and ``done`` (whether it has been answered).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

ROOT = Path(__file__).resolve().parent.parent
SERVER_KEY_ENV = "MTC_TEST_SERVER_KEY"
BASE_MODEL = "test-model"
_CODES = re.compile(r"\(([a-z]{2,3}(?:-[A-Za-z0-9]+)?)\)")


def create_app(api_key: str | None = None) -> Any:
    """The FastAPI app: ``/health``, ``/v1/models``, ``/v1/chat/completions``, ``/admin/requests``."""
    from compare.backends import load_backend

    stopping = threading.Event()
    arrivals: dict[str, threading.Event] = defaultdict(threading.Event)

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        yield
        stopping.set()  # wake every waiting request, so the process exits at once
        released.set()
        for event in list(arrivals.values()):
            event.set()

    app = FastAPI(lifespan=lifespan)
    apertium = load_backend("apertium")
    translate_lock = threading.Lock()
    counts: dict[str, int] = defaultdict(int)
    log: dict[str, list[dict[str, Any]]] = defaultdict(list)
    in_flight: dict[str, int] = defaultdict(int)
    released = threading.Event()
    state = threading.Lock()

    memo: dict[tuple[str, str, str], str] = {}

    def translate(texts: list[str], source: str, target: str) -> list[str]:
        """Apertium's translations, each segment translated once per server (re-asks come from memory)."""
        with translate_lock:
            new = [t for t in dict.fromkeys(texts) if (t, source, target) not in memo]
            if new:
                for text, done in zip(new, apertium.translate(new, source, target)):
                    memo[(text, source, target)] = done.text
            return [memo[(t, source, target)] for t in texts]

    def error(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> JSONResponse:
        body = {"error": {"message": message, "type": "invalid_request_error", "code": code}}
        return JSONResponse(body, status_code=status, headers=headers)

    def completion(model: str, content: str | None, finish: str = "stop", refusal: str | None = None) -> JSONResponse:
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if refusal is not None:
            message["refusal"] = refusal
        return JSONResponse(
            {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        )

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/models")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": BASE_MODEL, "object": "model", "owned_by": "apertium"}]}

    @app.get("/admin/requests")
    def requests(model: str) -> list[dict[str, Any]]:
        with state:
            return list(log[model])

    @app.post("/admin/release")
    def release() -> dict[str, bool]:
        released.set()
        return {"released": True}

    @app.post("/v1/chat/completions")
    def chat(body: dict[str, Any], request: Request) -> Response:
        model = str(body.get("model", ""))
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if api_key is not None and given != api_key:
            shown = f"{given[:8]}******{given[-4:]}" if len(given) > 12 else "(none)"
            return error(
                401,
                f"Incorrect API key provided: {shown}. You can find your API key at your account.",
                "invalid_api_key",
            )
        base, *modes = model.split("+")
        if base != BASE_MODEL:
            return error(404, f"The model `{model}` does not exist or you do not have access to it.", "model_not_found")
        messages = body.get("messages") or []
        system = "\n".join(m["content"] for m in messages if m.get("role") == "system")
        user = "\n".join(m["content"] for m in messages if m.get("role") == "user")
        segments: dict[str, str] = json.loads(user)
        with state:
            counts[model] += 1
            number = counts[model]
            in_flight[model] += 1
            log[model].append(
                {
                    "number": number,
                    "time": time.monotonic(),
                    "segments": len(segments),
                    "system": system,
                    "user": user,
                    "temperature": body.get("temperature"),
                    "seed": body.get("seed"),
                    "max_tokens": body.get("max_tokens"),
                    "response_format": body.get("response_format"),
                    "authorized": bool(given),
                    "in_flight": in_flight[model],
                    "done": False,
                }
            )
            entry = log[model][-1]
            if number > 1:
                arrivals[model].set()
        try:
            return answer(model, modes, number, segments, system, given)
        finally:
            with state:
                in_flight[model] -= 1
                entry["done"] = True

    def answer(
        model: str, modes: list[str], number: int, segments: dict[str, str], system: str, given: str
    ) -> Response:
        """The answer to one request, as the model's modes make it."""
        first, several = number == 1, len(segments) > 1
        if "always429" in modes or ("429" in modes and first):
            return error(429, "Rate limit reached; please retry after 1s.", "rate_limit_exceeded", {"Retry-After": "1"})
        if "500" in modes and first:
            return error(500, "The server had an error while processing your request.", "server_error")
        if "leak" in modes:
            return error(500, f"internal error handling request with Authorization: Bearer {given}", "server_error")
        if "slow" in modes and first:
            arrivals[model].wait(60)
        if "slowall" in modes:
            stopping.wait(60)
        if "hang" in modes and any("HANG" in t for t in segments.values()):
            released.wait(60)
        if "hang" in modes and any("REJECT" in t for t in segments.values()):
            return error(400, "Invalid request: this segment is rejected.", "invalid_request")
        if "hold" in modes:
            stopping.wait(0.2)
        if "badjson" in modes and first:
            return Response(
                b'{"id": "chatcmpl-test", "choices": [{"message": {"content": "{\\"1\\": ',
                media_type="application/json",
            )
        if "errorbody" in modes and first:
            return JSONResponse({"error": {"message": "the model is overloaded, try again"}})
        if ("ctx" in modes and several) or "ctxall" in modes:
            return error(
                400,
                "This model's maximum context length is 64 tokens. However, your messages resulted in 200 tokens.",
                "context_length_exceeded",
            )
        if "refuse" in modes:
            return completion(model, "I'm sorry, but I can't help with that request.")
        if "refusal" in modes:
            return completion(model, None, refusal="I'm sorry, I cannot assist with that.")
        source, target = _CODES.findall(system)[:2]
        keys = list(segments)
        translated = dict(zip(keys, translate([segments[k] for k in keys], source, target)))
        if "plain" in modes:
            if several:
                return completion(model, "\n".join(f"{k}. {v}" for k, v in translated.items()))
            return completion(model, f"Here is the translation: {translated[keys[0]]}")
        if "otherkey" in modes:
            if several:
                return completion(model, json.dumps({"translations": list(translated.values())}, ensure_ascii=False))
            return completion(model, json.dumps({"translation": translated[keys[0]]}, ensure_ascii=False))
        if "dropid" in modes and several:
            translated.pop(keys[-1])
        text = json.dumps(translated, ensure_ascii=False)
        if "dupid" in modes and several:
            text = text[:-1] + f', {json.dumps(keys[0])}: "WRONG"}}'
        if ("length" in modes and several) or "lengthall" in modes:
            return completion(model, text[: max(1, len(text) // 2)], finish="length")
        if "chatty" in modes:
            text = f"Here is the translation:\n```json\n{text}\n```\nLet me know if you need anything else!"
        return completion(model, text)

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fd", type=int, required=True, help="a bound, listening TCP socket to serve on")
    args = parser.parse_args(argv)
    import uvicorn

    app = create_app(os.environ.get(SERVER_KEY_ENV) or None)
    sock = socket.socket(fileno=args.fd)
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1, lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])


@contextmanager
def running_server(api_key: str | None = None, ready_timeout: float = 180.0) -> Iterator[str]:
    """Start the server as its own process on a free localhost port; yield its base URL (``…/v1``); stop it."""
    import httpx

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != SERVER_KEY_ENV}
    if api_key is not None:
        env[SERVER_KEY_ENV] = api_key
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.openai_server", "--fd", str(sock.fileno())],
            pass_fds=(sock.fileno(),),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        sock.close()
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + ready_timeout
            while True:
                if proc.poll() is not None:
                    stderr.seek(0)
                    raise RuntimeError(
                        f"the test server exited with {proc.returncode}: {stderr.read().decode()[-2000:]}"
                    )
                try:
                    if httpx.get(f"{url}/health", timeout=10, trust_env=False).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the test server did not answer within {ready_timeout:g} s")
                time.sleep(0.1)
            yield f"{url}/v1"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def received(base_url: str, model: str) -> list[dict[str, Any]]:
    """What the server at ``base_url`` received for ``model``, in order."""
    import httpx

    root = base_url.removesuffix("/v1")
    response = httpx.get(f"{root}/admin/requests", params={"model": model}, timeout=30, trust_env=False)
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


if __name__ == "__main__":
    main()
