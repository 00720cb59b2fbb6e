"""The Apertium backend against the apertium program itself."""

import re
import subprocess

import pytest

from compare.backends import apertium as apertium_module
from compare.backends import load_backend
from compare.backends.apertium import (
    _STREAM_SPECIALS,
    installed_modes,
    listed_modes,
    mode_langs,
    mode_missing_files,
    mode_pairs,
    read_tagged,
    read_tagged_stream,
    split_generator,
    tag_units,
    tagged_generation,
    unescape,
    unknown_words,
    untag_generated,
    wblank_pipeline,
)
from compare.errors import UnsupportedPairError
from compare.text import segment_text

from .conftest import SHARED_CORPORA


def test_modes_map_iso_codes(apertium: str) -> None:
    modes = installed_modes()
    assert modes[("en", "es")] == "eng-spa"
    assert modes[("es", "en")] == "spa-eng"
    assert modes[("en", "ca")] == "eng-cat"
    assert ("eu", "en") in modes and ("en", "eu") not in modes
    # The pairs scripts/setup.sh installs for the field's languages (issue 11, point 6).
    wanted = {
        ("es", "ca"): "spa-cat",
        ("ca", "es"): "cat-spa",
        ("es", "fr"): "es-fr",
        ("fr", "es"): "fr-es",
        ("es", "pt"): "es-pt",
        ("pt", "es"): "pt-es",
        ("es", "it"): "spa-ita",
        ("it", "es"): "ita-spa",
        ("es", "gl"): "es-gl",
        ("fr", "ca"): "fra-cat",
        ("ca", "fr"): "cat-fra",
        ("fr", "eo"): "fr-eo",
        ("eu", "es"): "eu-es",
        ("is", "en"): "isl-eng",
        ("mk", "en"): "mkd-eng",
        ("sr-Latn", "en"): "hbs-eng",
        ("hr", "en"): "hbs-eng",
        ("es", "pt-BR"): "es-pt_BR",
        ("en", "ca-ES-valencia"): "eng-cat_valencia",
    }
    assert {pair: modes.get(pair) for pair in wanted} == wanted
    # Only working modes: every file a served mode names exists (Debian's es-eo and ca-eo name a
    # directory their packages do not install; they are served once it exists).
    assert all(not mode_missing_files(mode) for mode in modes.values())
    for mode in ("es-eo", "ca-eo"):
        if mode in listed_modes():
            assert (mode in modes.values()) == (not mode_missing_files(mode))


def test_listed_modes_are_what_apertium_lists(apertium: str) -> None:
    """The modes folder read directly gives what ``apertium -l`` prints, in its order (which mode a pair maps
    to depends on it)."""
    listed = subprocess.run(["apertium", "-l"], capture_output=True, text=True, check=True).stdout.split()
    assert listed_modes() == tuple(listed) and len(listed) > 10


def test_mode_codes_map_to_tags() -> None:
    assert mode_langs("eng") == ("en",) and mode_langs("spa") == ("es",) and mode_langs("por_BR") == ("pt-BR",)
    assert mode_langs("cat_valencia") == ("ca-ES-valencia",) and mode_langs("eng_US") == ("en-US",)
    assert mode_langs("cat_iec2017") == () and mode_langs("cat_valencia_uni") == () and mode_langs("xyzzy") == ()
    assert mode_langs("hbs_HR") == ("hr",) and mode_langs("hbs_BS") == ("bs",) and mode_langs("hbs") == ("sr-Latn",)
    assert mode_langs("hbs", source=True) == ("sr-Latn", "hr", "bs") and mode_langs("hbs_HR", source=True) == ()
    # A plain mode wins over a variant of the same pair, whatever the listing order; non-pair modes are skipped.
    pairs = mode_pairs(["eng-hbs_SR", "eng-hbs", "en-eo-bytecode", "Cyrl-Latn", "spa-cat_iec2017", "es-pt_BR"])
    assert pairs == {("en", "sr-Latn"): "eng-hbs", ("es", "pt-BR"): "es-pt_BR"}


