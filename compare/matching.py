"""Finding lexicon terms in text: tokens, normalisation, lemmas, and the matcher.

A :class:`Matcher` is built once per (lexicon, language). It cuts a text into word tokens (each Han
character is a token of its own), folds each token (NFKC; casefold, with Turkish İ→i and I→ı;
ё→е; one letter for each Arabic-script variant: أ إ آ ٱ → ا, ى ی → ي, ک → ك, ة → ه; no tatweel,
tashkeel, niqqud, accents or zero-width joiners) and compares it with the words of each form by:

- the folded word itself;
- its lemma (simplemma), one way only: a text word whose lemma is the form word, or a form word
  whose lemma is the text word and differs from it by an ending only;
- small hand-written affix tables where no library serves: Arabic and Hebrew clitics (و ب ل ال …,
  ו ה ב ל מ ש כ), Arabic, Persian, Hebrew and Kurdish (Kurmanji, Sorani) endings, plural -s;
- Snowball stems (PyStemmer: ru, tr, de …) when neither word runs more than a few letters past the
  prefix they share, so that inflection matches and derivation does not ("hükümetinin" ~
  "hükümet"; "aşırı" is not "aşırılıkçı"). English, Romance, Arabic, Persian and Hebrew stemmers
  strip derivations too (government → govern; ocupación, ocupado → ocup) and are not used.

Before matching, terminal escape sequences, other control characters and bidi controls become
zero-width spaces (same length), so that terms next to or across them are found.

A form matches where all its words follow each other, separated only by spaces, a hyphen, an
apostrophe, a slash or quotation marks inside a name (تنظيم «الدولة»); the longest match wins,
then the closest, then an exclusion. A word never matches inside another word, except that a
form marked ``compound`` matches as the first or last part of a compound of at least three more
letters (Bundesregierung, Terrorgefahr), and a one-word form matches a word split by a hyphen
(auto-proclamé). Forms marked ``case_sensitive`` match their exact spelling, and an all-capitals
one (IS) not in all-capitals text; capitalised English and German names not in mixed case
("an Islamic state"). Exclusion phrases of the lexicon ("por supuesto", "tax regime") take their
words and report nothing; "A … B" takes A and B when B follows A within a few words. An
occurrence of a concept that another absorbs (militia next to an SDF name) merges into one
occurrence of the absorbing concept, as do two side by side of one absorbing concept. A term
inside quotation marks is ``quoted``; quotes around a label, or around a name the document does
not always quote so, are also a ``so_called`` occurrence (rules and examples:
``compare/lexicon/README.md``).

Offsets always index the original text: ``text[occ.start:occ.end] == occ.text``.
"""

from __future__ import annotations

import os
import re
import unicodedata
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from typing import Any, NamedTuple, overload

from .lexicon import Form, Lexicon, frame_rank

__all__ = [
    "Occurrence",
    "Matcher",
    "find_terms",
    "find_terms_in_lines",
    "matcher_for",
    "normalize_form",
    "tokenize",
]

SO_CALLED = "so_called"
# Quotation marks of every style: English “ ” ‘ ’ " ', German „ “ ‚ ‘, French and Russian « » ‹ ›
# (also reversed, » «), Chinese and Japanese 「 」 『 』 and full-width ＂ ＇, and mixed pairs (‘term').
OPENING_QUOTES = frozenset("\"'“”„‟«»‘’‚‛‹›「『〝＂＇")
CLOSING_QUOTES = frozenset("\"'“”‟«»‘’‛‹›」』〞〟＂＇")
_GUILLEMETS = {"«": "»", "»": "«", "‹": "›", "›": "‹", "「": "」", "『": "』"}
# Words that may stand inside a pair of quotation marks before or between terms without making
# them a quotation of speech: articles, demonstratives, possessives ("the terrorist groups",
# "les « terroristes »", 所谓的). Arabic and Hebrew write theirs as clitics.
_QUOTE_FUNCTION_WORDS = {
    "en": "the a an this that these those its their his her our and or of",
    "fr": "le la les l un une des du de d ces ce cette leur leurs ses son sa et ou",
    "es": "el la los las un una unos unas del de al su sus y o",
    "ca": "el la els les l un una uns unes del dels de d al als seu seva i o",
    "gl": "o a os as un unha uns unhas do da dos das de ao e ou",
    "de": "der die das den dem des ein eine einen einem einer eines sein seine ihre ihr und oder",
    "ru": "этот эта эти этих это и или",
    "tr": "bu şu o ve veya",
    "fa": "این آن و یا",
    "ckb": "ئەم ئەو و",
    "kmr": "ev ew û",
    "he": "ו",
    "ar": "و",
    "zh": "的 之 和",
}
# At most this many other words may share the quotation marks with the terms ("moderate rebels",
# "Kurdish-led militias"), and at most one after the last term ("rebelles modérés"); more, and it
# is a quotation of speech ("the terrorists said so").
_QUOTE_EXTRA_WORDS = 2
_QUOTE_MAX_CHARS = 80
# The bare word for terror, which also names a fear or a nuisance: inside quotation marks with other
# words and no other term it is a coinage ("futbol terörü", «Terror der Formulare», "טרור של
# שערים", «настоящим террором», a film called "Teror li Çiyê"), not terrorism; "the war on terror"
# keeps it (a word for war in the quote).
_BARE_TERROR = {
    "en": ("terror", "war"),
    "ar": ("الإرهاب", "حرب الحرب"),
    "fa": ("ترور", "جنگ"),
    "ru": ("террор", "война войны войну против"),
    "tr": ("terör", "savaş savaşı"),
    "de": ("Terror", "Krieg Kampf"),
    "kmr": ("teror", "şer şerê"),
    "ckb": ("تیرۆر", "شەڕ شەڕی"),
    "he": ("טרור", "מלחמה מלחמת"),
}
# "Regime" of a thing, not of rulers: the bare word followed by "of"/"de" and a word in lower case
# that is no article (the director's regime of long takes, régime de terreur, règim d'entrenament,
# réxime de adestramentos); a name (régime de Damas, règim d'Assad) or an article (the regime of the
# mullahs, el régimen de los ayatolás) keeps it.
_REGIME_OF_A_THING = {
    "en": ("regime", r"of"),
    "fr": ("régime", r"de|d['’]"),
    "es": ("régimen", r"de"),
    "ca": ("règim", r"de|d['’]"),
    "gl": ("réxime", r"de"),
}
_NO_THING = frozenset(
    "the a an this that these those le la les l un une el los las lo els o a os as un una uns unes"
    " facto apartheid transition transición transició transición transizione".split()
)
# "Occupation" as the label of a field on a form ("Occupation: farmer", "Ocupación: jubilado").
_OCCUPATION_FIELD = {"en": "occupation", "fr": "occupation", "es": "ocupación", "ca": "ocupació", "gl": "ocupación"}
# A word before the first term, joined to it by one of these, is the head of the quoted phrase, and
# the term only its complement: "hundreds of terrorist videos", "còmplice de l'ocupació israeliana",
# «عضویت در گروه تروریستی» (membership in a terrorist group) quote a charge or a speaker's phrase and
# distance nothing.
_QUOTE_HEAD_LINKS = {
    "en": "of in",
    "fr": "de du des d",
    "es": "de del",
    "ca": "de del dels d",
    "gl": "de do da dos das",
    "de": "der des",
    "fa": "در از",
    "ckb": "لە",
    "ar": "في من",
}
# Words that join a generic word to the name that absorbs it ("militias of the SDF", "milices des
# FDS", "Miliz der SDF"); a possessive 's joins too (the SDF's militias).
_CONNECTORS = {
    "en": ("of", "of the"),
    "fr": ("de", "des", "du", "de la", "d"),
    "es": ("de", "de la", "de las", "de los", "del"),
    "ca": ("de", "de les", "dels", "de la", "d"),
    "gl": ("de", "da", "das", "do", "dos"),
    "de": ("der", "des"),
    "he": ("של", "של ה"),
}
# "and" and "then" written as a prefix of the next word: و ف, ו.
_GLUED_CONJUNCTIONS = {"ar": "وف", "he": "ו"}


@dataclass(frozen=True)
class Occurrence:
    """One lexicon form found in a text; ``text[start:end] == self.text`` in the text searched."""

    start: int
    end: int
    text: str
    concept: str
    form: str
    frame: str
    lang: str
    quoted: bool = False  # the term stands inside quotation marks (scare quotes or a quoted name)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Occurrence:
        return cls(
            start=int(d["start"]),
            end=int(d["end"]),
            text=str(d["text"]),
            concept=str(d["concept"]),
            form=str(d["form"]),
            frame=str(d["frame"]),
            lang=str(d["lang"]),
            quoted=bool(d.get("quoted", False)),
        )


# --- tokens -------------------------------------------------------------------------------------

_HAN = "\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3038-\u303b\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HEBREW_LETTER = "\u05d0-\u05ea"
_INVISIBLE = "\u00ad\u200b-\u200f\u2060-\u2064\ufeff"
_INVISIBLE_RUN = re.compile(f"[{_INVISIBLE}]+")
# What a terminal or a bidi algorithm acts on but a reader does not see as part of the words: terminal
# escape sequences (ESC[31m, OSC titles), other C0 and C1 control characters (BEL, BS …; not tab,
# newline or the other whitespace controls), bidi embeddings, overrides and isolates (U+202A–202E,
# U+2066–2069) and the Arabic letter mark. Before matching, each of their characters becomes a
# zero-width space, so that a term next to them or across them is found and offsets are unchanged.
_CONTROLS = re.compile(
    r"\x1b\[[0-?]*[!-/]*[@-~]"  # CSI: colours, cursor moves
    r"|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)"  # OSC: window titles, links (terminated; else ESC ] alone)
    r"|\x1b[!-/]*[0-~]"  # other escape sequences
    r"|[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u061c\u202a-\u202e\u2066-\u2069]"
)


