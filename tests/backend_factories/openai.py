"""Contract factory: the openai backend against the test's own OpenAI-compatible server (tests/openai_server.py),
a real process on a free localhost port answering from Apertium, started here and stopped on exit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from compare.backends import Backend, load_backend

NAME = "openai"
PAIR = ("en", "es")
KEY = "sk-contract-5e1d0c9b8a7f"
KEY_ENV = "MTC_CONTRACT_OPENAI_KEY"


@contextmanager
def make(tmp_path: Path) -> Iterator[Backend]:
    import os

    from tests.openai_server import running_server

    # The key in its variable; the local server reached directly even where a proxy is configured.
    settings = {KEY_ENV: KEY, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        with running_server(api_key=KEY) as url:
            yield load_backend("openai:test-model", base_url=url, api_key_env=KEY_ENV, batch_size=2, timeout=60)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