# One sentence per source language, and the word for "army" each target language's translation must hold.
SENTENCES = {
    "en": "The government said the army attacked the city.",
    "es": "El gobierno dijo que el ejército atacó la ciudad.",
    "ca": "El govern va dir que l'exèrcit va atacar la ciutat.",
    "fr": "Le gouvernement a dit que l'armée a attaqué la ville.",
    "pt": "O governo disse que o exército atacou a cidade.",
    "it": "Il governo ha detto che l'esercito ha attaccato la città.",
    "gl": "O goberno dixo que o exército atacou a cidade.",
    "eo": "La registaro diris ke la armeo atakis la urbon.",
    "eu": "Gobernuak esan zuen armadak hiria eraso zuela.",
    "is": "Ríkisstjórnin sagði að herinn hefði ráðist á borgina.",
    "mk": "Владата рече дека армијата го нападна градот.",
    "sr-Latn": "Vlada je rekla da je vojska napala grad.",
    "hr": "Vlada je rekla da je vojska napala grad.",
    "bs": "Vlada je rekla da je vojska napala grad.",
}
ARMY = {"en": "army", "es": "ejército", "ca": "exèrcit", "fr": "armée", "pt": "exército", "it": "esercito"}
ARMY |= {"gl": "exército", "eo": "armeo"}


def test_every_installed_pair_translates(apertium: str) -> None:
    """Each installed pair translates one sentence as ``apertium -u`` does, and translates it (the word for
    "army" is there). Debian's eng-hbs generates nothing: its every word comes back marked unknown."""
    from concurrent.futures import ThreadPoolExecutor

    from compare.languages import base_lang

    backend = load_backend("apertium")
    by_mode = {mode: pair for pair, mode in sorted(installed_modes().items(), reverse=True)}  # hbs-eng: once
    pairs = sorted(by_mode.values())

    def run(pair: tuple[str, str]) -> tuple[str, str]:
        src, tgt = pair
        [out] = backend.translate([SENTENCES[src]], src, tgt)
        [cli] = _plain_apertium(backend.mode(src, tgt), [SENTENCES[src]], "-u")
        return out.text, unescape(cli)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(zip(pairs, pool.map(run, pairs)))
    assert len(results) >= 30 and {("es", "ca"), ("fr", "es"), ("mk", "en")} <= set(results)
    for (src, tgt), (text, cli) in results.items():
        assert text == cli, (src, tgt)
        word = ARMY.get(base_lang(tgt))
        if word is not None:
            assert word in text.lower(), (src, tgt, text)


def test_batch_equals_command_line_one_by_one(apertium: str, article_text: str) -> None:
    """One NUL-separated batch gives exactly what `apertium eng-spa` gives segment by segment."""
    segments = [s.text for s in segment_text(article_text, "en")][:6]
    backend = load_backend("apertium")
    batch = backend.translate(segments, "en", "es")
    for seg, got in zip(segments, batch, strict=True):
        cli = subprocess.run(["apertium", "-u", "eng-spa"], input=seg, capture_output=True, text=True, check=True)
        assert got.text == cli.stdout.strip()


def test_unknown_marks_kept_and_stripped(apertium: str) -> None:
    [out] = load_backend("apertium").translate(["Daesh Takfiri terrorists were moved."], "en", "es")
    assert "*" not in out.text
    assert out.text.startswith("Daesh Takfiri")
    assert out.unknown == ("Daesh", "Takfiri")


def test_stream_specials_survive(apertium: str) -> None:
    [out] = load_backend("apertium").translate(["Cost $5 [x] a^b {y} <tag> @me"], "en", "es")
    for literal in ("$5", "[", "]", "^", "{", "}", "<", ">", "@me"):
        assert literal in out.text


def test_final_punctuation_kept(apertium: str) -> None:
    out = load_backend("apertium").translate(["One.", "Two!", "Three?"], "en", "es")
    assert [t.text[-1] for t in out] == [".", "!", "?"]


def test_pair_missing_lists_pairs(apertium: str) -> None:
    with pytest.raises(UnsupportedPairError, match=r"apertium has no pair en→ar; it has: .*en↔es"):
        load_backend("apertium").translate(["x"], "en", "ar")


def test_unknown_words_tell_marks_from_literals() -> None:
    assert unknown_words("El *Daesh y @foo #bar", "El Daesh y foo bar") == ("Daesh", "foo", "bar")
    # A literal @ or * in the text is in the clean output too, so it is not a mark.
    assert unknown_words(r"cuesta \@me 5*3 \@1930s libras*illion", r"cuesta \@me 5*3 1930s librasillion") == (
        "1930s",
        "illion",
    )


def test_marks_inside_tokens_and_literal_at(apertium: str) -> None:
    [out] = load_backend("apertium").translate(
        ["In the 1930s at 2pm, DM @MerPolCC about the £11million deal."], "en", "es"
    )
    assert "@MerPolCC" in out.text and "2pm" in out.text and "*" not in out.text
    assert "1930s" in out.unknown and "MerPolCC" in out.unknown