def _mask_controls(text: str) -> str:
    """``text`` with every character of a control sequence replaced by a zero-width space (same length)."""
    if not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub(lambda m: "\u200b" * len(m.group()), text)


@lru_cache(maxsize=1)
def _token_pattern() -> re.Pattern[str]:
    """Words are runs of letters and digits with their combining marks; a Han character stands alone.

    Python's ``\\w`` leaves out combining marks (Arabic tashkeel, Hebrew niqqud, decomposed accents),
    so they are added; so are a geresh or gershayim between two Hebrew letters (דאע"ש, ג'יהאד) and a
    zero-width (non-)joiner inside a word (تروریست‌ها).
    """
    ranges: list[str] = []
    start = prev = -2
    for cp in range(0x0300, 0x10000):
        if unicodedata.category(chr(cp)).startswith("M"):
            if cp != prev + 1:
                if start >= 0:
                    ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(prev))}")
                start = cp
            prev = cp
    ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(prev))}")
    marks = "".join(ranges)
    letter = rf"[^\W_{_HAN}]"
    geresh = rf"(?<=[{_HEBREW_LETTER}])[\"'\u05f3\u05f4\u2018\u2019\u02bc`](?=[{_HEBREW_LETTER}])"
    punt_volat = r"(?<=[lL])[\u00b7\u0387\u2027](?=[lL])"  # Catalan l·l (il·legal, milícia is plain)
    # Persian writes suffixes after a zero-width non-joiner; soft hyphens, zero-width spaces and
    # joiners, word joiners and direction marks hide inside words copied from the web (ter\xadror\xadists).
    joiner = rf"[{_INVISIBLE}]+(?={letter})"
    return re.compile(rf"[{_HAN}]|{letter}(?:{letter}|[{marks}]|{geresh}|{punt_volat}|{joiner})*")


# In ASCII text the token pattern reduces to runs of letters and digits (no marks, Han, geresh,
# punt volat or invisible joiners can occur): the same tokens, found faster.
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9]+")


def tokenize(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, word)`` for every word token of ``text``, in order."""
    pattern = _ASCII_TOKEN if text.isascii() else _token_pattern()
    return [(m.start(), m.end(), m.group()) for m in pattern.finditer(text)]


# Between the words of a multi-word form: spaces, a hyphen, an apostrophe (l'EI, d'occupation), a
# slash (YPG/PKK), a zero-width (non-)joiner or a soft hyphen — never a comma; a full stop only
# after a one-letter abbreviation (т. н.). Han characters of one form follow each other directly.
_GAP = re.compile(r"[\s\u00ad\u200b-\u200d\-\u2010\u2011\u05be'\u2019\u02bc/]{0,4}")  # \u05be: Hebrew maqaf
_ABBREVIATION_GAP = re.compile(r"\.\s?")
_HYPHEN_GAP = re.compile(r"[\-\u2010\u2011]")
_HYPHENS = frozenset("-\u2010\u2011")
# Exclusions written "A … B": B within this many words (Han characters) of A, in the same sentence.
_GAP_MARK = "…"
_TAIL_WORDS = 4
_TAIL_HAN = 8
_SENTENCE_END = re.compile(r"[.!?;\n。！？；]")
_HAN_CHAR = re.compile(rf"[{_HAN}]")


def _visible(text: str, start: int, end: int) -> str:
    """``text[start:end]`` without invisible characters (soft hyphens, zero-width and masked controls)."""
    gap = text[start:end]
    return _INVISIBLE_RUN.sub("", gap) if _INVISIBLE_RUN.search(gap) else gap


def _joined(text: str, left: tuple[int, int, str], right: tuple[int, int, str]) -> bool:
    """Whether two consecutive tokens may be consecutive words of one form."""
    gap = text[left[1] : right[0]]
    if len(gap) > 1 or gap in _QUOTE_OR_INVISIBLE:
        gap = _visible(text, left[1], right[0]).translate(_NO_QUOTES)  # تنظيم «الدولة»
    if not gap:
        return True
    if _HAN_CHAR.fullmatch(left[2]) and _HAN_CHAR.fullmatch(right[2]):
        return False
    if _GAP.fullmatch(gap):
        return True
    return len(left[2]) == 1 and _ABBREVIATION_GAP.fullmatch(gap) is not None


# --- folding ------------------------------------------------------------------------------------

_LETTER_MAP = str.maketrans(
    {
        "ё": "е",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",
        "ک": "ك",
        "ة": "ه",
        "ۀ": "ه",
        "ە": "ه",
        "ھ": "ه",
        "ـ": None,
        # Kurdish letters that Sorani text typed on an Arabic or Persian keyboard writes without
        # their marks: ڕ ر, ڵ ل, ێ ی, ۆ و.
        "ڕ": "ر",
        "ڵ": "ل",
        "ێ": "ي",
        "ۆ": "و",
        "ؤ": "و",
        **{chr(c): None for c in (0xAD, *range(0x200B, 0x2010), *range(0x2060, 0x2065), 0xFEFF)},
        "\u05f3": None,
        "\u05f4": None,
        "'": None,
        '"': None,
        "’": None,
        "‘": None,
        "ʼ": None,
        "`": None,
        "\u00b7": None,  # Catalan punt volat: il·legal, illegal
        "\u0387": None,
        "\u2027": None,
    }
)
_TURKIC = frozenset({"tr", "az", "kmr", "crh", "tt", "gag"})


def _strip_marks(s: str) -> str:
    decomposed = unicodedata.normalize("NFD", s)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.category(c).startswith("M")))


def _lower(word: str, turkic: bool) -> str:
    word = unicodedata.normalize("NFKC", word)
    if turkic:
        word = word.replace("I", "ı").replace("İ", "i")
    return word.lower()


def _fold(word: str, turkic: bool) -> str:
    """The comparison form of a word: lower case, one letter per Arabic-script variant, no marks."""
    if word.isascii():  # NFKC, case folding and mark stripping change nothing more (Turkic I: ı → i)
        return word.lower().translate(_LETTER_MAP)
    folded = _strip_marks(_lower(word, turkic).casefold().translate(_LETTER_MAP))
    return folded.replace("ı", "i") if turkic else folded


# --- per-language morphology --------------------------------------------------------------------

_SNOWBALL = {
    "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek", "es": "spanish",
    "et": "estonian", "eu": "basque", "fi": "finnish", "fr": "french", "ga": "irish", "gl": "portuguese",
    "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian", "lt": "lithuanian",
    "nb": "norwegian", "nl": "dutch", "nn": "norwegian", "no": "norwegian", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish", "tr": "turkish",
    "uk": "russian",
}  # fmt: skip
# Snowball's stemmers for these languages strip derivational endings too (government → govern,
# ocupación → ocup ← ocupado, إرهابي → ارهاب): simplemma's large dictionaries and the affix tables
# below serve them better.
_NO_STEMMER = frozenset({"en", "ar", "fa", "he", "fr", "es", "ca", "gl", "pt", "it", "ro"})
_PLURAL_S = ("s", "es")
# When stems match: how many letters the form word and the text word may each run past the prefix
# they share. Agglutinative languages add long endings to a form written in full ("güçlerin").
_STEM_REST = {"tr": (1, 7), "fi": (1, 6), "hu": (1, 6), "de": (3, 3), "ru": (3, 3), "uk": (3, 3), "pl": (3, 3)}

_HEBREW_CLITICS = "ושהבכלמ"
# Hand-written affix tables, kept small: clitics (text side only), articles (text and forms) and
# inflectional endings (both sides). A word keeps at least three letters after stripping.
_AFFIXES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {"suffixes": ("s",)},
    # Text words only: the prefix pro- of stance written onto an adjective (progouvernementales,
    # progubernamental, progobernamentais): pro-government holds government, as in Russian.
    "fr": {"clitics": ("pro",), "suffixes": _PLURAL_S},
    # Text words only: the prefix ex- written onto a label (exgihadista, exterroristas, exmilicians),
    # and pro- as in French.
    **{lang: {"clitics": ("ex", "pro"), "suffixes": _PLURAL_S} for lang in ("es", "ca", "gl", "pt", "it")},
    "ar": {
        "clitics": ("وال", "بال", "فال", "كال", "ولل", "فلل", "لل", "ال", "و", "ف", "ب", "ل", "ك"),
        "articles": ("ال",),
        "suffixes": ("ات", "ون", "ين", "ان", "ة", "ها", "هم", "هما", "هن", "كم", "نا"),
        # Text words only: the construct state of sound plurals (مسلحو داعش, مسلحي داعش) and the
        # nisba adjective (داعشي, "of Daesh"), and the alif of the indefinite accusative (هجوماً
        # إرهابياً, tanween folded away). A form is never cut so: إرهابي is not الإرهاب.
        "text_suffixes": ("و", "ي", "ية", "يه", "يون", "يين", "ا"),
    },
    "fa": {
        "suffixes": ("هایی", "های", "ها", "یان", "گان", "ان", "ات", "ین"),
        # Text words only: the adjective, indefinite and ezafe -ی (داعشی); the form شورشی (rebel)
        # is not cut to شورش (riot).
        "text_suffixes": ("ی", "ای", "یی", "انه"),
    },
    "he": {
        "clitics": tuple(a + b for a in _HEBREW_CLITICS for b in _HEBREW_CLITICS) + tuple(_HEBREW_CLITICS),
        "articles": ("ה",),
        # Text words also drop the construct plural and adjective -י (מחבלי דאעש, דאעשי) and the
        # feminine -ית. Not the feminine -ה: המשטרה (the police) is no משטר (regime).
        "suffixes": ("ים", "ות"),
        "text_suffixes": ("י", "ית", "יים", "יות"),
    },
    # Turkish compound and third-person possessive suffix, which a form's last word carries (Şam
    # yönetimi, işgal güçleri): yönetiminin, yönetimine match it through yönetim.
    "tr": {"suffixes": ("si", "sı", "su", "sü", "i", "ı", "u", "ü")},
    # Russian prefixes of stance written onto an adjective (проправительственных, антиправительственный,
    # контртеррористической): pro-government holds government, as in English.
    "ru": {"clitics": ("про", "анти", "контр")},
    "kmr": {
        "suffixes": ("ekê", "ekî", "eke", "ekan", "ekên", "yên", "yan", "yê", "ya", "ên", "an", "ê", "a", "î"),
    },
    "ckb": {
        "suffixes": (
            "ەکانی", "ەکان", "ەکەی", "ەکە", "یەکان", "یەکانی", "یەکە", "یەک", "ێکی", "ێک", "کان", "کانی", "کە",
            "انی", "ان", "ی", "ە", "ەی", "ەوە", "وە", "دا", "ەدا", "ش", "یش",
            # after a final vowel the plural takes a glide, and a demonstrative phrase ends in ە:
            # (ئەو) میلیشیایانە, those militias; تیرۆریستانە
            "یان", "یانی", "یانە", "انە",
        ),
    },
}  # fmt: skip
_TURKISH_CASE_ENDINGS = frozenset(
    "e a ye ya ne na de da te ta nde nda den dan ten tan nden ndan yle yla".split()
)  # dative, locative, ablative, instrumental: never on a modifier
_STANCE_PREFIXES = frozenset({"ru"})  # languages whose clitics (про-, анти-, контр-) are prefixes of stance
_TA_MARBUTA = frozenset({"ar"})
# A number written in digits stands for this word of the language's number forms: Sorani ٣ چەکداری
# (three gunmen) is چەند چەکدار (several gunmen), where the singular چەکدار alone is the adjective armed.
_DIGITS_AS = {"ckb": "چەند"}
_PREPOSITIONS = {"ar": ("ل", "ب", "ك", "ول", "وب", "وك", "فل", "فب", "فك")}
# Plurals that change the singular's last letter (folded spellings): Catalan -a → -es with its
# spelling changes (gihadista → gihadistes, milícia → milícies, ocupa → ocupes, -ca → -ques,
# -ga → -gues, -ja → -ges, -ça → -ces).
_PLURAL_REWRITES = {"ca": (("ques", "ca"), ("gues", "ga"), ("ges", "ja"), ("ces", "ca"), ("es", "a"))}
_STACKED_ENDINGS = frozenset({"ckb", "kmr", "fa"})
_AGGLUTINATIVE = frozenset({"tr", "az", "fi", "hu", "et"})


@dataclass(frozen=True)
class _Profile:
    lang: str
    turkic: bool
    lemma_lang: str | None
    stemmer: str | None
    stem_rest: tuple[int, int]
    clitics: tuple[str, ...]
    articles: tuple[str, ...]
    suffixes: tuple[str, ...]
    text_suffixes: tuple[str, ...]  # suffixes, and endings cut from text words only
    ta_marbuta: bool
    form_lemmas: bool  # False where short endings derive new words (Turkish -ma, -an): stems serve
    min_root: int = 3
    ending_layers: int = 1
    plural_rewrites: tuple[tuple[str, str], ...] = ()  # text words: plural ending → singular ending
    prepositions: tuple[str, ...] = ()  # clitic prepositions, with a conjunction before them or not
    han: bool = False
    digits_as: str | None = None  # the number word a number in digits matches (_DIGITS_AS)


#: How many languages' lemmatiser dictionaries are held as Python dicts (fast lookups, about 25 MB for
#: English and 100–200 MB for Spanish, Russian or German). The languages a run loads after these
#: (an analysis over many languages) are read from simplemma's compressed stream instead: the same
#: entries in a tenth of the memory or less, each lookup several times slower.
FAST_LEMMA_LANGUAGES = 4


def _decoded_dictionary(lang: str, decode: Callable[[], Any]) -> Any:
    """simplemma's dictionary for ``lang`` as a dict, from a copy decoded once and kept in the user cache.

    simplemma stores each language front-coded and compressed; ``decode`` (simplemma's own loader) takes
    half a second for Spanish and more for larger languages, in every process. The decoded
    ``bytes → bytes`` dict is kept with :mod:`marshal` (plain data: reading it runs no code) under
    ``<cache dir>/lemmas``, keyed by simplemma's version, and the next process reads it in a third of
    the time. A cache that cannot be read or written is passed by: the dictionary is decoded as before.
    """
    import marshal

    from simplemma import __version__ as simplemma_version
    from simplemma.strategies.dictionaries.dictionary_factory import MappingStrToByteString

    from .cache import default_cache_dir

    path = default_cache_dir() / "lemmas" / f"simplemma-{simplemma_version}-{lang}.marshal"
    try:
        data = marshal.loads(path.read_bytes())
        if isinstance(data, dict):
            return MappingStrToByteString(data)
    except (OSError, EOFError, ValueError, TypeError):
        pass
    decoded = decode()
    raw = getattr(decoded, "_dict", None)
    if isinstance(raw, dict):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_name(f"{path.name}.{os.getpid()}.part")
            part.write_bytes(marshal.dumps(raw))
            os.replace(part, path)  # whole or not at all: a reader never sees half a file
        except (OSError, ValueError):
            pass
    return decoded


@lru_cache(maxsize=1)
def _lemmatizer() -> Any:
    """One simplemma lemmatizer whose dictionary cache holds every language we lemmatise.

    simplemma's module-level ``lemmatize`` keeps 8 dictionaries; a run over more languages would
    reload one from disk (half a second) on every switch. A language's dictionary is loaded when a
    word of it is first lemmatised: only the languages a run uses are in memory, the first
    :data:`FAST_LEMMA_LANGUAGES` as dicts, any further ones as compressed streams.
    """
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory
    from simplemma.strategies.dictionaries.stream_dictionary_factory import StreamMap

    class _Bounded(DefaultDictionaryFactory):
        """simplemma's dict-backed dictionaries for the first languages, its stream-backed ones after."""

        __slots__ = ("_fast",)

        def __init__(self) -> None:
            super().__init__(cache_max_size=64)
            self._fast = 0

        def _get_dictionary_uncached(self, lang: str) -> Any:
            if self._fast < FAST_LEMMA_LANGUAGES:
                found = _decoded_dictionary(lang, lambda: super(_Bounded, self)._get_dictionary_uncached(lang))
                self._fast += 1
                return found
            return StreamMap(lang)

    return Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=_Bounded()))


