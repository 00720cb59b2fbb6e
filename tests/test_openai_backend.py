"""The openai backend against a real OpenAI-compatible server process answering from Apertium.

The server (tests/openai_server.py) runs as its own process on a free localhost port; its failure
modes are chosen by the model name, and every test uses a fresh name so the server's counters
("the first request fails") are its own. Nothing is mocked: requests go over HTTP, translations come
from Apertium, and the cache is a real SQLite file.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from compare.backends import get_backend_class, load_backend
from compare.backends.apertium import ApertiumBackend
from compare.backends.openai import OpenAIBackend, load_glossary, parse_answer, strip_chatter
from compare.cache import TranslationCache
from compare.errors import (
    ArgumentValueError,
    BackendUnavailableError,
    ExternalCommandError,
    MissingExtraError,
    ModelUnavailableError,
)

from .conftest import run_cli
from .openai_server import received, running_server

KEY_ENV = "MTC_TEST_OPENAI_KEY"
KEY = "sk-test-3f9a1c77d2e04b8c9a5e"
SEGMENTS = [
    "The house is big.",
    "I have a dog.",
    "She reads books in the library.",
    "The city is beautiful.",
    "We eat bread.",
]


@pytest.fixture(scope="module")
def server(apertium: str) -> Iterator[str]:
    """The base URL (…/v1) of a server that wants ``Authorization: Bearer KEY``."""
    with running_server(api_key=KEY) as url:
        yield url


@pytest.fixture(scope="module")
def expected(apertium: str) -> list[str]:
    """Apertium's own en→es translations of SEGMENTS: what the server answers with."""
    return [t.text for t in ApertiumBackend().translate(SEGMENTS, "en", "es")]