def test_engine_superblanks_are_unwrapped_as_apertium_does(apertium: str) -> None:
    """en-eo's rules write apostrophes as superblanks ("[']"); the text is what `apertium -u` prints."""
    seg = "They describe the groups as 'terrorist groups' and 'mercenaries'."
    [out] = load_backend("apertium").translate([seg], "en", "eo")
    cli = subprocess.run(["apertium", "-u", "en-eo"], input=seg, capture_output=True, text=True, check=True)
    assert "[" not in out.text
    assert out.text == cli.stdout.strip()


# Literal characters that Apertium's stream format, its unknown-word marks or word-bound blanks give a meaning to.
ADVERSARIAL = [
    "In the 1930s at 2pm, DM @MerPolCC about the £11million deal.",
    "Daesh 5*3 #MeToo *x @me a#b",
    "The *terrorists* said @@ and ## and ** in the house.",
    "A path C:\\Users\\foo\\bar and a/b/c and 50/50 split.",
    "Brackets [[1]] and [[/]] and [ ] and ]] [[ should survive.",
    "Emoji 😀 and 🇪🇸 flags #hashtag @handle *starred*",
    "The mark#inside and star*inside and at@inside words.",
    "^start$ and $end^ and \\backslash\\ and <b>bold</b>",
    'Email me at john.doe@example.com or #1 fan* of the so-called "State".',
    "He said: 'terrorists' are \"militants\" — *not* freedom fighters #2*pm @3pm.",
    "{curly} <angle> /slash/ \\\\double\\\\ [single] *@#*@# mixed",
    "*",
    "@",
    "#",
    "\\",
    "x * y @ z # w",
    "2*pm 3#am 4@pm libras*illion 11million",
]
NTREX = SHARED_CORPORA / "ntrex" / "newstest2019-src.eng.txt"


def _plain_apertium(mode: str, texts: list[str], *flags: str) -> list[str]:
    """What ``apertium`` itself prints for a NUL-separated batch, escaped as the backend escapes it."""
    payload = "".join(_STREAM_SPECIALS.sub(r"\\\1", t) + "\n\0" for t in texts)
    run = subprocess.run(
        ["apertium", "-z", "-f", "none", *flags, mode], input=payload.encode(), capture_output=True, check=True
    )
    return [c.strip() for c in run.stdout.decode().split("\0")[: len(texts)]]


def _two_runs_with_wblanks(mode: str, texts: list[str]) -> list[str]:
    """The unmarked pipeline with word-bound blanks run on its own (``-n``), as the backend ran it before one pass."""
    analyser, rest = wblank_pipeline(mode)  # type: ignore[misc]
    payload = "".join(_STREAM_SPECIALS.sub(r"\\\1", t) + "\n\0" for t in texts)
    analysed = subprocess.run(["bash", "-c", analyser], input=payload.encode(), capture_output=True, check=True)
    chunks, first = analysed.stdout.decode().split("\0"), 0
    for k, text in enumerate(texts):
        chunks[k], spans = tag_units(chunks[k], text, first)
        first += len(spans)
    run = subprocess.run(
        ["bash", "-c", rest, "apertium", "-n", ""], input="\0".join(chunks).encode(), capture_output=True, check=True
    )
    return run.stdout.decode().split("\0")[: len(texts)]