@lru_cache(maxsize=64)
def _profile(lang: str) -> _Profile:
    from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES

    base = lang.split("-")[0]
    turkic = base in _TURKIC

    def folded(items: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted({_fold(a, turkic) for a in items}, key=len, reverse=True))

    affixes = _AFFIXES.get(base, {})
    return _Profile(
        lang=base,
        turkic=turkic,
        lemma_lang=base if base in SUPPORTED_LANGUAGES else None,
        stemmer=None if base in _NO_STEMMER else _SNOWBALL.get(base),
        stem_rest=_STEM_REST.get(base, (2, 2)),
        clitics=folded(affixes.get("clitics", ())),
        articles=folded(affixes.get("articles", ())),
        suffixes=folded(affixes.get("suffixes", ())),
        text_suffixes=folded(affixes.get("suffixes", ()) + affixes.get("text_suffixes", ())),
        plural_rewrites=_PLURAL_REWRITES.get(base, ()),
        prepositions=_PREPOSITIONS.get(base, ()),
        ta_marbuta=base in _TA_MARBUTA,
        form_lemmas=base not in _AGGLUTINATIVE,
        ending_layers=2 if base in _STACKED_ENDINGS else 1,
        han=base in ("zh", "yue", "wuu", "lzh"),
        digits_as=_fold(_DIGITS_AS[base], turkic) if base in _DIGITS_AS else None,
    )


def normalize_form(text: str, lang: str) -> tuple[str, ...]:
    """The folded words of a form, as compared for duplicates: ("so", "called") for "So-called"."""
    turkic = lang.split("-")[0] in _TURKIC
    return tuple(_fold(word, turkic) for _, _, word in tokenize(text))


@lru_cache(maxsize=8192)
def _simplified(char: str) -> str:
    """The simplified form of one Han character (OpenCC's character table): 恐怖組織 is 恐怖组织.

    Character by character, so that offsets still index the original text.
    """
    converted = _opencc().convert(char)
    return converted if len(converted) == 1 else char


@lru_cache(maxsize=1)
def _opencc() -> Any:
    from opencc import OpenCC

    return OpenCC("t2s")


_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")
_LONG_VOWEL_LETTERS = re.compile(r"(?<=.)[اوي](?=.)")


def _skeleton(base: str) -> str | None:
    """An Arabic-script word without its inner long-vowel letters: دموکراتیک and دمکراتیک are one name."""
    if len(base) < 4 or not _ARABIC_SCRIPT.match(base):
        return None
    skeleton = _LONG_VOWEL_LETTERS.sub("", base)
    return skeleton if len(skeleton) >= 3 else None


