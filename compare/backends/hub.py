"""Where a model comes from: a preset, a Hugging Face hub id, or a local directory.

Shared by the model backends (``hf``, ``ct2``) and ``mtcompare models convert``. Nothing here imports
transformers at module level; a hub model is taken from the local Hugging Face cache when it is
there, and the hub is asked only for what is missing. Without network a missing model fails at once
with one line naming the model and the two fixes (download it elsewhere, or pass a directory).
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import ModelUnavailableError
from .presets import Preset, Presets

#: A Hugging Face hub id: ``NAME`` or ``ORG/NAME``.
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?$")


@dataclass(frozen=True)
class ModelSource:
    """What a backend argument names: a preset, or one model (a hub id, or a local directory)."""

    preset: Preset | None = None
    #: The one model used for every pair (hub id or absolute path); None for a per-pair preset.
    model_id: str | None = None
    #: Whether ``model_id`` is a local directory.
    local: bool = False


def hub_offline() -> bool:
    """HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE, read now (huggingface_hub reads them once, at import)."""
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        if os.environ.get(var, "").strip().upper() in {"1", "ON", "YES", "TRUE"}:
            return True
    return False


def hub_reachable(timeout: float = 3.0) -> bool:
    """Whether a TCP connection to the hub opens, so that a missing model fails fast without network.

    Behind a proxy the answer is left to the hub client.
    """
    if any(os.environ.get(v) for v in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return True
    endpoint = urlsplit(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    port = endpoint.port or (80 if endpoint.scheme == "http" else 443)
    try:
        socket.create_connection((endpoint.hostname or "huggingface.co", port), timeout=timeout).close()
    except OSError:
        return False
    return True


def looks_like_path(arg: str) -> bool:
    """Whether a backend argument names a directory rather than a preset or a hub id."""
    return Path(arg).expanduser().exists() or arg.startswith(("/", ".", "~")) or "\\" in arg or arg.count("/") > 1


def directory_hash(path: Path) -> str:
    """A short hash of config.json and the names and sizes of the directory's files."""
    digest = hashlib.sha256()
    config = path / "config.json"
    if config.is_file():
        digest.update(config.read_bytes())
    for entry in sorted(path.iterdir()):
        if entry.is_file():
            digest.update(f"\x00{entry.name}\x00{entry.stat().st_size}".encode())
    return digest.hexdigest()[:12]


def cached_commit(model_id: str, revision: str | None) -> str | None:
    """The commit hash of the locally cached copy of a hub model, without touching the network."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    try:
        found = try_to_load_from_cache(model_id, "config.json", revision=revision)
    except ValueError:  # not a valid repo id: loading will say so
        return None
    if isinstance(found, str):
        return Path(found).parent.name
    return None


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (at most 300 characters), or its class name."""
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def exception_chain(exc: BaseException) -> set[str]:
    """The class names (with their bases) of an exception and of those it was raised from."""
    names: set[str] = set()
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            break
        names.update(cls.__name__ for cls in type(seen).__mro__)
        seen = seen.__cause__ or seen.__context__
    return names


def resolve_source(arg: str | None, presets: Presets, backend: str, directory_hint: str) -> ModelSource:
    """The preset, directory or hub id that ``backend:arg`` names (no argument: the default preset).

    Raises :class:`~compare.errors.ModelUnavailableError` for a missing directory or an argument
    that is none of the three; ``directory_hint`` says what a directory must hold.
    """
    name = arg or presets.default
    if name in presets.presets:
        preset = presets.presets[name]
        return ModelSource(preset=preset, model_id=preset.model)
    if looks_like_path(name):
        path = Path(name).expanduser()
        if not path.is_dir():
            raise ModelUnavailableError(
                f"no model directory at {str(path.resolve())!r}; pass a directory {directory_hint}, "
                f"a hub id such as Helsinki-NLP/opus-mt-en-es, or a preset: {', '.join(presets.presets)}"
            )
        return ModelSource(model_id=str(path.resolve()), local=True)
    if HUB_ID.match(name):
        return ModelSource(model_id=name)
    raise ModelUnavailableError(
        f"{backend}:{name} is neither a preset ({', '.join(presets.presets)}), an existing directory, "
        "nor a hub id such as Helsinki-NLP/opus-mt-en-es"
    )


def from_pretrained(loader: Any, model_id: str, revision: str | None, local: bool) -> Any:
    """``loader.from_pretrained``: from a local directory; or from the Hugging Face cache,
    downloading only what is missing (and not trying when the hub is offline or unreachable)."""
    if local:
        return loader.from_pretrained(model_id)
    try:
        return loader.from_pretrained(model_id, revision=revision, local_files_only=True)
    except OSError:
        if hub_offline() or not hub_reachable():
            raise
    return loader.from_pretrained(model_id, revision=revision)


def load_error(
    model_id: str,
    exc: BaseException,
    *,
    local: bool,
    revision: str | None = None,
    presets: Presets | None = None,
    backend: str = "hf",
    use_directory: str | None = None,
) -> str:
    """One line: what could not be loaded, why, and how to fix it.

    ``use_directory`` says how to use a local copy instead (default: ``--backend BACKEND:/path/to/model``).
    """
    if local:
        return f"cannot load model from {model_id!r}: {first_line(exc)}"
    chain = exception_chain(exc)
    hint = ""
    if "/" not in model_id and presets is not None:
        close = difflib.get_close_matches(model_id, list(presets.presets), n=1)
        hint = f" (did you mean the preset {close[0]!r}?)" if close else ""
    if "RevisionNotFoundError" in chain:
        return f"model {model_id!r} has no revision {revision!r} on the Hugging Face hub"
    if "RepositoryNotFoundError" in chain:
        return (
            f"no model {model_id!r} on the Hugging Face hub{hint}; if it is gated or private, "
            "log in with huggingface-cli login"
        )
    if "LocalEntryNotFoundError" in chain or "OfflineModeIsEnabled" in chain or hub_offline():
        return (
            f"cannot load model {model_id!r}{hint}: not in the local Hugging Face cache and the hub is "
            f"unreachable; download it where there is network (huggingface-cli download {model_id}), "
            "then set HF_HOME to that cache or pass a local directory: "
            f"{use_directory or f'--backend {backend}:/path/to/model'}"
        )
    return f"cannot load model {model_id!r}{hint}: {first_line(exc)}"