@pytest.mark.parametrize(("src", "tgt"), [("en", "es"), ("en", "ca"), ("en", "eo")])
def test_one_pass_equals_plain_apertium_clean_and_marked(
    apertium: str, src: str, tgt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One pass gives the text of ``apertium -u`` and the marks of ``apertium`` (against it), there and back.

    On a few hundred NTREX sentences and on strings full of literal ``*``, ``@``, ``#`` and stream
    specials. Word-bound blanks make a transfer rule choose otherwise in about one sentence in 500
    ("en el agua" for "en la agua"); there the text is that of the unmarked pipeline with word-bound
    blanks run on its own, as it was before one pass, and the marks are what that text lacks.
    """
    texts = list(ADVERSARIAL)
    if NTREX.is_file():
        texts += NTREX.read_text(encoding="utf-8").splitlines()[:300]
    _check_one_pass(texts, src, tgt, monkeypatch)


@pytest.mark.parametrize(("src", "tgt"), [("es", "ca"), ("fr", "es"), ("es", "pt")])
def test_one_pass_on_pairs_of_other_pipelines(
    apertium: str, src: str, tgt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same on pairs whose modes are built otherwise: spa-cat (constraint grammar, lexical selection,
    one transfer stage), fr-es (three transfer stages), es-pt (the older transfer with the bilingual
    dictionary inside it, no lexical selection). The input is NTREX in the source language (Apertium's
    own translation from English) and the adversarial strings, there and back."""
    texts = NTREX.read_text(encoding="utf-8").splitlines()[:120] if NTREX.is_file() else []
    backend = load_backend("apertium")
    for a, b in zip(["en", *_ROUTE_TO[src]], _ROUTE_TO[src]):
        texts = [t.text for t in backend.translate(texts, a, b)]
    _check_one_pass(list(ADVERSARIAL) + texts, src, tgt, monkeypatch)


#: How NTREX gets into a source language: through Apertium's pairs from English.
_ROUTE_TO = {"es": ["es"], "fr": ["es", "fr"]}


def _check_one_pass(texts: list[str], src: str, tgt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    backend = load_backend("apertium")

    def no_second_run(*args: object) -> None:
        raise AssertionError("the one-pass path ran apertium a second time")

    monkeypatch.setattr(backend, "_run", no_second_run)
    batch, (a, b) = texts, (src, tgt)
    for _ in range(2):
        out = backend._translate_batch(batch, a, b)
        mode = backend.mode(a, b)
        clean = _plain_apertium(mode, batch, "-u")
        marked = _plain_apertium(mode, batch)
        chunks = _two_runs_with_wblanks(mode, batch)
        alone = [read_tagged(chunk)[:2] for chunk in chunks]
        # Where nothing is escaped, read_tagged splits on the blanks: the same as reading token by token.
        assert [read_tagged(chunk) for chunk in chunks] == [read_tagged_stream(chunk) for chunk in chunks]
        assert [t.text for t in out] == [text for _, text in alone]
        same = sum(t.text == unescape(c) for t, c in zip(out, clean, strict=True))
        assert same >= len(batch) - 3, f"{mode}: {len(batch) - same} segments differ from apertium -u"
        # Marks against apertium's own marked output where the texts agree (where word-bound blanks made
        # the post-generator contract otherwise, es-pt's "@me a" → "@ma", its marks are of another text).
        agree = [i for i, (t, c) in enumerate(zip(out, clean, strict=True)) if t.text == unescape(c)]
        for i in agree:
            _check_marks(out[i].unknown, marked[i], unknown_words(marked[i], alone[i][0]), batch[i])
        assert any(t.unknown for t in out) and all(t.alignment for t in out[len(ADVERSARIAL) :])
        assert not any("*" in t.text for t in out[len(ADVERSARIAL) :])
        batch, (a, b) = [t.text for t in out], (tgt, src)


def _check_marks(found: tuple[str, ...], marked: str, read: tuple[str, ...], source: str) -> None:
    """The unknown words of one pass (the generator's marked lexical forms) against ``apertium``'s marked output.

    Each is in that output right after a mark (perhaps with more glued to it by the post-generator:
    "*Swamiha" for the unknown "Swami"). Each word that reading the marked output against the
    unmarked one gives (``read``) is found too, but that reading is rougher: it takes the text glued to
    the word ("vegana-amigable" for the unknown "vegana", "muppets'"), so a found word may be its start;
    it misses a mark next to a literal one ("**not*" for the literal "*not*"), and it takes a literal
    ``@`` before a number ("@3pm") for a mark.
    """
    for word in found:
        assert re.search(r"(?:\\@|[*@#])" + re.escape(word), marked), (word, marked)
    rest = list(found)
    for word in read:
        prefix = next((w for w in rest if word.startswith(w)), None)
        if prefix is not None:
            rest.remove(prefix)
        else:
            assert re.search(r"@" + re.escape(word), source), (word, found, read, marked)


def test_without_wblank_mode_two_runs_give_the_same(apertium: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fallback (no ``apertium-wblank-mode``): marked and ``-u`` runs, the same text, the marks, no links."""
    backend = load_backend("apertium")
    one_pass = backend._translate_batch(ADVERSARIAL, "en", "es")
    monkeypatch.setattr(apertium_module, "wblank_pipeline", lambda mode: None)
    two_runs = backend._translate_batch(ADVERSARIAL, "en", "es")
    assert [t.text for t in two_runs] == [t.text for t in one_pass]
    # The two runs read the marks off the marked output, as _check_marks describes; one pass has them exactly.
    marked = _plain_apertium(backend.mode("en", "es"), ADVERSARIAL)
    for one, two, out, source in zip(one_pass, two_runs, marked, ADVERSARIAL, strict=True):
        _check_marks(one.unknown, out, two.unknown, source)
    assert not any(t.alignment for t in two_runs)


def test_untag_generated_gives_the_unmarked_text_and_the_marks() -> None:
    """lt-proc -m's units: surfaces kept (both of an ambiguous generation, as -n writes them), marks from the
    lexical forms only: a literal * # @ in a blank, or a surface that starts with one, is not a mark."""
    chunk = (
        r"[[1]]^casas/casa<n><f><pl>$[[/]] ^xyzzy/#xyzzy<n><f><pl>$ [[2]]^bar/\@bar<n>$[[/]] ^Daesh/*Daesh$ "
        r"\@^me/prpers<prn>$ *^x/*x$ #[[3]]^YouTube/Youtube/YouTube<np>$[[/]] ~a *l ^a\/b/a\/b<n>$ \^^n/*n$"
    )
    text, marks = untag_generated(chunk)
    assert text == r"[[1]]casas[[/]] xyzzy [[2]]bar[[/]] Daesh \@me *x #[[3]]YouTube/Youtube[[/]] ~a *l a\/b \^n"
    assert marks == ("xyzzy", "bar", "Daesh", "x", "n")
    assert untag_generated("no units, a *literal") == ("no units, a *literal", ())
    # Nothing escaped: the faster path, the same result.
    plain = (
        "[[1]]^casas/casa<n><f><pl>$[[/]] #^xyzzy/#xyzzy<n>$ *[[3]]^YouTube/Youtube/YouTube<np>$[[/]] ^Daesh/*Daesh$"
    )
    assert untag_generated(plain) == ("[[1]]casas[[/]] #xyzzy *[[3]]YouTube/Youtube[[/]] Daesh", ("xyzzy", "Daesh"))


def test_tagged_generation_only_for_a_plain_generator(apertium: str) -> None:
    assert tagged_generation("lt-proc -z $1 'g.bin' | lt-proc -z -p 'p.bin'") == (
        "lt-proc -z -m 'g.bin'",
        "lt-proc -z -p 'p.bin'",
    )
    assert tagged_generation("lt-proc -z $1 'g.bin'") == ("lt-proc -z -m 'g.bin'", "")
    assert tagged_generation("lt-proc -z $1 -b 'g.bin' | cg-proc -z -1 -n -g 'p.rlx.bin'") is None


def test_a_generator_without_tagged_mode_runs_twice(apertium: str) -> None:
    """fra-cat generates with -b for a constraint grammar to choose: there the generator runs marked and unmarked
    side by side, and the text and marks are still apertium's own."""
    backend = load_backend("apertium")
    if "fra-cat" not in installed_modes().values():
        pytest.skip("apertium-fra-cat is not installed")
    texts = ["Les terroristes de Daesh et les Zorglubs ont attaqué Raqqa.", "Le régime syrien a bombardé la ville."]
    generator = split_generator(wblank_pipeline("fra-cat")[1])[1]  # type: ignore[index]
    assert tagged_generation(generator) is None
    out = backend._translate_batch(texts, "fr", "ca")
    clean = _plain_apertium("fra-cat", texts, "-u")
    assert [t.text for t in out] == [unescape(c) for c in clean]
    assert "Zorglubs" in out[0].unknown and all(t.alignment for t in out)


def test_split_generator_cuts_before_the_marking_generator(apertium: str) -> None:
    for mode in installed_modes().values():
        pipeline = wblank_pipeline(mode)
        assert pipeline is not None, mode
        middle, generator = split_generator(pipeline[1])  # type: ignore[misc]
        assert middle.endswith("apertium-wblank-detach") and "$1" not in middle
        assert generator.startswith("lt-proc") and "$1" in generator
    assert split_generator("lt-proc -z $1 gen.bin") is None


def test_streamed_pipeline_reports_failures(apertium: str) -> None:
    """Analyser and rest run at once: a dying stage, a hung one and a lost segment are each one clear error."""
    from compare.errors import ExternalCommandError

    backend = load_backend("apertium")
    texts = ["a b c"] * 2000
    payload = "".join(t + "\n\0" for t in texts)
    with pytest.raises(ExternalCommandError, match=r"failed \(exit 3\): broken"):
        backend._pipe_tagged("x", ["cat"], ["bash", "-c", "echo broken >&2; exit 3"], payload, texts)
    with pytest.raises(ExternalCommandError, match="timed out on 2000 segments"):
        load_backend("apertium", timeout=1)._pipe_tagged("x", ["cat"], ["sleep", "60"], payload, texts)
    with pytest.raises(ExternalCommandError, match="alignment lost"):
        backend._pipe_tagged("x", ["head", "-c", "10"], ["cat"], payload, texts)
    out, spans, _ = backend._pipe_tagged("x", ["cat"], ["cat"], payload, texts)
    assert out.count("\0") == 2000 and len(spans) == 0  # nothing in ^…$ form: no unit tagged
