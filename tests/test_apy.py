"""The apy backend against a real apertium-apy server that the tests start (and a few broken servers)."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from compare.backends import load_backend
from compare.backends.apertium import installed_modes, mode_package_version
from compare.backends.apy import ApyBackend, strip_marks
from compare.errors import ArgumentValueError, BackendUnavailableError, ExternalCommandError, UnsupportedPairError

from .backend_factories.apy import running_apy, stop
from .conftest import run_cli


@pytest.fixture(scope="module")
def apy_url(apertium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_apy(tmp_path_factory.mktemp("apy")) as url:
        yield url


def test_strip_marks_tells_marks_from_literals() -> None:
    assert strip_marks("*Daesh y @me 5*3 #espectre", "Daesh and @me 5*3 spectre") == (
        "Daesh y @me 5*3 espectre",
        ("Daesh", "espectre"),
    )
    # A literal token counts as often as the source holds it; a second one is a mark.
    assert strip_marks("@me @me", "@me me") == ("@me me", ("me",))
    assert strip_marks("  sin marcas  ", "no marks") == ("sin marcas", ())
    # * copies an unknown source word (also inside a token); a literal * before a translated word is text.
    assert strip_marks("libras*illion y *terroristas*", "£11million and *terrorists*") == (
        "librasillion y *terroristas*",
        ("illion",),
    )
    # @ and # start a token; @ names a source lemma.
    assert strip_marks("interior#de y at@inside, @el mango, @move", "mark#inside at@inside @handle moved") == (
        "interior#de y at@inside, @el mango, move",
        ("move",),
    )


def test_pairs_come_from_the_server(apy_url: str) -> None:
    backend = load_backend("apy", url=apy_url)
    pairs = backend.pairs()
    assert {("en", "es"), ("es", "en"), ("es", "ca"), ("fr", "es"), ("es", "pt-BR"), ("mk", "en")} <= pairs
    assert backend.server_pairs()[("es", "pt-BR")] == "spa|por_BR"
    assert ("en", "ar") not in pairs
    # The spec argument is the URL too.
    assert load_backend(f"apy:{apy_url}").pairs() == pairs


def test_signature_names_the_servers_pair_and_the_installed_version(apy_url: str) -> None:
    signature = load_backend("apy", url=apy_url).hop_signature("en", "es")
    assert (signature.backend, signature.model, signature.settings) == ("apy", "eng-spa", ())
    assert signature.revision == mode_package_version(installed_modes()[("en", "es")])
    assert signature.revision  # Debian's version of apertium-eng-spa, e.g. 0.8.1-2
    # The same server under a name that is not this machine's loopback: its versions cannot be known.
    host = socket.gethostname()
    try:
        socket.getaddrinfo(host, None)
    except OSError:
        return
    remote = f"http://{host}:{apy_url.rsplit(':', 1)[1]}"
    signature = load_backend("apy", url=remote).hop_signature("en", "es")
    assert signature.revision is None and dict(signature.settings) == {"server": remote}


# Sentences without the words after which Apertium's tagger keeps state into the next segment.
SENTENCES = {
    ("en", "es"): [
        "Daesh Takfiri terrorists were moved to the north.",
        "The regime shelled the town and the government said nothing.",
        "Cost $5 [x] a^b {y} <tag> @me 5*3",
        "",
        "The house is big.",
    ],
    ("es", "ca"): ["El gobierno dijo que el ejército atacó la ciudad.", "Los terroristas de Daesh huyeron."],
    ("fr", "es"): ["Le gouvernement a dit que l'armée a attaqué la ville.", "Le régime syrien a bombardé Alep."],
    ("es", "pt"): ["El gobierno dijo que el ejército atacó la ciudad.", "El régimen bombardeó Alepo."],
}


def test_translations_are_the_apertium_backends(apy_url: str) -> None:
    """Text and unknown words as the apertium backend gives them (which runs the same modes locally)."""
    apy = load_backend("apy", url=apy_url)
    local = load_backend("apertium")
    for (src, tgt), texts in SENTENCES.items():
        got = apy.translate(texts, src, tgt)
        want = local.translate(texts, src, tgt)
        assert [(t.text, t.unknown) for t in got] == [(t.text, t.unknown) for t in want], (src, tgt)
        assert all(t.alignment == () for t in got)
    [daesh] = apy.translate(["Daesh Takfiri terrorists were moved to the north."], "en", "es")
    assert daesh.unknown == ("Daesh", "Takfiri") and "*" not in daesh.text
    assert apy.translate(["", "  "], "en", "es")[0].text == ""


def test_batches_give_what_single_requests_give(apy_url: str) -> None:
    """Segments batched with blank lines between them come back as one request per segment gives them,
    literal stream specials and marks included; a segment with a blank line of its own goes alone."""
    from .test_apertium import ADVERSARIAL

    texts = [*SENTENCES[("en", "es")], *ADVERSARIAL, "Two\n\nparagraphs here.", "line\none", "The army left."]
    backend = load_backend("apy", url=apy_url, batch_size=8)
    batches = backend._batches(texts)
    assert [22] in batches and all(len(b) <= 8 for b in batches) and len(batches) == 4
    assert sorted(i for b in batches for i in b) == [i for i, t in enumerate(texts) if t.strip()]  # "" in none
    assert [len(b) for b in load_backend("apy", url=apy_url)._batches(["word " * 300] * 5)] == [2, 2, 1]  # bytes
    batched = backend.translate(texts, "en", "es")
    assert batched == load_backend("apy", url=apy_url, batch_size=1).translate(texts, "en", "es")
    assert batched == load_backend("apy", url=apy_url, concurrency=3).translate(texts, "en", "es")
    assert batched[-3].text.count("\n\n") == 1 and batched[-2].text.count("\n") == 1


def test_a_pair_the_server_lacks(apy_url: str) -> None:
    backend = load_backend("apy", url=apy_url)
    with pytest.raises(UnsupportedPairError, match=r"^apy:http://127\.0\.0\.1:\d+ has no pair en→ar; it has: .*en↔es"):
        backend.translate(["The house."], "en", "ar")
    with pytest.raises(UnsupportedPairError) as exc:
        backend.translate(["The house."], "en", "fr")
    assert str(exc.value) == f"apy:{apy_url} has no pair en→fr; a route that exists: --chain es,fr,es (or --route auto)"


def test_options_are_checked() -> None:
    with pytest.raises(ArgumentValueError, match=r"needs its server's address: -O url=http://localhost:2737"):
        load_backend("apy")
    with pytest.raises(ArgumentValueError, match="must be an http:// or https:// URL; got 'localhost:2737'"):
        load_backend("apy", url="localhost:2737")
    with pytest.raises(ArgumentValueError, match="has no option 'batch'; its options: url, timeout"):
        load_backend("apy", url="http://localhost:2737", batch=5)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_no_server_is_one_line() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    backend = load_backend("apy", url=url, retries=1)
    with pytest.raises(BackendUnavailableError) as exc:
        backend.translate(["The house."], "en", "es")
    message = str(exc.value)
    assert message.startswith(f"cannot reach apertium-apy at {url}: ") and "(2 tries)" in message
    assert "apertium-apy -p 2737 /usr/share/apertium/modes" in message and "\n" not in message


def test_no_server_on_the_command_line(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("The house is big.\n", encoding="utf-8")
    url = f"http://127.0.0.1:{_closed_port()}"
    run = run_cli("roundtrip", str(article), "--via", "es", "-b", "apy", "-O", f"url={url}", "-O", "retries=0")
    assert run.returncode != 0
    [line] = run.stderr.strip().splitlines()
    assert line.startswith(f"mtcompare: error: cannot reach apertium-apy at {url}")


# Servers that misbehave: real processes on localhost.
BROKEN_SERVER = textwrap.dedent(
    """
    import http.server, json, socket, sys, time, urllib.parse
    mode = sys.argv[1]

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, code, body):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            print(self.path.split("?")[0], flush=True)
            pairs = [{"sourceLanguage": "eng", "targetLanguage": "spa"}]
            self.answer(200, {"responseData": pairs, "responseDetails": None, "responseStatus": 200})

        def do_POST(self):
            form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
            print(self.path, flush=True)
            if mode == "merge":  # blank lines become one newline: a batch does not split back
                text = form["q"][0].replace("\\n\\n", "\\n").upper()
                self.answer(200, {"responseData": {"translatedText": text}, "responseStatus": 200})
            elif mode == "503":
                self.answer(503, {"status": "error", "code": 503, "explanation": "internal error"})
            elif mode == "400":
                self.answer(400, {"status": "error", "code": 400, "explanation": "That pair is not installed"})
            elif mode == "garbage":
                self.answer(200, b"<html>not json</html>")
            elif mode == "slow":
                time.sleep(60)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """
)


@pytest.fixture()
def broken_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, Path]]:
    script = tmp_path / "server.py"
    script.write_text(BROKEN_SERVER, encoding="utf-8")
    log = tmp_path / "requests.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-u", str(script), request.param], stdout=out, start_new_session=True)
    try:
        for _ in range(600):
            lines = log.read_text().splitlines()
            if lines or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert lines, "the test server did not start"
        yield f"http://127.0.0.1:{lines[0]}", log
    finally:
        stop(proc)  # type: ignore[arg-type]


@pytest.mark.parametrize("broken_server", ["503"], indirect=True)
def test_server_errors_are_retried_then_one_line(broken_server: tuple[str, Path]) -> None:
    url, log = broken_server
    backend = load_backend("apy", url=url, retries=2)
    with pytest.raises(ExternalCommandError) as exc:
        backend.translate(["The house."], "en", "es")
    assert str(exc.value) == f"apertium-apy at {url} failed on /translate: HTTP 503: internal error (3 tries)"
    assert log.read_text().splitlines()[1:] == ["/listPairs", "/translate", "/translate", "/translate"]


@pytest.mark.parametrize("broken_server", ["400"], indirect=True)
def test_a_refusal_is_not_retried(broken_server: tuple[str, Path]) -> None:
    url, log = broken_server
    with pytest.raises(ExternalCommandError, match=r"refused /translate \(HTTP 400\): That pair is not installed$"):
        load_backend("apy", url=url).translate(["The house."], "en", "es")
    assert log.read_text().splitlines()[1:] == ["/listPairs", "/translate"]


@pytest.mark.parametrize("broken_server", ["garbage"], indirect=True)
def test_an_answer_that_is_not_json(broken_server: tuple[str, Path]) -> None:
    url, _ = broken_server
    with pytest.raises(ExternalCommandError, match="answered /translate with something else than its JSON"):
        load_backend("apy", url=url).translate(["The house."], "en", "es")


@pytest.mark.parametrize("broken_server", ["slow"], indirect=True)
def test_a_request_that_times_out(broken_server: tuple[str, Path]) -> None:
    url, log = broken_server
    backend = load_backend("apy", url=url, timeout=0.5, retries=1)
    with pytest.raises(
        ExternalCommandError, match=r"failed on /translate: no answer within 0\.5 s \(option timeout\) \(2 tries\)$"
    ):
        backend.translate(["The house."], "en", "es")
    assert log.read_text().splitlines()[1:] == ["/listPairs", "/translate", "/translate"]


def test_apy_is_a_system_of_a_roundtrip(apy_url: str) -> None:
    """apy beside apertium in one round trip: the same back-translations, the signature naming the server's pairs."""
    from compare import roundtrip

    result = roundtrip(
        "The regime shelled the town.",
        via=["es"],
        backends={"apy": ApyBackend(url=apy_url), "apertium": "apertium"},
        analyse=False,
        cache=False,
    )
    apy_path, local_path = result.paths
    assert apy_path.back.segments == local_path.back.segments
    assert [h.model for h in apy_path.signature.hops] == ["eng-spa", "spa-eng"]


@pytest.mark.parametrize("broken_server", ["merge"], indirect=True)
def test_a_batch_that_does_not_split_back_is_asked_one_by_one(broken_server: tuple[str, Path]) -> None:
    url, log = broken_server
    texts = ["one house", "two houses", "three"]
    out = load_backend("apy", url=url).translate(texts, "en", "es")
    assert [t.text for t in out] == ["ONE HOUSE", "TWO HOUSES", "THREE"]
    assert log.read_text().splitlines()[1:] == ["/listPairs"] + ["/translate"] * 4