def _swaps(base: str) -> frozenset[str]:
    """The spellings of a name of five or more letters with two neighbouring letters swapped (Deash)."""
    if len(base) < 5 or _HAN_CHAR.search(base):
        return frozenset()
    return frozenset(base[:i] + base[i + 1] + base[i] + base[i + 2 :] for i in range(len(base) - 1)) - {base}


def _shared_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


class _Word(NamedTuple):
    """One word, of a text or of a form, with everything needed to compare it (immutable; a named
    tuple rather than a frozen dataclass because one is made for every distinct word read)."""

    surface: str  # NFKC, case kept: what a case-sensitive form compares
    base: str  # folded
    bare: frozenset[str]  # base, and base without clitics (text) or article (form)
    keys: frozenset[str]  # bare, with inflectional endings stripped; a text word's lemmas too
    lemmas: frozenset[str]  # a text word's lemmas (of the word and of the word without clitics)
    lemma: str | None  # a form word's lemma when it differs from the form by an ending only
    stem: str | None
    cased_upper: bool  # has cased letters, all upper case
    skeleton: str | None = None  # Arabic script: the word without its inner long-vowel letters
    prepositional: bool = False  # a text word that starts with a glued preposition (لمسلحين)
    variants: frozenset[str] = frozenset()  # a name's spellings one swap of two letters away (Deash)
    deep: frozenset[str] = frozenset()  # keys reached only by cutting two stacked endings


class _Morphology:
    """Folding, lemmas, stems and affixes for one language, with a cache per distinct word.

    A form word's lemma is used only when it differs from the form by an ending ("militiamen" →
    "militiaman", "силы" → "сила"), never when it is a shorter derivation ("aşırılıkçı" →
    "aşırı", "excessive"); a form that is itself an inflected other word ("sözde" = söz + locative)
    is marked ``inflect: false`` in the lexicon.
    """

    def __init__(self, lang: str) -> None:
        self.profile = _profile(lang)
        self._stemmer: Any = None
        if self.profile.stemmer:
            import Stemmer

            self._stemmer = Stemmer.Stemmer(self.profile.stemmer)
        self._cache: dict[str, _Word] = {}

    def word(self, token: str, *, in_form: bool = False, inflect: bool = True, name: bool = False) -> _Word:
        cache_key = token if not in_form else f"\0{int(inflect)}{int(name)}{token}"
        hit = self._cache.get(cache_key)
        if hit is not None:
            return hit
        if len(self._cache) > 200_000:
            self._cache.clear()
        p = self.profile
        if token.isascii():  # no invisible characters; NFKC changes nothing
            surface = token
        else:
            token = _INVISIBLE_RUN.sub("", token)
            surface = unicodedata.normalize("NFKC", token)
        base = _fold(token, p.turkic)
        if p.han and _HAN_CHAR.fullmatch(base):
            base = _simplified(base)
        if p.lang == "ckb":
            base = base.replace("وو", "و")  # Sorani writes long u as وو or و: سووریا, سوریا
        bare = {base}
        for prefix in p.articles if in_form else p.clitics:
            if base.startswith(prefix) and len(base) - len(prefix) >= 2:
                bare.add(base[len(prefix) :])
        keys = set(bare)
        if p.digits_as and not in_form and base.isdigit():
            keys.add(p.digits_as)
        lemmas: set[str] = set()
        lemma = stem = None
        deep: set[str] = set()
        if inflect:
            stripped, deep = self._strip_endings(bare, p.suffixes if in_form else p.text_suffixes)
            keys |= stripped
            if not in_form:
                for root in bare:
                    for plural, singular in p.plural_rewrites:
                        if root.endswith(plural) and len(root) - len(plural) >= p.min_root:
                            keys.add(root[: -len(plural)] + singular)
                            break
            if p.lemma_lang:
                lemmatize = _lemmatizer().lemmatize
                found = _fold(lemmatize(surface, p.lemma_lang), p.turkic)
                if in_form:
                    if found and found != base and p.form_lemmas and self._differs_by_ending(base, found):
                        lemma = found
                else:
                    lemmas.add(found)
                    # The lemma less a Russian prefix of stance is a key, not a lemma: the word's own
                    # lemma is the closer match (контртеррористическую is контртеррористический,
                    # counter-terrorism, before террористический, a terrorist).
                    unprefixed = set() if p.lang in _STANCE_PREFIXES else lemmas
                    for clitic_free in bare - {base}:  # והממשלה → ממשלה, then its lemma
                        unprefixed.add(_fold(lemmatize(clitic_free, p.lemma_lang), p.turkic))
                        prefix = base[: len(base) - len(clitic_free)]
                        if found.startswith(prefix) and len(found) - len(prefix) >= p.min_root:
                            unprefixed.add(found[len(prefix) :])  # контртеррористической → террористический
                    lemmas.discard("")
                    keys |= lemmas | (unprefixed - {""})
            if self._stemmer is not None:
                stem = _fold(self._stemmer.stemWord(_lower(token, p.turkic)), p.turkic)
        word = _Word(
            surface=surface,
            base=base,
            bare=frozenset(bare),
            keys=frozenset(k for k in keys if k),
            lemmas=frozenset(lemmas),
            lemma=lemma,
            stem=stem,
            cased_upper=surface.isupper(),
            skeleton=_skeleton(base),
            variants=_swaps(base) if name else frozenset(),
            prepositional=not in_form and bool(p.prepositions) and base.startswith(p.prepositions) and len(base) >= 5,
            deep=frozenset(deep - bare - lemmas),
        )
        self._cache[cache_key] = word
        return word

    def _strip_endings(self, roots: set[str], suffixes: tuple[str, ...]) -> tuple[set[str], set[str]]:
        """The roots less one ending; where endings stack (Sorani ـەکان + ـی, Persian ـی + ـها), less two.
        Also returns the roots reached only by cutting two endings (a closer match ranks above them)."""
        p = self.profile
        out: set[str] = set()
        first: set[str] = set()
        todo = set(roots)
        for layer in range(p.ending_layers):
            found = set()
            for root in todo:
                for suffix in suffixes:
                    if root.endswith(suffix) and len(root) - len(suffix) >= p.min_root:
                        stripped = root[: -len(suffix)]
                        found.add(stripped)
                        if p.ta_marbuta and stripped.endswith("ت"):
                            found.add(stripped[:-1] + "ه")
            todo = found - out
            out |= found
            if layer == 0:
                first = set(found)
        return out, out - first

    @staticmethod
    def _differs_by_ending(word: str, lemma: str) -> bool:
        """Whether a lemma is the word less an ending: militiamen ~ militiaman, not aşırılıkçı ~ aşırı."""
        return abs(len(word) - len(lemma)) <= 3 and _shared_prefix(word, lemma) >= min(len(word), len(lemma)) - 2

    def stems_agree(self, form: _Word, text: _Word) -> bool:
        """Equal stems, and each word runs at most a few letters past the prefix they share."""
        if form.stem is None or form.stem != text.stem or len(form.stem) < 3:
            return False
        shared = _shared_prefix(form.base, text.base)
        form_rest, text_rest = self.profile.stem_rest
        return len(form.base) - shared <= form_rest and len(text.base) - shared <= text_rest


# --- compiled forms -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _FormWord:
    word: _Word
    case_sensitive: bool
    inflect: bool
    name: bool = False  # a word of a name: spelling variants match (Deash, دمکراتیک)
    # A later word of an exclusion in a language that glues prepositions to words (Arabic ل ب ك): it
    # is an adjective of the phrase (هجوم مسلح, an armed attack) and never matches a word that carries
    # a preposition (هجوم لمسلحين, an attack by gunmen).
    no_preposition: bool = False
    # A later word of an Arabic form written with the article exactly when the first word is (هجمات
    # إرهابية, الهجمات الإرهابية: noun and adjective, which agree in definiteness): the text must agree
    # too, so هجمات الإرهابيين (the terrorists' attacks, a construct of attacks and people) is no
    # terrorist attack. A construct form (قوات الاحتلال) is not held to it.
    agrees: bool = False


@dataclass(frozen=True)
class _Entry:
    """A compiled lexicon form (``form``) or an exclusion phrase (``form is None``)."""

    form: Form | None
    words: tuple[_FormWord, ...]
    acronym: bool = False  # a case-sensitive all-capitals word: suppressed in all-capitals text
    compound: str = "none"
    # An exclusion written "A … B": the words of B, which must follow A within a few words of the same
    # sentence ("administration of … aid", "占领…市场"); A and B report nothing, the words between
    # are matched as usual.
    tail: tuple[_FormWord, ...] = ()
    # A name of several capitalised words in a language that capitalises names and not common words
    # (en, de): "Islamic state" and "islamischer Staat" (any Islamic state) are not the name.
    title_case: bool = False


# The Arabic article, alone or after a glued conjunction or preposition (الـ، والـ، بالـ، للـ).
_AR_DEFINITE = ("ال", "وال", "فال", "بال", "كال", "لل", "ولل", "فلل", "وبال")
_AR_QUASI_PREFIXES = frozenset({"شبه", "غير"})


def _definite(base: str) -> bool:
    """Whether a folded Arabic word carries the article."""
    return base.startswith(_AR_DEFINITE) and len(base) >= 4


