"""Language codes: every public function takes ISO 639-1 codes where they exist (en, es, ar).

ISO 639-3 codes (eng, spa, arb) and BCP-47 tags (zh-CN) are accepted and normalised; anything else
raises :class:`UnknownLanguageError` with the closest valid codes.
"""

from __future__ import annotations

import difflib
from functools import lru_cache

from .errors import UnknownLanguageError


@lru_cache(maxsize=512)
def normalize_lang(code: str) -> str:
    """Return the shortest standard code for ``code`` ('eng' -> 'en', 'ES' -> 'es', 'zh-CN' -> 'zh-CN')."""
    import langcodes

    raw = code.strip()
    if not raw:
        raise UnknownLanguageError("empty language code; expected an ISO 639 code such as 'en', 'es', 'ar'")
    try:
        lang = langcodes.Language.get(raw.replace("_", "-"), normalize=True)
    except (langcodes.LanguageTagError, ValueError):
        lang = None
    if lang is None or not lang.is_valid() or not lang.language or lang.language == "und":
        raise UnknownLanguageError(f"unknown language {code!r}{_suggest(raw)}")
    base = lang.language
    if not _is_known_language(base):
        raise UnknownLanguageError(f"unknown language {code!r}{_suggest(raw)}")
    return str(lang.simplify_script()) if lang.territory or lang.script else base


def base_lang(code: str) -> str:
    """The language subtag alone: 'zh-CN' -> 'zh', 'eng' -> 'en'."""
    return normalize_lang(code).split("-")[0]


@lru_cache(maxsize=1)
def _alpha2_codes() -> tuple[str, ...]:
    from language_data.name_data import CODE_TO_NAMES

    return tuple(sorted(c for c in CODE_TO_NAMES if len(c) == 2 and c.isalpha()))


@lru_cache(maxsize=1024)
def _is_known_language(base: str) -> bool:
    import langcodes

    if len(base) == 2:
        return base in _alpha2_codes()
    try:
        return langcodes.Language.get(base).language_name() != base
    except (langcodes.LanguageTagError, ValueError):
        return False


def _suggest(code: str, choices: tuple[str, ...] | None = None) -> str:
    code = code.lower()
    pool = choices or _alpha2_codes()
    hits: list[str] = []
    try:
        import langcodes

        guess = langcodes.find(code).language
        if guess and guess in pool:
            hits.append(guess)
    except LookupError:
        pass
    if len(code) == 3 and code[:2] in pool:
        hits.append(code[:2])
    hits += difflib.get_close_matches(code, pool, n=3, cutoff=0.5)
    unique = list(dict.fromkeys(hits))[:3]
    if not unique:
        return "; expected an ISO 639 code such as 'en', 'es', 'ar'"
    return " — did you mean " + " or ".join(repr(h) for h in unique) + "?"


def without_region(code: str) -> str | None:
    """The tag with its region and variants dropped, if that keeps the script: 'es-ES' -> 'es'.

    ``None`` when there is nothing to drop, or when dropping it would change the script the tag
    implies ('zh-TW' is written in Traditional characters, 'zh' in Simplified ones).
    """
    import langcodes

    tag = langcodes.Language.get(normalize_lang(code))
    if not tag.territory and not tag.variants:
        return None
    shorter = langcodes.Language.make(language=tag.language, script=tag.script)
    if shorter.maximize().script != tag.maximize().script:
        return None
    return normalize_lang(str(shorter))
