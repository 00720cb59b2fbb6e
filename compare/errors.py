"""The one exception hierarchy of mtcompare.

Library code raises these; only the CLI turns them into a message and an exit code. Each message
says what was received, what was expected, and the valid choices or the fix, in one line.
"""

from __future__ import annotations


class MtcompareError(Exception):
    """Base of every error the toolkit raises on purpose."""

    exit_code = 1


class ArgumentError(MtcompareError, TypeError):
    """A library function got an argument of the wrong type; the message names it and what it accepts."""

    exit_code = 2


class ArgumentValueError(MtcompareError, ValueError):
    """A library function got an argument of the right type but an unusable value (empty, negative)."""

    exit_code = 2


class MtcompareWarning(UserWarning):
    """Base of the warnings the library gives; the CLI shows each as one line on stderr."""


class CacheWarning(MtcompareWarning):
    """The translation cache works in part: corrupt rows are translated again, or nothing new is stored."""


class InputError(MtcompareError):
    """An input text could not be read: missing, empty, not UTF-8."""

    exit_code = 2


class UnknownLanguageError(MtcompareError, ValueError):
    """A language code that is not ISO 639 (with close suggestions in the message)."""

    exit_code = 2


class UnsupportedPairError(MtcompareError):
    """The chosen backend cannot translate this language pair."""

    exit_code = 3


class BackendUnavailableError(MtcompareError):
    """A backend is unknown, or its software is not installed here."""

    exit_code = 3


class ModelUnavailableError(BackendUnavailableError):
    """A model could not be loaded (not cached, no network, bad path)."""


class MissingExtraError(BackendUnavailableError):
    """An optional feature's packages are not installed; the message names the extra to install."""


class ExternalCommandError(MtcompareError):
    """An external program (Apertium, a user's command) failed or broke segment alignment."""

    exit_code = 4


class TranslationFileError(MtcompareError):
    """A file of precomputed translations is malformed or lacks a segment."""

    exit_code = 2


class LexiconError(MtcompareError):
    """A lexicon file is malformed; the message names the file and line."""

    exit_code = 2


class CacheError(MtcompareError):
    """The translation cache could not be opened or written."""

    exit_code = 5


class ResultFormatError(MtcompareError):
    """A JSON document does not have the shape of an mtcompare result."""

    exit_code = 2


class OutputError(MtcompareError):
    """A report could not be written: ``cannot write PATH: reason``."""

    exit_code = 6


class LanguageFallbackWarning(MtcompareWarning):
    """A backend has no variant for a regional tag (es-ES), so the language alone (es) was used."""