def _word_matches(morph: _Morphology, fw: _FormWord, w: _Word) -> int:
    """How well a text word matches a form word, best first: 5 the same folded word; 4 one is the
    other's lemma; 3 the same word once clitics and articles are off (ومقاومة: المقاومة); 2 one is
    the other without endings; 1 both reduce to the same word or stem; 0 no match. Among forms of
    equal length the better match wins (ממשלות: ממשלה, not ממשל; ومقاومة, resisting: the noun
    المقاومة, not مقاومون, resistance fighters)."""
    form = fw.word
    if fw.case_sensitive:
        return 5 if w.surface == form.surface else 0
    if w.base == form.base:
        return 5
    if fw.no_preposition and w.prepositional:
        return 0
    if not fw.inflect:
        return 3 if form.base in w.bare else 0
    if form.base in w.lemmas or (form.lemma is not None and (form.lemma == w.base or form.lemma in w.lemmas)):
        return 4
    if form.base in w.bare or form.bare & w.bare:
        return 3
    if form.base in w.keys or w.base in form.keys or (form.lemma is not None and form.lemma in w.keys):
        # one ending off beats two stacked ones (Kurmanji terorîstiyê: terorîstî + yê, the noun
        # terrorism, before terorîst + î + yê)
        return 1 if form.base in w.deep and w.base not in form.keys else 2
    if form.keys & w.keys or morph.stems_agree(form, w):
        return 1
    if fw.name and _same_name(form, w):
        return 1
    return 0


def _same_name(form: _Word, w: _Word) -> bool:
    """A spelling variant of a name: two letters swapped (Deash), or inner vowel letters written or
    left out in Arabic script (دمکراتیک, دموکراتیک), with or without an ending."""
    if w.base in form.variants or bool(form.variants & w.keys):
        return True
    return form.skeleton is not None and any(_skeleton(k) == form.skeleton for k in w.keys)


class _Words:
    """The :class:`_Word` of each token of a text, made when first asked for: most tokens start no
    form and are never compared, so only their first-word lookup (cached per token) is paid."""

    __slots__ = ("_morph", "_tokens", "_words")

    def __init__(self, morph: _Morphology, tokens: list[tuple[int, int, str]]) -> None:
        self._morph = morph
        self._tokens = tokens
        self._words: list[_Word | None] = [None] * len(tokens)

    def __len__(self) -> int:
        return len(self._tokens)

    @overload
    def __getitem__(self, k: int) -> _Word: ...
    @overload
    def __getitem__(self, k: slice) -> list[_Word]: ...
    def __getitem__(self, k: int | slice) -> _Word | list[_Word]:
        if isinstance(k, slice):
            return [self[j] for j in range(*k.indices(len(self._tokens)))]
        word = self._words[k]
        if word is None:
            word = self._words[k] = self._morph.word(self._tokens[k][2])
        return word