@pytest.fixture(autouse=True)
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The key in its variable; the local server reached directly even where a proxy is configured."""
    monkeypatch.setenv(KEY_ENV, KEY)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")


def model(*modes: str) -> str:
    """A model name with these failure modes, new to the server."""
    return "+".join(["test-model", *modes, f"t={uuid.uuid4().hex[:8]}"])


def backend(url: str, name: str, **options: object) -> OpenAIBackend:
    options = {"base_url": url, "api_key_env": KEY_ENV, "backoff": 0.0, **options}
    made = load_backend(f"openai:{name}", **options)
    assert isinstance(made, OpenAIBackend)
    return made


def one_line(exc: pytest.ExceptionInfo[BaseException]) -> str:
    text = str(exc.value)
    assert "\n" not in text and text.strip(), text
    assert KEY not in text and KEY[:8] not in text, text
    return text


def texts(translations: list) -> list[str]:  # type: ignore[type-arg]
    return [t.text for t in translations]


# -- the happy path --------------------------------------------------------------------------------


def test_several_segments_per_request_in_order(server: str, expected: list[str]) -> None:
    name = model()
    out = backend(server, name, batch_size=2, concurrency=2).translate(SEGMENTS, "en", "es")
    assert texts(out) == expected
    seen = received(server, name)
    assert sorted(r["segments"] for r in seen) == [1, 2, 2]
    first = seen[0]
    assert "English (en)" in first["system"] and "Spanish (es)" in first["system"]
    assert "Translate only" in first["system"]
    assert first["temperature"] == 0 and first["seed"] is None and first["max_tokens"] is None
    assert first["response_format"] is None and first["authorized"]
    assert all(set(json.loads(r["user"])) == {str(n) for n in range(1, r["segments"] + 1)} for r in seen)


def test_blank_segments_are_not_sent(server: str, expected: list[str]) -> None:
    name = model()
    out = backend(server, name).translate(["", SEGMENTS[0], "   "], "en", "es")
    assert texts(out) == ["", expected[0], ""]
    assert [r["segments"] for r in received(server, name)] == [1]


def test_concurrency_limit_holds(server: str) -> None:
    name = model("hold")
    out = backend(server, name, batch_size=1, concurrency=2).translate(SEGMENTS, "en", "es")
    assert len(out) == len(SEGMENTS)
    seen = received(server, name)
    assert len(seen) == len(SEGMENTS)
    assert max(r["in_flight"] for r in seen) <= 2


def test_a_failed_request_fails_the_batch_without_waiting_for_the_others(server: str) -> None:
    import httpx

    name = model("hang")
    try:
        with pytest.raises(ExternalCommandError) as exc:
            backend(server, name, batch_size=1, concurrency=2).translate(["HANG on.", "REJECT this."], "en", "es")
        assert "400 Bad Request: Invalid request: this segment is rejected." in one_line(exc)
        hung = [r for r in received(server, name) if "HANG" in r["user"]]
        assert all(not r["done"] for r in hung)  # the error came while the other request was still waiting
    finally:
        httpx.post(server.removesuffix("/v1") + "/admin/release", timeout=30, trust_env=False)


def test_registered_by_name_and_options_listed() -> None:
    cls = get_backend_class("openai")
    assert cls is OpenAIBackend
    names = cls.option_names()
    for option in ("base_url", "api_key_env", "temperature", "batch_size", "concurrency", "timeout", "retries"):
        assert option in names
    assert cls.can_sample and not cls.gives_alignment


# -- retries ---------------------------------------------------------------------------------------


def test_429_waits_as_retry_after_asks_then_succeeds(server: str, expected: list[str]) -> None:
    name = model("429")
    out = backend(server, name, backoff=0.0).translate(SEGMENTS[:2], "en", "es")
    assert texts(out) == expected[:2]
    first, second = received(server, name)
    assert second["time"] - first["time"] >= 0.9  # Retry-After: 1 (the backoff alone would be 0)


def test_500_then_success(server: str, expected: list[str]) -> None:
    name = model("500")
    assert texts(backend(server, name).translate(SEGMENTS[:3], "en", "es")) == expected[:3]
    assert len(received(server, name)) == 2


def test_timeout_then_success(server: str, expected: list[str]) -> None:
    name = model("slow")
    out = backend(server, name, timeout=5.0).translate(SEGMENTS[:2], "en", "es")
    assert texts(out) == expected[:2]
    assert len(received(server, name)) == 2  # the first request timed out and was asked again


def test_timeout_without_retries_is_one_line(server: str) -> None:
    name = model("slowall")
    with pytest.raises(ExternalCommandError) as exc:
        backend(server, name, timeout=1.0, retries=0).translate(SEGMENTS[:1], "en", "es")
    assert "no answer within 1 s" in one_line(exc) and "1 attempt" in str(exc.value)


def test_malformed_json_body_is_asked_again(server: str, expected: list[str]) -> None:
    name = model("badjson")
    assert texts(backend(server, name).translate(SEGMENTS[:2], "en", "es")) == expected[:2]
    assert len(received(server, name)) == 2


def test_error_body_with_status_200_is_asked_again(server: str, expected: list[str]) -> None:
    name = model("errorbody")
    assert texts(backend(server, name).translate(SEGMENTS[:2], "en", "es")) == expected[:2]
    assert len(received(server, name)) == 2
    with pytest.raises(ExternalCommandError) as exc:
        backend(server, model("errorbody"), retries=0).translate(SEGMENTS[:1], "en", "es")
    assert "an error instead of choices: the model is overloaded" in one_line(exc)


def test_rate_limited_every_time_gives_up_in_one_line(server: str) -> None:
    name = model("always429")
    with pytest.raises(ExternalCommandError) as exc:
        backend(server, name, retries=1).translate(SEGMENTS[:1], "en", "es")
    assert "rate limited (429)" in one_line(exc) and "2 attempts" in str(exc.value)
    assert len(received(server, name)) == 2


# -- answers that need repair ------------------------------------------------------------------------


def test_chatty_answer_around_the_json(server: str, expected: list[str]) -> None:
    name = model("chatty")
    assert texts(backend(server, name).translate(SEGMENTS, "en", "es")) == expected
    assert [r["segments"] for r in received(server, name)] == [5]


def test_missing_id_is_asked_again_singly(server: str, expected: list[str]) -> None:
    name = model("dropid")
    assert texts(backend(server, name).translate(SEGMENTS, "en", "es")) == expected
    seen = received(server, name)
    assert [r["segments"] for r in seen] == [5, 1]
    assert json.loads(seen[1]["user"]) == {"1": SEGMENTS[-1]}


def test_repeated_id_is_asked_again_singly(server: str, expected: list[str]) -> None:
    name = model("dupid")
    out = texts(backend(server, name).translate(SEGMENTS, "en", "es"))
    assert out == expected and "WRONG" not in out
    seen = received(server, name)
    assert [r["segments"] for r in seen] == [5, 1]
    assert json.loads(seen[1]["user"]) == {"1": SEGMENTS[0]}


def test_plain_text_answers_fall_back_to_single_segments(server: str, expected: list[str]) -> None:
    name = model("plain")
    assert texts(backend(server, name).translate(SEGMENTS[:3], "en", "es")) == expected[:3]
    assert [r["segments"] for r in received(server, name)] == [3, 1, 1, 1]


def test_other_keys_fall_back_to_single_segments(server: str, expected: list[str]) -> None:
    name = model("otherkey")
    assert texts(backend(server, name).translate(SEGMENTS[:2], "en", "es")) == expected[:2]
    assert [r["segments"] for r in received(server, name)] == [2, 1, 1]


def test_finish_reason_length_splits_the_request(server: str, expected: list[str]) -> None:
    name = model("length")
    assert texts(backend(server, name, batch_size=4).translate(SEGMENTS[:4], "en", "es")) == expected[:4]
    assert [r["segments"] for r in received(server, name)] == [4, 2, 1, 1, 2, 1, 1]


def test_finish_reason_length_on_one_segment_is_one_line(server: str) -> None:
    name = model("lengthall")
    with pytest.raises(ExternalCommandError) as exc:
        backend(server, name, max_tokens=7).translate(SEGMENTS[:2], "en", "es")
    text = one_line(exc)
    assert "finish_reason=length" in text and "max_tokens" in text and SEGMENTS[0][:10] in text
    assert all(r["max_tokens"] == 7 for r in received(server, name))


def test_context_length_error_splits_then_names_the_segment(server: str, expected: list[str]) -> None:
    name = model("ctx")
    assert texts(backend(server, name).translate(SEGMENTS[:2], "en", "es")) == expected[:2]
    assert [r["segments"] for r in received(server, name)] == [2, 1, 1]
    with pytest.raises(ExternalCommandError) as exc:
        backend(server, model("ctxall")).translate(SEGMENTS[:2], "en", "es")
    assert "too long" in one_line(exc) and "maximum context length" in str(exc.value)


@pytest.mark.parametrize("mode", ["refuse", "refusal"])
def test_refusal_is_one_line(server: str, mode: str) -> None:
    with pytest.raises(ExternalCommandError) as exc:
        backend(server, model(mode)).translate(SEGMENTS[:2], "en", "es")
    text = one_line(exc)
    assert "refused to translate" in text and "sorry" in text.lower()


# -- authentication, model, key hygiene -------------------------------------------------------------


def test_wrong_key_is_one_line_without_the_key(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = "sk-wrong-9d8c7b6a5f4e3d2c1b0a"
    monkeypatch.setenv(KEY_ENV, wrong)
    with pytest.raises(BackendUnavailableError) as exc:
        backend(server, model()).translate(SEGMENTS[:1], "en", "es")
    text = str(exc.value)
    assert "\n" not in text and "401" in text and f"${KEY_ENV}" in text
    assert wrong not in text and wrong[:8] not in text and wrong[-4:] not in text


def test_no_key_says_the_variable_is_not_set(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV)
    with pytest.raises(BackendUnavailableError) as exc:
        backend(server, model()).translate(SEGMENTS[:1], "en", "es")
    assert f"${KEY_ENV} is not set" in one_line(exc)


def test_unknown_model_names_what_the_server_has(server: str) -> None:
    with pytest.raises(ModelUnavailableError) as exc:
        backend(server, "no-such-model").translate(SEGMENTS[:1], "en", "es")
    text = one_line(exc)
    assert "404" in text and "'no-such-model' is not served here" in text and "test-model" in text


def test_base_url_without_the_api_root_says_what_to_check(server: str) -> None:
    with pytest.raises(ModelUnavailableError) as exc:
        backend(server.removesuffix("/v1"), "test-model").translate(SEGMENTS[:1], "en", "es")
    text = one_line(exc)
    assert "404" in text and "base_url is the API root" in text and "/v1" in text


def test_key_in_a_server_error_is_redacted(server: str) -> None:
    with pytest.raises(ExternalCommandError) as exc:
        backend(server, model("leak"), retries=0).translate(SEGMENTS[:1], "en", "es")
    assert "server error 500" in one_line(exc) and "[key]" in str(exc.value)


def test_key_never_in_signature_or_cache(server: str, tmp_path: Path, expected: list[str]) -> None:
    name = model()
    system = backend(server, name)
    signature = system.hop_signature("en", "es")
    shown = json.dumps(signature.to_dict()) + signature.short
    assert KEY not in shown and KEY_ENV not in shown
    settings = dict(signature.settings)
    assert signature.model == name and settings["base_url"] == server
    assert settings["prompt"].startswith("translate-v1@") and settings["temperature"] == 0.0
    with TranslationCache(tmp_path / "cache") as cache:
        assert texts(system.translate(SEGMENTS, "en", "es", cache=cache)) == expected
        assert texts(system.translate(SEGMENTS, "en", "es", cache=cache)) == expected
    assert len(received(server, name)) == 1  # the second run came from the cache
    raw = b"".join(p.read_bytes() for p in (tmp_path / "cache").iterdir())
    assert KEY.encode() not in raw and KEY_ENV.encode() not in raw
    with sqlite3.connect(tmp_path / "cache" / TranslationCache.FILENAME) as db:
        stored = [row[0] for row in db.execute("SELECT signature FROM translations")]
    assert stored and all(KEY not in s and name in s for s in stored)


def test_credentials_in_the_url_stay_out_of_the_signature() -> None:
    system = OpenAIBackend("m", base_url="https://user:secret@api.example.org/v1/?token=abc")
    settings = dict(system.hop_signature("en", "es").settings)
    assert settings["base_url"] == "https://api.example.org/v1"


# -- settings ----------------------------------------------------------------------------------------


def test_settings_change_the_signature_and_determinism() -> None:
    url = "http://127.0.0.1:9/v1"
    plain = OpenAIBackend("m", base_url=url)
    warm = OpenAIBackend("m", base_url=url, temperature=0.7)
    sampled = OpenAIBackend("m", base_url=url, sample=3)
    assert plain.deterministic and not warm.deterministic and not sampled.deterministic
    signatures = {b.hop_signature("en", "es") for b in (plain, warm, sampled, OpenAIBackend("n", base_url=url))}
    assert len(signatures) == 4
    assert dict(sampled.hop_signature("en", "es").settings)["temperature"] == 1.0
    assert OpenAIBackend("m", base_url=url, batch_size=3).hop_signature("en", "es") != plain.hop_signature("en", "es")


def test_sample_seed_max_tokens_and_json_mode_are_sent(server: str, expected: list[str]) -> None:
    name = model()
    out = backend(server, name, sample=11, max_tokens=500, json_mode=True).translate(SEGMENTS[:2], "en", "es")
    assert texts(out) == expected[:2]
    (seen,) = received(server, name)
    assert seen["seed"] == 11 and seen["temperature"] == 1.0 and seen["max_tokens"] == 500
    assert seen["response_format"] == {"type": "json_object"}


def test_sample_roundtrip_sends_one_seed_per_sample(server: str, tmp_path: Path) -> None:
    import compare

    name = model()
    options = {"base_url": server, "api_key_env": KEY_ENV}
    stable = compare.sample_roundtrip(
        "The house is big.", via=["es"], backends=[f"openai:{name}"], samples=3, seed=5, cache=tmp_path, **options
    )
    (system,) = stable.systems
    assert system.seeds == (5, 6, 7) and not system.deterministic
    seen = received(server, name)
    assert sorted(r["seed"] for r in seen) == [5, 5, 6, 6, 7, 7]  # en→es and es→en per sample
    assert all(r["temperature"] == 1.0 for r in seen)


def test_glossary_terms_go_into_the_prompt(server: str, tmp_path: Path) -> None:
    glossary = tmp_path / "terms.tsv"
    glossary.write_text("# term\trendering\nhouse\tcasona\nen\tes\tdog\tperrito\nes\ten\tperro\tpup\n", "utf-8")
    name = model()
    system = backend(server, name, glossary=str(glossary), batch_size=1)
    system.translate(SEGMENTS[:3], "en", "es")
    prompts = {json.loads(r["user"])["1"]: r["system"] for r in received(server, name)}
    assert "house → casona" in prompts[SEGMENTS[0]] and "perrito" not in prompts[SEGMENTS[0]]
    assert "dog → perrito" in prompts[SEGMENTS[1]] and "pup" not in prompts[SEGMENTS[1]]
    assert "→" not in prompts[SEGMENTS[2]]
    assert dict(system.hop_signature("en", "es").settings)["glossary"].startswith("terms.tsv@")


def test_yaml_glossary_and_bad_glossary_lines(tmp_path: Path) -> None:
    good = tmp_path / "g.yaml"
    good.write_text("Daesh: Daesh\nen-es:\n  regime: régimen\n", "utf-8")
    entries = load_glossary(str(good)).entries
    assert [(e.term, e.rendering, e.pair) for e in entries] == [
        ("Daesh", "Daesh", None),
        ("regime", "régimen", ("en", "es")),
    ]
    bad = tmp_path / "bad.tsv"
    bad.write_text("house\tcasa\nonly one cell\n", "utf-8")
    with pytest.raises(ArgumentValueError, match=r"bad\.tsv:2: 1 tab-separated cells"):
        load_glossary(str(bad))


def test_option_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(ArgumentValueError, match="needs the server's address: -O base_url="):
        OpenAIBackend("m")
    with pytest.raises(ArgumentValueError, match="needs a model"):
        OpenAIBackend(None, base_url="http://localhost:8000/v1")
    with pytest.raises(ArgumentValueError, match="must be an http"):
        OpenAIBackend("m", base_url="localhost:8000")
    with pytest.raises(ArgumentValueError, match="no option 'temprature'"):
        OpenAIBackend("m", base_url="http://localhost:8000/v1", temprature=0)
    with pytest.raises(ArgumentValueError, match="api_key_env must name an environment variable"):
        OpenAIBackend("m", base_url="http://localhost:8000/v1", api_key_env="sk-abc")
    with pytest.raises(ArgumentValueError, match="no prompt template 'nope'.*translate-v1"):
        OpenAIBackend("m", base_url="http://localhost:8000/v1", prompt="nope")
    prompt = tmp_path / "p.yaml"
    prompt.write_text("name: mine\nsystem: Translate {{ source_name }}.\nuser: '{{ segments }}'\nextra: 1\n", "utf-8")
    with pytest.raises(ArgumentValueError, match="unknown key.*extra"):
        OpenAIBackend("m", base_url="http://localhost:8000/v1", prompt=str(prompt))


def test_own_prompt_template_is_named_and_hashed(tmp_path: Path) -> None:
    prompt = tmp_path / "p.yaml"
    prompt.write_text("name: mine\nsystem: Translate {{ source_name }}.\nuser: '{{ segments }}'\n", "utf-8")
    first = dict(OpenAIBackend("m", base_url="http://h/v1", prompt=str(prompt)).hop_signature("en", "es").settings)
    prompt.write_text("name: mine\nsystem: Translate {{ source_name }}!\nuser: '{{ segments }}'\n", "utf-8")
    second = dict(OpenAIBackend("m", base_url="http://h/v1", prompt=str(prompt)).hop_signature("en", "es").settings)
    assert first["prompt"].startswith("mine@") and first["prompt"] != second["prompt"]


def test_unreachable_server_is_one_line() -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
        with pytest.raises(ExternalCommandError) as exc:
            OpenAIBackend("m", base_url=url, retries=1, backoff=0.0).translate(["Hello."], "en", "es")
    assert "cannot reach the server" in one_line(exc) and "2 attempts" in str(exc.value)


def test_missing_httpx_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)
    with pytest.raises(BackendUnavailableError, match=r"mtcompare\[openai\]"):
        load_backend("openai:m", base_url="http://localhost:8000/v1")
    with pytest.raises(MissingExtraError, match=r"mtcompare\[openai\]"):
        OpenAIBackend("m", base_url="http://localhost:8000/v1").translate(["Hello."], "en", "es")


# -- parsing -----------------------------------------------------------------------------------------


def test_parse_answer_is_strict() -> None:
    assert parse_answer('{"1": "a", "2": "b"}', ["1", "2"]) == {"1": "a", "2": "b"}
    assert parse_answer('Sure! {"note": 1} then {"1": " a ", "2": ""}', ["1", "2"]) == {"1": "a"}
    assert parse_answer('{"1": "a", "1": "b", "2": "c"}', ["1", "2"]) == {"2": "c"}
    assert parse_answer('{"1": ["a"], "2": {"text": "b"}, "3": "c"}', ["1", "2", "3"]) == {"3": "c"}
    assert parse_answer('{"1": "a", "9": "z"}', ["1", "2"]) == {"1": "a"}
    assert parse_answer("1. a\n2. b", ["1", "2"]) == {}
    assert parse_answer('```json\n{"1": "a {b}"}\n```', ["1"]) == {"1": "a {b}"}


@pytest.mark.parametrize(
    ("answer", "text"),
    [
        ("Here is the translation: La casa es grande.", "La casa es grande."),
        ("Sure! Here's the translation:\n\n“La casa.”", "La casa."),
        ("Translation (Spanish): Tengo un perro.", "Tengo un perro."),
        ("```\nLee libros.\n```", "Lee libros."),
        ("La traducción: no es fácil.", "La traducción: no es fácil."),
        ('"Quoted" and not wrapped.', '"Quoted" and not wrapped.'),
        ("Leemos.\n\nNote: the subject is implied.", "Leemos."),
        ("Leemos.\n\nLet me know if you need more!", "Leemos."),
        ("Leemos.\n\nNos vamos.", "Leemos.\n\nNos vamos."),
    ],
)
def test_strip_chatter(answer: str, text: str) -> None:
    assert strip_chatter(answer, "We read.") == text


def test_strip_chatter_keeps_a_note_the_source_has() -> None:
    assert strip_chatter("Leemos.\n\nNota: nada.", "We read.\n\nNote: nothing.") == "Leemos.\n\nNota: nada."
    assert strip_chatter("Leemos.\n\nNote: nothing.", "We read.\n\nNote: nothing.") == "Leemos.\n\nNote: nothing."


# -- the command line ----------------------------------------------------------------------------------


def test_cli_roundtrip_through_the_server(server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if "--option" not in run_cli("roundtrip", "--help").stdout:
        pytest.skip("mtcompare roundtrip has no -O/--option yet")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    text = tmp_path / "in.txt"
    text.write_text("The house is big. I have a dog.\n", "utf-8")
    name = model()
    out = tmp_path / "out.json"
    args = ["roundtrip", str(text), "--via", "es", "-b", f"gpt=openai:{name}", "-O", f"base_url={server}"]
    proc = run_cli(*args, "--cache-dir", str(tmp_path / "cache"), "--format", "json", "-o", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    assert KEY not in proc.stdout + proc.stderr
    result = json.loads(out.read_text("utf-8"))
    (path,) = result["paths"]
    assert path["system"] == "gpt"
    hops = [h["signature"] for h in path["hops"]]
    assert [(h["backend"], h["model"], h["settings"]["base_url"]) for h in hops] == [("openai", name, server)] * 2
    assert KEY not in out.read_text("utf-8")
    assert [r["segments"] for r in received(server, name)] == [2, 2]  # en→es, then es→en


def test_cli_missing_base_url_is_one_line(tmp_path: Path) -> None:
    if "--option" not in run_cli("roundtrip", "--help").stdout:
        pytest.skip("mtcompare roundtrip has no -O/--option yet")
    text = tmp_path / "in.txt"
    text.write_text("The house is big.\n", "utf-8")
    proc = run_cli("roundtrip", str(text), "--via", "es", "-b", "openai:m", "--no-cache", "-q")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "base_url" in lines[0], proc.stderr
