"""Finding loaded terms: the reference article, inflection and script in 14 languages, false friends,
and properties that hold for any text."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compare.errors import LexiconError, UnknownLanguageError
from compare.lexicon import Lexicon
from compare.matching import Matcher, Occurrence, find_terms, find_terms_in_lines, matcher_for, tokenize


def triples(occurrences: list[Occurrence]) -> list[tuple[str, str, str]]:
    return [(o.text, o.concept, o.frame) for o in occurrences]


# --- the reference article ----------------------------------------------------------------------

ARTICLE_TERMS = [
    ("Daesh", "isis", "delegitimising"),
    ("Terrorists", "terrorist", "condemning"),
    ("Daesh", "isis", "delegitimising"),
    ("Takfiri", "takfiri", "condemning"),
    ("terrorists", "terrorist", "condemning"),
    ("Kurdish militias", "sdf", "delegitimising"),
    ("so-called", "so_called", "delegitimising"),
    ("Syrian Democratic Forces", "sdf", "neutral"),
    ("SDF", "sdf", "neutral"),
    ("militants", "terrorist", "neutral"),
    ("SDF militias", "sdf", "delegitimising"),
    ("occupation forces", "occupation", "condemning"),
    ("Daesh", "isis", "delegitimising"),
    ("militants", "terrorist", "neutral"),
    ("terror", "terrorism", "condemning"),
    ("terrorists", "terrorist", "condemning"),
    ("government", "regime", "neutral"),
    ("terrorists", "terrorist", "condemning"),
    ("deployment", "occupation", "neutral"),
    ("Daesh", "isis", "delegitimising"),
    ("terrorists", "terrorist", "condemning"),
    ("deployment", "occupation", "neutral"),
    ("government", "regime", "neutral"),
    ("government", "regime", "neutral"),
]


def test_reference_article(article_text: str) -> None:
    occurrences = find_terms(article_text, "en")
    assert triples(occurrences) == ARTICLE_TERMS
    for occ in occurrences:
        assert article_text[occ.start : occ.end] == occ.text
        assert occ.lang == "en"


def test_reference_article_forms(article_text: str) -> None:
    forms = {(o.text, o.form) for o in find_terms(article_text, "en")}
    assert ("Kurdish militias", "Kurdish militia") in forms
    assert ("terrorists", "terrorist") in forms
    assert ("SDF militias", "SDF militia") in forms


def test_reference_article_unwatched(article_text: str) -> None:
    """Generic counterparts are found only on request (the shift tracer classifies replacements with them)."""
    unwatched = [
        o for o in find_terms(article_text, "en", include_unwatched=True) if o not in find_terms(article_text, "en")
    ]
    assert [(o.text, o.concept) for o in unwatched] == [
        ("forces", "occupation"),
        ("troops", "occupation"),
        ("forces", "occupation"),
        ("soldiers", "occupation"),
        ("forces", "occupation"),
        ("forces", "occupation"),
    ]


def test_reference_article_lines(article_text: str) -> None:
    found = list(find_terms_in_lines(article_text, "en"))
    lines = article_text.split("\n")
    assert [(no, o.text) for no, o in found[:3]] == [(1, "Daesh"), (1, "Terrorists"), (3, "Daesh")]
    for no, occ in found:
        assert lines[no - 1][occ.start : occ.end] == occ.text
    assert len(found) == len(ARTICLE_TERMS)


# --- per language: inflection, script, clitics ----------------------------------------------------

DETECTIONS = [
    # English: plurals, multi-word, longest match
    ("en", "The Islamic State group and the Islamic State", [("Islamic State group", "isis", "neutral"),
                                                            ("Islamic State", "isis", "self_designation")]),
    ("en", "IS fighters", [("IS", "isis", "neutral")]),
    ("en", "the occupied territories", [("occupied territories", "occupation", "condemning")]),
    ("en", "self-proclaimed caliphate of the jihadists", [("self-proclaimed", "so_called", "delegitimising"),
                                                          ("jihadists", "takfiri", "neutral")]),
    ("en", "Assad's regimes and governments", [("regimes", "regime", "delegitimising"),
                                              ("governments", "regime", "neutral")]),
    # Arabic: clitics, article, plural and feminine endings, tashkeel, tatweel, hamza
    ("ar", "نقل الجيش عشرات الإرهابيين من داعش التكفيريين", [("الإرهابيين", "terrorist", "condemning"),
                                                           ("داعش", "isis", "delegitimising"),
                                                           ("التكفيريين", "takfiri", "condemning")]),
    ("ar", "قوات الاحتلال الأمريكي ولداعش", [("قوات الاحتلال", "occupation", "condemning"),
                                          ("ولداعش", "isis", "delegitimising")]),
    ("ar", "وللدولة الإسلامية", [("وللدولة الإسلامية", "isis", "self_designation")]),
    ("ar", "الدَّوْلَةُ الإِسْلَامِيَّةُ", [("الدَّوْلَةُ الإِسْلَامِيَّةُ", "isis", "self_designation")]),
    ("ar", "داعـــش", [("داعـــش", "isis", "delegitimising")]),
    ("ar", "ما يسمى بقوات سوريا الديمقراطية", [("ما يسمى", "so_called", "delegitimising"),
                                              ("بقوات سوريا الديمقراطية", "sdf", "neutral")]),
    ("ar", "والحكومة السورية وحكومتنا", [("والحكومة", "regime", "neutral"), ("وحكومتنا", "regime", "neutral")]),
    ("ar", "النظام السوري", [("النظام السوري", "regime", "delegitimising")]),
    # Persian: ZWNJ plural, Arabic-keyboard letters
    ("fa", "تروریست‌های داعش", [("تروریست‌های", "terrorist", "condemning"), ("داعش", "isis", "delegitimising")]),
    ("fa", "نیروهای اشغالگر آمریکایی", [("نیروهای اشغالگر", "occupation", "condemning")]),
    ("fa", "به‌اصطلاح نیروهای دموکراتیک سوریه", [("به‌اصطلاح", "so_called", "delegitimising"),
                                                ("نیروهای دموکراتیک سوریه", "sdf", "neutral")]),
    ("fa", "رژیم اسد و حكومت", [("رژیم", "regime", "delegitimising"), ("حكومت", "regime", "neutral")]),
    # Russian: case endings, ё, abbreviation
    ("ru", "десятки террористов ИГИЛ", [("террористов", "terrorist", "condemning"), ("ИГИЛ", "isis", "neutral")]),
    ("ru", "боевиков Исламского государства", [("боевиков", "terrorist", "neutral"),
                                              ("Исламского государства", "isis", "self_designation")]),
    ("ru", "так называемых Сирийских демократических сил", [
        ("так называемых", "so_called", "delegitimising"),
        ("Сирийских демократических сил", "sdf", "neutral")]),
    ("ru", "оккупационными силами и правительством", [("оккупационными силами", "occupation", "condemning"),
                                                    ("правительством", "regime", "neutral")]),
    ("ru", "самопровозглашённого халифата", [("самопровозглашённого", "so_called", "delegitimising")]),
    ("ru", "режима Асада", [("режима", "regime", "delegitimising")]),
    # Turkish: apostrophe suffixes, agglutination, dotted and dotless i
    ("tr", "DEAŞ'lı teröristler", [("DEAŞ", "isis", "delegitimising"), ("teröristler", "terrorist", "condemning")]),
    ("tr", "IŞİD'in militanları", [("IŞİD", "isis", "neutral"), ("militanları", "terrorist", "neutral")]),
    ("tr", "İSLAM DEVLETİ", [("İSLAM DEVLETİ", "isis", "self_designation")]),
    ("tr", "işgalci güçlerin ve Suriye hükümetinin", [("işgalci güçlerin", "occupation", "condemning"),
                                                    ("hükümetinin", "regime", "neutral")]),
    ("tr", "sözde Suriye Demokratik Güçleri", [("sözde", "so_called", "delegitimising"),
                                              ("Suriye Demokratik Güçleri", "sdf", "neutral")]),
    ("tr", "Esad rejimine", [("rejimine", "regime", "delegitimising")]),
    # German: compounds, case endings
    ("de", "Dutzende IS-Terroristen", [("IS", "isis", "neutral"), ("Terroristen", "terrorist", "condemning")]),
    ("de", "Besatzungstruppen und die sogenannten Syrischen Demokratischen Kräfte", [
        ("Besatzungstruppen", "occupation", "condemning"),
        ("sogenannten", "so_called", "delegitimising"),
        ("Syrischen Demokratischen Kräfte", "sdf", "neutral")]),
    ("de", "die Bundesregierung, Regierungstruppen und das Assad-Regime", [
        ("Bundesregierung", "regime", "neutral"),
        ("Regierungstruppen", "regime", "neutral"),
        ("Regime", "regime", "delegitimising")]),
    ("de", "Kurdenmilizen und Dschihadistenmilizen", [("Kurdenmilizen", "sdf", "delegitimising"),
                                                      ("Dschihadistenmilizen", "militia", "delegitimising")]),
    ("de", "Terroranschläge und Terrorgefahr", [("Terroranschläge", "terrorism", "condemning"),
                                                ("Terrorgefahr", "terrorism", "condemning")]),
    ("de", "der Terrormiliz Islamischer Staat", [("Terrormiliz", "terrorist", "condemning"),
                                                 ("Islamischer Staat", "isis", "self_designation")]),
    ("de", "des Islamischen Staates", [("Islamischen Staates", "isis", "self_designation")]),
    # French: elision, plurals, agreement
    ("fr", "des terroristes de Daech et l'EI", [("terroristes", "terrorist", "condemning"),
                                               ("Daech", "isis", "delegitimising"), ("EI", "isis", "neutral")]),
    ("fr", "les forces d'occupation et les prétendues Forces démocratiques syriennes", [
        ("forces d'occupation", "occupation", "condemning"),
        ("prétendues", "so_called", "delegitimising"),
        ("Forces démocratiques syriennes", "sdf", "neutral")]),
    ("fr", "l'État islamique, les milices kurdes, le régime", [("État islamique", "isis", "self_designation"),
                                                              ("milices kurdes", "sdf", "delegitimising"),
                                                              ("régime", "regime", "delegitimising")]),
    # Spanish
    ("es", "terroristas del Dáesh", [("terroristas", "terrorist", "condemning"), ("Dáesh", "isis", "delegitimising")]),
    ("es", "el llamado Estado Islámico", [("el llamado", "so_called", "delegitimising"),
                                         ("Estado Islámico", "isis", "self_designation")]),
    ("es", "los regímenes y los gobiernos yihadistas", [("regímenes", "regime", "delegitimising"),
                                                       ("gobiernos", "regime", "neutral"),
                                                       ("yihadistas", "takfiri", "neutral")]),
    # Catalan and Galician
    ("ca", "terroristes de l'Estat Islàmic i les milícies kurdes", [
        ("terroristes", "terrorist", "condemning"),
        ("Estat Islàmic", "isis", "self_designation"),
        ("milícies kurdes", "sdf", "delegitimising")]),
    ("ca", "les forces d'ocupació i el govern", [("forces d'ocupació", "occupation", "condemning"),
                                                ("govern", "regime", "neutral")]),
    ("gl", "terroristas do Estado Islámico e as forzas de ocupación", [
        ("terroristas", "terrorist", "condemning"),
        ("Estado Islámico", "isis", "self_designation"),
        ("forzas de ocupación", "occupation", "condemning")]),
    ("gl", "o goberno e o réxime", [("goberno", "regime", "neutral"), ("réxime", "regime", "delegitimising")]),
    # Kurmanji and Sorani: suffixes
    ("kmr", "terorîstên DAIŞê", [("terorîstên", "terrorist", "condemning"), ("DAIŞê", "isis", "delegitimising")]),
    ("kmr", "hêzên dagirker û hikûmeta Sûriyeyê", [("hêzên dagirker", "occupation", "condemning"),
                                                  ("hikûmeta", "regime", "neutral")]),
    ("ku", "DAIŞ'ê", [("DAIŞ", "isis", "delegitimising")]),
    ("ckb", "تیرۆریستەکانی داعش", [("تیرۆریستەکانی", "terrorist", "condemning"), ("داعش", "isis", "delegitimising")]),
    ("ckb", "حکومەتی سووریا و ڕژێمی ئەسەد", [("حکومەتی", "regime", "neutral"), ("ڕژێمی", "regime", "delegitimising")]),
    # Hebrew: prefixes, plural, gershayim
    ("he", "עשרות מחבלי דאעש", [("מחבלי", "terrorist", "condemning"), ("דאעש", "isis", "delegitimising")]),
    ("he", 'המחבלים ודאע"ש', [("המחבלים", "terrorist", "condemning"), ('ודאע"ש', "isis", "delegitimising")]),
    ("he", "כוחות הכיבוש והממשלה הסורית", [("כוחות הכיבוש", "occupation", "condemning"),
                                          ("והממשלה", "regime", "neutral")]),
    ("he", "המדינה האסלאמית ומשטר אסד", [("המדינה האסלאמית", "isis", "self_designation"),
                                        ("ומשטר", "regime", "delegitimising")]),
    # Chinese: no spaces
    ("zh", "美军转移了数十名伊斯兰国恐怖分子", [("伊斯兰国", "isis", "self_designation"),
                                            ("恐怖分子", "terrorist", "condemning")]),
    ("zh-CN", "所谓的叙利亚民主力量和占领军", [("所谓", "so_called", "delegitimising"),
                                          ("叙利亚民主力量", "sdf", "neutral"),
                                          ("占领军", "occupation", "condemning")]),
    ("zho", "叙利亚政府和阿萨德政权", [("政府", "regime", "neutral"), ("政权", "regime", "delegitimising")]),
]  # fmt: skip


@pytest.mark.parametrize(("lang", "text", "expected"), DETECTIONS)
def test_detection(lang: str, text: str, expected: list[tuple[str, str, str]]) -> None:
    occurrences = find_terms(text, lang)
    assert triples(occurrences) == expected
    for occ in occurrences:
        assert text[occ.start : occ.end] == occ.text


# --- words that must not be terms ---------------------------------------------------------------

NOTHING = [
    ("en", "This is it."),
    ("en", "THIS IS IT"),
    ("en", "Is it? It isn't."),
    ("en", "the crisis in the region"),
    ("en", "The room was occupied."),
    ("en", "She was occupied with work all day."),
    ("en", "He gave his occupation as a teacher."),
    ("en", "a new tax regime"),
    ("en", "non-governmental organisations"),
    ("de", "Die Besatzungsmitglieder des Schiffes"),
    ("de", "im Regierungsbezirk Donggala"),
    ("de", "Das IST es"),
    ("fr", "La salle est occupée. Un régime alimentaire."),
    ("es", "Por supuesto, la habitación está ocupada."),
    ("ca", "L'hotel està ocupat."),
    ("gl", "Por suposto."),
    ("tr", "Cuma günü sözlerine şöyle devam etti; aşırı kuraklık."),
    ("he", "המשטרה עצרה חשוד"),
    ("ru", "в режиме реального времени"),
    ("ar", "القوات المسلحة"),
    ("zh", "伊斯兰国家和无所谓"),
]


@pytest.mark.parametrize(("lang", "text"), NOTHING)
def test_no_false_hits(lang: str, text: str) -> None:
    assert find_terms(text, lang) == []


def test_a_lemma_beats_a_stripped_ending() -> None:
    """ממשלות (governments): its lemma is ממשלה (government); without -ות it would be ממשל (administration)."""
    assert [o.form for o in find_terms("ממשלות זרות", "he")] == ["ממשלה"]


def test_acronym_needs_its_case() -> None:
    assert find_terms("is", "en") == []
    assert triples(find_terms("the IS group", "en")) == [("IS", "isis", "neutral")]
    assert find_terms("THE IS GROUP", "en") == []  # a headline in capitals: IS is the verb here


def test_exact_forms_do_not_inflect() -> None:
    assert find_terms("soi-disant experts et prétendues victimes", "fr")[1].text == "prétendues"
    assert find_terms("Il a prétendu", "fr") == []


# --- scare quotes -------------------------------------------------------------------------------


def test_scare_quotes_are_distancing() -> None:
    """Quotes around a label distance; quotes around a name quoted the same way throughout are house style."""
    text = "the “terrorists” and \"Daesh\" and 'ISIS'"
    occurrences = find_terms(text, "en")
    assert triples(occurrences) == [
        ("“", "so_called", "delegitimising"),
        ("terrorists", "terrorist", "condemning"),
        ("Daesh", "isis", "delegitimising"),
        ("ISIS", "isis", "neutral"),
    ]
    assert occurrences[0].form == "“…”"
    assert occurrences[0].start == 4
    assert [o.quoted for o in occurrences] == [False, True, True, True]


@pytest.mark.parametrize(
    ("lang", "text", "quoted"),
    [
        ("en", "“Daesh terrorists”", True),
        ("fr", "les « terroristes »", True),  # French guillemets enclose a space on each side
        ("fr", "les «terroristes»", True),
        ("de", "die „Terroristen“", True),
        ("en", "Daesh's 'terrorists' too", True),
        ("en", "Daesh's fighters", False),
        ("en", '"the terrorists said so"', False),
        ("ru", "группировка «Исламское государство»", False),  # a name: quoted by convention
        ("ru", "так называемые «террористы»", True),
    ],
)
def test_scare_quote_cases(lang: str, text: str, quoted: bool) -> None:
    quote_marks = [o for o in find_terms(text, lang) if o.concept == "so_called" and len(o.text) == 1]
    assert bool(quote_marks) == quoted


# --- API ----------------------------------------------------------------------------------------


def test_occurrence_round_trips() -> None:
    occ = find_terms("Daesh", "en")[0]
    expected = {"start": 0, "end": 5, "text": "Daesh", "concept": "isis", "form": "Daesh", "frame": "delegitimising"}
    assert occ.to_dict() == {**expected, "lang": "en", "quoted": False}
    assert Occurrence.from_dict(occ.to_dict()) == occ
    assert Occurrence.from_dict(expected | {"lang": "en"}) == occ  # saved before `quoted` existed


def test_matchers_are_cached() -> None:
    assert matcher_for("en") is matcher_for("en")
    lexicon = Lexicon.default()
    assert matcher_for("de", lexicon) is matcher_for("de")
    assert isinstance(matcher_for("de"), Matcher)


def test_custom_lexicon(tmp_path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("concepts:\n  x:\n    forms:\n      en:\n        condemning: [bad guys]\n", encoding="utf-8")
    lexicon = Lexicon.load(path, include_default=False)
    assert triples(find_terms("the bad guy and the Daesh", "en", lexicon)) == [("bad guy", "x", "condemning")]


def test_language_without_forms() -> None:
    with pytest.raises(LexiconError, match="no forms for language 'sw'"):
        find_terms("text", "sw")


def test_unknown_language_code() -> None:
    with pytest.raises(UnknownLanguageError, match="unknown language 'xx'"):
        find_terms("text", "xx")


def test_lines_use_offsets_within_the_line() -> None:
    text = "no terms here\nthe regime and\n\nDaesh"
    assert [(no, o.start, o.text) for no, o in find_terms_in_lines(text, "en")] == [(2, 4, "regime"), (4, 0, "Daesh")]


def test_tokenize_keeps_marks_and_splits_han() -> None:
    words = [t[2] for t in tokenize("الدَّوْلَةُ IS-Miliz 伊斯兰 don't")]
    assert words == ["الدَّوْلَةُ", "IS", "Miliz", "伊", "斯", "兰", "don", "t"]


def test_two_thousand_sentences_are_fast(article_text: str) -> None:
    sentences = [s for s in article_text.replace("\n", " ").split(". ") if s]
    corpus = [f"{sentences[i % len(sentences)]} ({i})" for i in range(2000)]
    matcher = Matcher(Lexicon.default(), "en")
    started = time.perf_counter()
    total = sum(len(matcher.find(s)) for s in corpus)
    elapsed = time.perf_counter() - started
    assert total > 1000
    assert elapsed < 3.0, f"2,000 sentences took {elapsed:.2f} s"


# --- properties ---------------------------------------------------------------------------------

LANGS = ["en", "ar", "fa", "ru", "tr", "de", "fr", "es", "ca", "gl", "kmr", "ckb", "he", "zh"]


def check_occurrences(text: str, occurrences: list[Occurrence]) -> None:
    previous_end = 0
    for occ in occurrences:
        assert 0 <= occ.start < occ.end <= len(text)
        assert text[occ.start : occ.end] == occ.text
        assert occ.start >= previous_end  # sorted, non-overlapping
        previous_end = occ.end


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(), lang=st.sampled_from(LANGS))
def test_any_text(text: str, lang: str) -> None:
    check_occurrences(text, find_terms(text, lang, include_unwatched=True))


WORDS = st.sampled_from(["Daesh", "so-called", "ISIS", "the", "“", "”", "'", "IS", "regime", "-", "Islamic", "State"])


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.one_of(WORDS, st.text(max_size=5)), max_size=12), sep=st.sampled_from([" ", "", "\n", "-"]))
def test_text_made_of_terms(parts: list[str], sep: str) -> None:
    text = sep.join(parts)
    check_occurrences(text, find_terms(text, "en"))


FORMS = [
    ("en", "Daesh", "isis"),
    ("ar", "داعش", "isis"),
    ("ru", "ИГИЛ", "isis"),
    ("de", "Besatzungstruppen", "occupation"),
    ("zh", "伊斯兰国", "isis"),
    ("tr", "DEAŞ", "isis"),
    ("he", "דאעש", "isis"),
    ("fa", "تروریست", "terrorist"),
]


@settings(max_examples=300, deadline=None)
@given(before=st.text(), after=st.text(), form=st.sampled_from(FORMS))
def test_offsets_around_an_inserted_form(before: str, after: str, form: tuple[str, str, str]) -> None:
    lang, word, concept = form
    text = f"{before} {word} {after}"
    occurrences = find_terms(text, lang)
    check_occurrences(text, occurrences)
    start = len(before) + 1
    assert any(o.start == start and o.text == word and o.concept == concept for o in occurrences), occurrences


# --- the same answer in every process -----------------------------------------------------------

_FORMS_OF = """
import json, sys
from compare.matching import find_terms
print(json.dumps([(o.text, o.form) for o in find_terms(sys.argv[1], sys.argv[2])], ensure_ascii=False))
"""


def test_a_tie_between_two_forms_does_not_depend_on_the_hash_seed() -> None:
    """داعشی‌ها matches داعشی and داعشیان equally well: the first form in the lexicon wins, whatever order
    Python's string hashing (PYTHONHASHSEED) gives the word's keys (it used to change between runs)."""
    import os
    import subprocess
    import sys

    answers = set()
    for seed in ("1", "3"):  # two seeds that gave different forms before the order was fixed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", _FORMS_OF, "داعشی\u200cها جنگیدند", "fa"],
            env=env, capture_output=True, text=True, check=True, timeout=300,
        )  # fmt: skip
        answers.add(out.stdout.strip())
    assert len(answers) == 1, answers
    assert answers == {'[["داعشی\u200cها", "داعشی"]]'}


def test_lemmas_are_the_same_from_dicts_and_from_compressed_streams() -> None:
    """After the first few languages, dictionaries are read from simplemma's compressed streams: the
    same lemmas as simplemma's dict-backed default, in every language, whichever way each was loaded."""
    import simplemma
    from simplemma.strategies.dictionaries.stream_dictionary_factory import StreamMap

    from compare.matching import FAST_LEMMA_LANGUAGES, _lemmatizer

    words = {
        "en": ["militias", "were", "governments", "fighters"],
        "es": ["milicias", "fueron", "gobiernos", "combatientes"],
        "fr": ["milices", "étaient", "gouvernements", "combattants"],
        "de": ["Milizen", "waren", "Regierungen", "Kämpfer"],
        "ru": ["боевиков", "были", "правительства", "силами"],
        "tr": ["militanlar", "hükümetin", "güçleri", "oldu"],
        "ca": ["milícies", "eren", "governs", "combatents"],
    }
    assert len(words) > FAST_LEMMA_LANGUAGES  # some languages past the fast ones, in any test order
    lemmatizer = _lemmatizer()
    for lang, items in words.items():
        assert [lemmatizer.lemmatize(w, lang) for w in items] == [simplemma.lemmatize(w, lang) for w in items]
    factory = lemmatizer._lemmatization_strategy._dictionary_lookup._dictionary_factory
    kinds = {type(factory.get_dictionary(lang)) for lang in words}
    assert StreamMap in kinds and len(kinds) == 2


def test_decoded_lemma_dictionaries_are_kept_in_the_user_cache(tmp_path, monkeypatch) -> None:
    """The decoded dictionary is written once, read back by the next process, and decoded again if the copy
    is damaged; the lookups give the same lemmas either way."""
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    from compare.matching import _decoded_dictionary

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    decoded: list[str] = []

    def decode() -> object:
        decoded.append("en")
        return DefaultDictionaryFactory()._get_dictionary_uncached("en")

    first = _decoded_dictionary("en", decode)
    [copy] = (tmp_path / "mtcompare" / "lemmas").glob("simplemma-*-en.marshal")
    second = _decoded_dictionary("en", decode)
    assert decoded == ["en"] and second.get("went") == first.get("went") == "go"
    copy.write_bytes(b"\x00damaged")
    third = _decoded_dictionary("en", decode)
    assert decoded == ["en", "en"] and third.get("militias") == "militia"
    assert not list(copy.parent.glob("*.part"))