class Matcher:
    """Finds the forms of one lexicon in texts of one language. Build once, call :meth:`find` often."""

    def __init__(self, lexicon: Lexicon, lang: str) -> None:
        self.lexicon = lexicon
        self.lang = lexicon.resolve_lang(lang)
        self._morph = _Morphology(self.lang)
        self._with_quotes = SO_CALLED in lexicon.concepts
        base = self.lang.split("-")[0]
        turkic = self._morph.profile.turkic
        self._function_words = frozenset(_fold(w, turkic) for w in _QUOTE_FUNCTION_WORDS.get(base, "").split())
        regime = _REGIME_OF_A_THING.get(base)
        self._regime_of = (
            (
                regime[0],
                # the preposition a whole word (not the start of "officials"), or elided (d')
                re.compile(
                    rf"[\s{_INVISIBLE}]+(?:{regime[1]})(?:(?<=['’])|(?=[\s{_INVISIBLE}]))[\s{_INVISIBLE}]*(\w+)"
                ),
            )
            if regime
            else None
        )
        self._occupation_field = _OCCUPATION_FIELD.get(base)
        bare = _BARE_TERROR.get(base)
        self._bare_terror = (bare[0], frozenset(_fold(w, turkic) for w in bare[1].split())) if bare else None
        self._head_links = frozenset(_fold(w, turkic) for w in _QUOTE_HEAD_LINKS.get(base, "").split())
        self._absorbs = {c.id: frozenset(c.absorbs) for c in lexicon if c.absorbs}
        connectors = sorted(_CONNECTORS.get(base, ()), key=len, reverse=True)
        words = "|".join(re.escape(c).replace(r"\ ", r"\s+") for c in connectors)
        joiners = [r"(?:['’]s)?\s+"]  # the SDF militias, the SDF's militias
        if words:
            joiners.append(rf"\s+(?:{words})(?:\s+|[-\u05be])")  # militias of the SDF, milices des FDS, של ה-SDF
            joiners.append(r"\s+d['’]")  # milices d'…
        self._connector = re.compile("|".join(joiners), re.IGNORECASE)
        self._conjunctions = _GLUED_CONJUNCTIONS.get(base, "")
        self._documents: dict[str, dict[tuple[str, str | None], tuple[bool, ...]]] = {}
        self._index: dict[str, list[_Entry]] = {}
        self._order: dict[int, int] = {}  # id(entry): its place in the lexicon (forms, then exclusions)
        self._compounds: list[_Entry] = []
        for form in lexicon.forms(self.lang):
            self._add(self._compile(form.text, form))
        for phrase in lexicon.exclusions(self.lang):
            self._add(self._compile(phrase, None))
        self._starts: dict[str, tuple[tuple[_Entry, int], ...]] = {}
        self._compound_hits: dict[str, _Entry | None] = {}
        self._variant_keys = any(k.startswith("\1") for k in self._index)
        self._skeleton_keys = any(k.startswith("\2") for k in self._index)
        #: ``(concept, form text)`` of the forms marked ``watch: false`` (what a term may have become).
        self.unwatched_forms = frozenset((f.concept, f.text) for f in lexicon.forms(self.lang) if not f.watch)
        self._not_alone = frozenset(f.text for f in lexicon.forms(self.lang) if not f.alone)
        #: ``(concept, form text)`` of the forms marked ``alone: false``: an occurrence of its own only
        #: where the text names a concept with another form too.
        self.contextual_forms = frozenset((f.concept, f.text) for f in lexicon.forms(self.lang) if not f.alone)

    def _compile(self, text: str, form: Form | None) -> _Entry:
        cs = bool(form and form.case_sensitive)
        inflect = form.inflect if form else True
        name = bool(form and form.name) and not cs

        arabic = self._morph.profile.ta_marbuta

        def compiled(part: str) -> tuple[_FormWord, ...]:
            tokens = [tok for _, _, tok in tokenize(part)]
            first_definite = bool(tokens) and _definite(_fold(tokens[0], False))
            # شبه and غير make one word with the next (شبه العسكرية, غير الحكومية): no agreement
            agreeing = (
                form is not None and arabic and bool(tokens) and _fold(tokens[0], False) not in _AR_QUASI_PREFIXES
            )
            # In an agglutinative language only the last word of a noun phrase inflects (askeri varlığı,
            # terör örgütünün): a form's earlier words match as written, so Türk askerinin varlığı (the
            # Turkish soldier's presence) is no askeri varlık reached through the stem asker.
            fixed = form is not None and self._morph.profile.lang in _AGGLUTINATIVE
            inflects = [inflect and not cs and not (fixed and k < len(tokens) - 1) for k in range(len(tokens))]
            return tuple(
                _FormWord(
                    self._morph.word(tok, in_form=True, inflect=inflects[k], name=name),
                    cs,
                    inflects[k],
                    name and len(tok) >= 4,
                    no_preposition=form is None and k > 0 and bool(self._morph.profile.prepositions),
                    agrees=agreeing and k > 0 and _definite(_fold(tok, False)) == first_definite,
                )
                for k, tok in enumerate(tokens)
            )

        head, gap, tail = text.partition(_GAP_MARK) if form is None else (text, "", "")
        words = compiled(head)
        acronym = cs and any(fw.word.cased_upper for fw in words)
        compound = form.compound if form and len(words) == 1 and not cs else "none"
        title_case = (
            bool(form and form.name)
            and self.lang.split("-")[0] in _TITLE_CASE_NAMES
            and len(words) > 1
            and all(fw.word.surface[:1].isupper() for fw in words)
        )
        return _Entry(
            form=form, words=words, acronym=acronym, compound=compound, tail=compiled(tail) if gap else (),
            title_case=title_case,
        )  # fmt: skip

    def _add(self, entry: _Entry) -> None:
        if not entry.words:
            return
        self._order[id(entry)] = len(self._order)
        first = entry.words[0]
        keys = {first.word.base} if first.case_sensitive or not first.inflect else set(first.word.keys)
        if first.word.lemma:
            keys.add(first.word.lemma)
        if first.word.stem:
            keys.add("\0" + first.word.stem)
        if first.name:
            keys |= {"\1" + v for v in first.word.variants}
            if first.word.skeleton:
                keys.add("\2" + first.word.skeleton)
        for key in keys:
            self._index.setdefault(key, []).append(entry)
        if entry.compound != "none":
            self._compounds.append(entry)

    def _starting_at(self, token: str) -> tuple[tuple[_Entry, int], ...]:
        """Entries whose first word matches ``token``, with the quality of that match."""
        hit = self._starts.get(token)
        if hit is not None:
            return hit
        if len(self._starts) > 200_000:
            self._starts.clear()
        w = self._morph.word(token)
        seen: dict[int, _Entry] = {}
        fuzzy: set[str] = set()
        if self._variant_keys:  # names indexed by their spellings one swap away (Deash)
            fuzzy.update("\1" + k for k in w.keys)
        if self._skeleton_keys:  # names indexed by their Arabic-script skeleton
            fuzzy.update("\2" + sk for k in w.keys if (sk := _skeleton(k)))
        for key in (*w.keys, "\0" + w.stem if w.stem else "", *fuzzy):
            for entry in self._index.get(key, ()):
                seen.setdefault(id(entry), entry)
        found = []
        # In lexicon order: of two entries that match equally well the first listed wins, whatever
        # order the word's keys (a set) come in.
        for entry in sorted(seen.values(), key=lambda e: self._order[id(e)]):
            quality = _word_matches(self._morph, entry.words[0], w)
            if quality:
                found.append((entry, quality))
        result = tuple(found)
        self._starts[token] = result
        return result

    def _compound_at(self, token: str) -> _Entry | None:
        """A form marked ``compound`` as the first (modifier) or last (head) part of a longer word.

        The word must have at least three letters besides the form; for a head, the word's stem may
        end in the form's stem (Kurdenmilizen ends in miliz). The head names what the word is, so a
        head beats a modifier (Dschihadistenmiliz is a militia, Dschihadistengruppe is jihadists);
        then the longest form wins.
        """
        if token in self._compound_hits:
            return self._compound_hits[token]
        w = self._morph.word(token)
        found: _Entry | None = None
        found_rank = (False, 0)
        for entry in self._compounds:
            fw = entry.words[0].word
            if len(w.base) < len(fw.base) + 3:
                continue
            modifier = entry.compound in ("modifier", "both") and w.base.startswith(fw.base)
            head = entry.compound in ("head", "both") and (
                w.base.endswith(fw.base) or bool(w.stem and fw.stem and w.stem.endswith(fw.stem))
            )
            if modifier or head:
                rank = (head, len(fw.base))
                if found is None or rank > found_rank:
                    found, found_rank = entry, rank
        self._compound_hits[token] = found
        return found

    def find(self, text: str, *, include_unwatched: bool = False, document: str | None = None) -> list[Occurrence]:
        """Occurrences of lexicon forms in ``text``, sorted, non-overlapping, longest match first.

        Forms marked ``watch: false`` are matched (so that they take their words) but reported only
        with ``include_unwatched=True``, which the shift tracer uses to see what replaced a term.
        ``document`` is the whole text that ``text`` is a segment of, when it is one: whether a
        quoted name is the outlet's house style depends on how the whole document quotes it.
        """
        original, text = text, _mask_controls(text)
        hits = self._hits(text)
        pairs = _quote_pairs(text) if self._with_quotes else []
        if pairs and self._bare_terror is not None:
            hits = self._coinages(text, hits, pairs)
        if self._regime_of is not None or self._occupation_field is not None:
            hits = self._other_senses(text, hits)
        quoted = self._quoted(text, hits, pairs)
        found: list[Occurrence] = []
        for k, hit in enumerate(hits):
            if hit.form_text is not None and (hit.watch or include_unwatched):
                found.append(
                    Occurrence(
                        hit.start, hit.end, original[hit.start : hit.end], hit.concept, hit.form_text, hit.frame,
                        self.lang, quoted=k in quoted,
                    )
                )  # fmt: skip
        if pairs and quoted:
            marks = self._scare_quotes(text, hits, pairs, quoted, document)
            if marks:
                found = sorted(found + marks, key=lambda o: o.start)
        return self._in_context(text, hits, found, document, keep_alone=include_unwatched)

    def _in_context(
        self, text: str, hits: list[_Hit], found: list[Occurrence], document: str | None, *, keep_alone: bool = False
    ) -> list[Occurrence]:
        """``found`` less the distancing markers that distance nothing.

        An article and a participle (las llamadas, o chamado, l'anomenat) that end their sentence name
        nothing: "nadie respondió a las llamadas." is phone calls. (Adjectives such as autoproclamado,
        auto-proclamé may end a sentence after the noun they mark.) A form marked
        ``alone: false`` (German sogenannt, Russian так называемый, Hebrew מה שנקרא, Catalan
        l'anomenat, which also introduce neutral terms: die sogenannte Schuldenbremse) is reported only
        where the document names a concept with another form too; with ``keep_alone`` (what
        ``include_unwatched=True`` asks for) it is kept, as an unwatched form is: what a term may
        have become ("so-called" → "sogenannten"), never an occurrence of its own
        (:attr:`contextual_forms`).
        """
        loose = [
            h for h in hits if h.form_text is not None and (h.concept == SO_CALLED or h.form_text in self._not_alone)
        ]
        if not loose:
            return found
        drop: set[int] = set()
        alone: list[int] = []
        romance = self.lang.split("-")[0] in _ROMANCE
        for h in loose:
            if romance and _ROMANCE_ARTICLE.match(text, h.start) and _SENTENCE_FINAL.match(text, h.end):
                drop.add(h.start)
            if h.form_text in self._not_alone and not keep_alone:
                alone.append(h.start)
        if alone:

            def named(occurrences: list[Occurrence]) -> bool:
                return any(o.concept != SO_CALLED and o.form not in self._not_alone for o in occurrences)

            others = named(found)
            if not others and document is not None and document != text:
                others = named(self.find(document))
            if not others:
                drop.update(alone)
        return [o for o in found if not (o.start in drop and o.text[0] not in OPENING_QUOTES)]

    def _hits(self, text: str) -> list[_Hit]:
        """Every match, longest first, watched or not, exclusions included; then the absorbed ones merged.

        ``text`` has its control sequences masked (:func:`_mask_controls`).
        """
        tokens = tokenize(text)
        # The entries each token may start (cached per token); a text where no token starts one, none
        # can be joined by a hyphen and no compound form is watched holds no match at all.
        cached, starting = self._starts.get, self._starting_at
        first = [hit if (hit := cached(tok)) is not None else starting(tok) for _, _, tok in tokens]
        hyphens = _HYPHEN_GAP.search(text) is not None
        if not hyphens and not self._compounds and not any(first):
            return []
        words = _Words(self._morph, tokens)
        hits: list[_Hit] = []
        blocked: set[int] = set()  # the second part of an exclusion "A … B" found after its first part
        i, n = 0, len(tokens)
        while i < n:
            if i in blocked:
                hits.append(_Hit.of(tokens[i][0], tokens[i][1], None))
                i += 1
                continue
            best: tuple[tuple[int, int, int], _Entry, int, tuple[int, ...]] | None = None
            starts = first[i]
            joined: tuple[tuple[_Entry, int], ...] = ()
            if hyphens and i + 1 < n:
                a, b = tokens[i][1], tokens[i + 1][0]
                if (b - a == 1 and text[a] in _HYPHENS) or (
                    1 < b - a <= 12 and _HYPHEN_GAP.search(text, a, b) and self._hyphenated(text, a, b)
                ):
                    # A word written in two parts with a hyphen: auto-proclamé is autoproclamé.
                    joined = self._starting_at(tokens[i][2] + tokens[i + 1][2])
            for consumed, candidates in ((1, starts), (2, joined)):
                for entry, quality in candidates:
                    match = self._extend(text, tokens, words, i, consumed, entry, quality)
                    if match is None:
                        continue
                    score, covered, span, tail = match
                    rank = (span, score, int(entry.form is None))
                    if best is None or rank > best[0]:
                        best = (rank, entry, covered, tail)
            if best is None and self._compounds:
                compound = self._compound_at(tokens[i][2])
                if compound is not None:
                    best = ((1, 0, 0), compound, 1, ())
            if best is None:
                i += 1
                continue
            _, entry, covered, tail = best
            end = tokens[i + covered - 1][1]
            if covered > 1:
                end = _closing_quote_end(text, tokens[i][1], tokens[i + covered - 1][0], end)
            hits.append(_Hit.of(tokens[i][0], end, entry.form))
            blocked.update(tail)
            i += covered
        return self._absorb(text, hits) if self._absorbs else hits

    @staticmethod
    def _hyphenated(text: str, start: int, end: int) -> bool:
        """Whether the gap between two tokens is a hyphen (invisible characters aside)."""
        return _HYPHEN_GAP.fullmatch(_visible(text, start, end)) is not None

    def _extend(
        self,
        text: str,
        tokens: list[tuple[int, int, str]],
        words: _Words,
        i: int,
        consumed: int,
        entry: _Entry,
        quality: int,
    ) -> tuple[int, int, int, tuple[int, ...]] | None:
        """Match the rest of ``entry`` after its first word (tokens ``i`` to ``i + consumed - 1``).

        Returns the score, the tokens the hit covers, the tokens it spans for ranking (with an
        exclusion's "… B" part) and the tokens of that part; None if it does not match.
        """
        n = len(tokens)
        k = i + consumed
        score = quality
        for fw in entry.words[1:]:
            if k >= n or not _joined(text, tokens[k - 1], tokens[k]):
                return None
            q = _word_matches(self._morph, fw, words[k])
            if not q:
                return None
            if fw.agrees and _definite(words[k].base) != _definite(words[i].base):
                return None
            score += q
            k += 1
        covered = k - i
        if entry.acronym and _in_capitals(tokens, words, i, covered, text):
            return None
        if entry.title_case and not _same_case_pattern(words[i : i + covered]):
            return None
        if not entry.tail:
            return score, covered, covered, ()
        limit = _TAIL_HAN if self._morph.profile.han else _TAIL_WORDS
        for start in range(k, min(n, k + limit + 1)):
            if _SENTENCE_END.search(text, tokens[k - 1][1], tokens[start][0]):
                return None
            end = start
            for fw in entry.tail:
                if end >= n or (end > start and not _joined(text, tokens[end - 1], tokens[end])):
                    break
                if not _word_matches(self._morph, fw, words[end]):
                    break
                end += 1
            else:
                return score, covered, end - i, tuple(range(start, end))
        return None

    def _absorb(self, text: str, hits: list[_Hit]) -> list[_Hit]:
        """One term, one occurrence: a hit of a concept that another absorbs (``absorbs:`` in the
        lexicon: sdf absorbs militia), written next to a hit of that other concept ("SDF militias",
        "militias of the SDF", "ميليشيات قسد"), merges into it, with the more condemning frame; so do
        two watched hits of such an absorbing concept written side by side ("Kurdenmiliz YPG",
        "terrorist militants"). Only a watched term absorbs: an unwatched generic word (Sorani
        چەکدار, armed) never hides the watched one next to it."""
        out: list[_Hit] = []
        for hit in hits:
            prev = out[-1] if out else None
            if prev is not None and prev.form_text is not None and hit.form_text is not None:
                if prev.concept == hit.concept:
                    owner = prev if prev.concept in self._absorbs and hit.watch else None
                    # A label and a name of the same concept joined by a connector are one phrase too
                    # ("milicias kurdas das FDS", "Kurdish militias of the SDF"); two labels are not.
                    joined = owner is not None and self._adjacent(
                        text, prev, hit, connectors=hit.name and not prev.name
                    )
                elif hit.concept in self._absorbs.get(prev.concept, ()):
                    owner, joined = prev, self._adjacent(text, prev, hit) and not self._genitive(text, prev, hit)
                elif prev.concept in self._absorbs.get(hit.concept, ()):
                    owner, joined = hit, self._adjacent(text, prev, hit)
                else:
                    owner, joined = None, False
                if joined and self._case_marked(text, prev):
                    joined = False
                if (
                    joined
                    and self.lang.split("-")[0] == "ckb"
                    and prev.watch
                    and hit.concept != prev.concept
                    and _fold(hit.form_text, False).startswith(_fold("چەکدار", False))
                ):
                    # Sorani puts the adjective after its noun: میلیشیا چەکدارەکان are the armed
                    # militias, one occurrence of the noun's concept, not gunmen.
                    out[-1] = replace(prev, end=_closing_quote_end(text, prev.end, hit.start, hit.end))
                    continue
                if owner is not None and owner.watch and joined:
                    frame = min(prev.frame, hit.frame, key=frame_rank)
                    out[-1] = _Hit(
                        prev.start, _closing_quote_end(text, prev.end, hit.start, hit.end), owner.concept,
                        f"{prev.form_text} {hit.form_text}", frame, owner.watch, False,
                    )  # fmt: skip
                    continue
            out.append(hit)
        return out

    def _case_marked(self, text: str, first: _Hit) -> bool:
        """Whether, in Turkish, the first of two terms ends in a case ending that its form has not
        (dative, locative, ablative): it is then an argument of the verb, not a modifier of the next
        term (terör örgütüne militan temin etti: supplied militants to the terror organisation)."""
        if self.lang.split("-")[0] != "tr" or first.form_text is None:
            return False
        words = tokenize(text[first.start : first.end])
        form_words = first.form_text.split()
        if not words or not form_words:
            return False
        word = _fold(_INVISIBLE_RUN.sub("", words[-1][2]), True)
        form = _fold(form_words[-1], True)
        return word.startswith(form) and word[len(form) :] in _TURKISH_CASE_ENDINGS

    def _genitive(self, text: str, first: _Hit, second: _Hit) -> bool:
        """Whether, in Russian, a label ending in a noun is followed by another label: the second is its
        genitive, another group (против курдских формирований наемников: mercenaries used against Kurdish
        units), not one phrase as террористических наемников (an adjective and its noun) is."""
        if self.lang.split("-")[0] != "ru" or first.name or second.name:
            return False
        words = tokenize(text[first.start : first.end])
        if not words:
            return False
        lemma = _lemmatizer().lemmatize(words[-1][2].lower(), "ru")
        return not lemma.endswith(("ый", "ий", "ой"))

    def _adjacent(self, text: str, first: _Hit, second: _Hit, *, connectors: bool = True) -> bool:
        """Whether two terms are written as one phrase: only a gap (quotation marks allowed: ميليشيا
        «قسد»), a possessive 's or a connector between, and no conjunction glued to the second
        (قسد والميليشيات is a list)."""
        if text[second.start] in self._conjunctions and not (second.form_text or "").startswith(text[second.start]):
            return False
        gap = _visible(text, first.end, second.start).translate(_NO_QUOTES)
        if _GAP.fullmatch(gap):
            return True
        return connectors and self._connector.fullmatch(gap) is not None

    def _quoted(self, text: str, hits: list[_Hit], pairs: list[tuple[int, int]]) -> set[int]:
        """Indices of the hits that stand inside quotation marks (as a term, not inside quoted speech)."""
        quoted: set[int] = set()
        for open_at, close_at in pairs:
            inside = [k for k, h in enumerate(hits) if open_at < h.start and h.end <= close_at]
            if inside and self._only_terms_inside(text, open_at, close_at, [hits[k] for k in inside]):
                quoted.update(inside)
            # A term whose last words are quoted inside it (تنظيم «داعش», ميليشيا «قسد»): quoted too,
            # never a scare quote of its own, and counted so in the document's house style.
            quoted.update(k for k, h in enumerate(hits) if h.start < open_at and close_at < h.end)
        return quoted

    def _other_senses(self, text: str, hits: list[_Hit]) -> list[_Hit]:
        """``hits`` less a bare regime of a thing (:data:`_REGIME_OF_A_THING`) and a bare occupation
        that labels a field on a form (:data:`_OCCUPATION_FIELD`)."""
        kept = []
        for h in hits:
            if self._regime_of is not None and h.form_text == self._regime_of[0]:
                m = self._regime_of[1].match(text, h.end)
                if m and m.group(1)[:1].islower() and m.group(1) not in _NO_THING:
                    continue
            if h.form_text is not None and h.form_text == self._occupation_field:
                if re.match(rf"[ \t{_INVISIBLE}]*:", text[h.end :]):
                    continue
            kept.append(h)
        return kept

    def _coinages(self, text: str, hits: list[_Hit], pairs: list[tuple[int, int]]) -> list[_Hit]:
        """``hits`` less the bare terror words that a pair of quotation marks makes a coinage of: the
        only term in the pair, with another word that is no function word and no word for war."""
        assert self._bare_terror is not None
        form, war = self._bare_terror
        turkic = self._morph.profile.turkic
        drop: set[int] = set()
        for open_at, close_at in pairs:
            inside = [k for k, h in enumerate(hits) if open_at < h.start and h.end <= close_at and h.form_text]
            if len(inside) != 1 or hits[inside[0]].form_text != form:
                continue
            term = hits[inside[0]]
            others = [
                _fold(tok, turkic)
                for a, b, tok in tokenize(text[open_at + 1 : close_at])
                if not (term.start <= a + open_at + 1 and b + open_at + 1 <= term.end)
            ]
            words = [w for w in others if w not in self._function_words and not w.isdigit()]
            if words and not any(w in war for w in words):
                drop.add(inside[0])
        return [h for k, h in enumerate(hits) if k not in drop] if drop else hits

    def _only_terms_inside(
        self, text: str, open_at: int, close_at: int, inside: list[_Hit], extra_words: int = _QUOTE_EXTRA_WORDS
    ) -> bool:
        """Terms, function words and at most two other words (``extra_words``; one after the last
        term); no word before the first term that is the head of the phrase ("hundreds of terrorist
        videos")."""
        extra = after = 0
        first_start, last_end = inside[0].start, inside[-1].end
        han_run = 0
        head = False  # the previous token was a word before the first term that is no function word
        for start, end, token in tokenize(text[open_at + 1 : close_at]):
            start, end = start + open_at + 1, end + open_at + 1
            if any(h.start <= start and end <= h.end for h in inside):
                han_run = 0
                continue
            folded = _fold(token, self._morph.profile.turkic)
            if head and folded in self._head_links and end <= first_start:
                return False
            head = False
            if folded in self._function_words:
                continue
            head = end <= first_start
            if _HAN_CHAR.fullmatch(token):  # two Han characters make about one word
                han_run += 1
                if han_run % 2 == 0:
                    continue
            extra += 1
            after += start >= last_end
        return extra <= extra_words and after <= 1

    def _scare_quotes(
        self,
        text: str,
        hits: list[_Hit],
        pairs: list[tuple[int, int]],
        quoted: set[int],
        document: str | None,
    ) -> list[Occurrence]:
        """A ``so_called`` occurrence at the opening mark of each pair of quotation marks that distances.

        Quotes around a label (terrorists, militia, occupation, SDF militias) distance. Quotes around a
        name (Daesh, SDF, Demokratische Kräfte Syriens) are the outlet's house style when the document
        quotes that name the same way throughout (every time, or only where it first introduces it),
        and distance only when the document writes the name without quotes and then with them.
        """
        marks = []
        for open_at, close_at in pairs:
            inside = [
                h
                for k, h in enumerate(hits)
                if k in quoted
                and open_at < h.start
                and h.end <= close_at
                and h.concept != SO_CALLED
                and h.form_text is not None
                and (h.watch or not (h.name or h.frame == "neutral"))
            ]
            # A label the lexicon leaves unwatched for its other senses or its stance (resistance,
            # Besatzung, النظام) distances when the pair holds it alone: "resistance", „Besatzung“ —
            # not in a phrase of quoted speech (« résistance et d'obstruction »).
            extra = _QUOTE_EXTRA_WORDS if any(h.watch for h in inside) else 0
            if not inside or not self._only_terms_inside(text, open_at, close_at, inside, extra):
                # A pair around quoted speech that holds a scare-quoted term ("… Kürtlere 'terörist'
                # demekten …"): the inner pair is the mark, not the outer one.
                continue
            distancing = any(not h.name for h in inside)
            if not distancing:
                profile = self._name_quoting(document if document is not None else text)
                distancing = any(not _house_style(profile.get((h.concept, h.form_text), ())) for h in inside)
            if distancing:
                pair = f"{text[open_at]}…{text[close_at]}"
                marks.append(
                    Occurrence(open_at, open_at + 1, text[open_at], SO_CALLED, pair, "delegitimising", self.lang)
                )
        return marks

    def _name_quoting(self, document: str) -> dict[tuple[str, str | None], tuple[bool, ...]]:
        """For each name in ``document``, in order, whether each of its occurrences is quoted."""
        cached = self._documents.get(document)
        if cached is not None:
            return cached
        profile: dict[tuple[str, str | None], list[bool]] = {}
        for line in _mask_controls(document).split("\n"):
            hits = self._hits(line)
            quoted = self._quoted(line, hits, _quote_pairs(line))
            for k, h in enumerate(hits):
                if h.name and h.watch:
                    profile.setdefault((h.concept, h.form_text), []).append(k in quoted)
        result = {key: tuple(flags) for key, flags in profile.items()}
        if len(self._documents) >= 8:
            self._documents.pop(next(iter(self._documents)))
        self._documents[document] = result
        return result


def _house_style(flags: tuple[bool, ...]) -> bool:
    """Quoting that is constant for a name: quoted every time, or only where the document introduces it
    (and a name the document does not hold: nothing to compare with)."""
    return not flags or all(flags) or (flags[0] and not any(flags[1:]))


@dataclass(frozen=True)
class _Hit:
    """One match in a text: a form (``form_text``) or an exclusion phrase (``form_text is None``)."""

    start: int
    end: int
    concept: str
    form_text: str | None
    frame: str
    watch: bool
    name: bool

    @classmethod
    def of(cls, start: int, end: int, form: Form | None) -> _Hit:
        if form is None:
            return cls(start, end, "", None, "neutral", False, False)
        return cls(start, end, form.concept, form.text, form.frame, form.watch, form.name)


# The closing marks each opening mark pairs with, mixed pairs included (‘term', "term”, 'term"); “ closes
# only a German „ (in Chinese and English a second “ opens a nested quotation).
_CLOSERS = {
    "“": "”\"'’",
    "„": '“”"',
    "‟": '”"',
    '"': '"”',
    "”": "”",
    "＂": "＂",
    "〝": "〞〟",
    "‘": "’'\"”",
    "‚": "‘’'",
    "‛": "’'",
    "'": "'’\"”",
    "’": "’",
    "＇": "＇",
    **_GUILLEMETS,
}
_AMBIGUOUS_QUOTES = frozenset("\"'’”＂＇")  # also apostrophes, or also closing marks
# Quotation marks that are never apostrophes: dropped from the gap between two terms of one phrase.
_NO_QUOTES = str.maketrans({c: None for c in (OPENING_QUOTES | CLOSING_QUOTES) - {"'", "’"}})
_QUOTE_OR_INVISIBLE = frozenset((OPENING_QUOTES | CLOSING_QUOTES) - {"'", "’"}) | frozenset(
    "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
)


_OPENING_QUOTE = re.compile("[" + re.escape("".join(sorted(OPENING_QUOTES))) + "]")


def _closers(opening: str) -> str:
    return _CLOSERS.get(opening, "")


def _closing_quote_end(text: str, gap_start: int, start: int, end: int) -> int:
    """``end``, or one past the closing mark right after it when an opening mark stands in the gap
    before ``start``: ميليشيا «قسد» is one phrase up to its closing mark."""
    for c in text[gap_start:start]:
        if c in OPENING_QUOTES and end < len(text) and text[end] in _closers(c):
            return end + 1
    return end


def _is_word_char(c: str) -> bool:
    """A letter or digit that a quotation mark cannot touch on its outer side (Han characters can; so
    can the Arabic tatweel, which writes a glued preposition apart: بـ"الإرهابيين")."""
    return c.isalnum() and c != "\u0640" and not _HAN_CHAR.fullmatch(c)


def _quote_pairs(text: str) -> list[tuple[int, int]]:
    """``(open, close)`` indices of each pair of quotation marks on one line, at most 80 characters apart.

    An opening mark that is also an apostrophe or a closing mark (" ' ’ ”) must not follow a letter
    (Daesh's) or be followed by a space; French guillemets and German and Chinese marks may enclose
    spaces (« Daech »). A closing mark must not be followed by a letter. Pairs do not nest: after a
    pair that encloses more than a term (quoted speech), marks inside it are looked at again.
    """
    pairs: list[tuple[int, int]] = []
    closed: set[int] = set()
    n = len(text)
    for opening in _OPENING_QUOTE.finditer(text):
        i = opening.start()
        if i in closed:  # “恐怖分子”，也可以是“…”: the mark that closed a pair opens none
            continue
        c = text[i]
        ambiguous = c in _AMBIGUOUS_QUOTES
        if ambiguous and ((i > 0 and _is_word_char(text[i - 1])) or i + 1 >= n or text[i + 1].isspace()):
            continue
        closers = _closers(c)
        close_at = None
        for j in range(i + 1, min(n, i + 1 + _QUOTE_MAX_CHARS)):
            d = text[j]
            if d == "\n":
                break
            if d in closers and j > i + 1 and not (j + 1 < n and _is_word_char(text[j + 1])):
                if d in _AMBIGUOUS_QUOTES and text[j - 1].isspace():
                    continue
                close_at = j
                break
        if close_at is not None:
            pairs.append((i, close_at))
            closed.add(close_at)
    return pairs


_TITLE_CASE_NAMES = frozenset({"en", "de"})
# An article and a participle of "call" that end their sentence mark nothing (las llamadas.).
_SENTENCE_FINAL = re.compile(rf"[\s{_INVISIBLE}]*(?:[.!?;]|$)")
_ROMANCE = frozenset({"es", "ca", "gl", "pt", "it", "fr"})
_ROMANCE_ARTICLE = re.compile(r"(?i)(?:el|la|los|las|lo|o|a|os|as|els|les|del|do|da|dos|das|l['’])(?:\s+|(?<=['’]))")


def _same_case_pattern(words: list[_Word]) -> bool:
    """Text words of a capitalised name: each capitalised, or all in capitals, or all in lower case
    (copy that ignores case); not capitalised and lower case mixed ("Islamic state")."""
    initials = [w.surface[:1] for w in words if w.surface[:1].lower() != w.surface[:1].upper()]
    return all(c.isupper() for c in initials) or all(c.islower() for c in initials)


def _in_capitals(tokens: list[tuple[int, int, str]], words: _Words, i: int, size: int, text: str) -> bool:
    """Whether the words around an acronym are all capitals too (a headline: "THIS IS IT")."""
    line_start = text.rfind("\n", 0, tokens[i][0]) + 1
    line_end = text.find("\n", tokens[i + size - 1][1])
    line_end = len(text) if line_end < 0 else line_end
    around = [
        words[j]
        for j in (*range(max(0, i - 3), i), *range(i + size, min(len(tokens), i + size + 3)))
        if line_start <= tokens[j][0] < line_end and any(c.isalpha() for c in tokens[j][2])
    ]
    cased = [w for w in around if w.surface.lower() != w.surface.upper()]
    return bool(cased) and all(w.cased_upper for w in cased)


# --- convenience --------------------------------------------------------------------------------

_MATCHERS: weakref.WeakKeyDictionary[Lexicon, dict[str, Matcher]] = weakref.WeakKeyDictionary()


def matcher_for(lang: str, lexicon: Lexicon | None = None) -> Matcher:
    """The cached :class:`Matcher` for ``lang`` and ``lexicon`` (the default lexicon when None)."""
    lexicon = lexicon if lexicon is not None else Lexicon.default()
    code = lexicon.resolve_lang(lang)  # 'arb', 'ar' and 'ar-EG' share one matcher
    per_lexicon = _MATCHERS.get(lexicon)
    if per_lexicon is None:
        per_lexicon = _MATCHERS.setdefault(lexicon, {})
    matcher = per_lexicon.get(code)
    if matcher is None:
        matcher = per_lexicon[code] = Matcher(lexicon, code)
    return matcher


def find_terms(
    text: str,
    lang: str,
    lexicon: Lexicon | None = None,
    *,
    include_unwatched: bool = False,
    document: str | None = None,
) -> list[Occurrence]:
    """Occurrences of lexicon terms in ``text`` (the default lexicon when ``lexicon`` is None).

    ``document``: the whole text when ``text`` is one segment of it (see :meth:`Matcher.find`).
    """
    return matcher_for(lang, lexicon).find(text, include_unwatched=include_unwatched, document=document)


def find_terms_in_lines(
    text: str, lang: str, lexicon: Lexicon | None = None, *, include_unwatched: bool = False
) -> Iterator[tuple[int, Occurrence]]:
    """``(line_no, occurrence)`` for each line (1-based); offsets index that line, without its newline."""
    matcher = matcher_for(lang, lexicon)
    for line_no, line in enumerate(text.split("\n"), start=1):
        for occ in matcher.find(line, include_unwatched=include_unwatched, document=text):
            yield line_no, occ
