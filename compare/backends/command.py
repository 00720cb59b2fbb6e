"""Any external program as a backend: segments on stdin, one a line; translations on stdout, same order.

``command:'my-mt --from {src} --to {tgt}'`` — ``{src}`` and ``{tgt}`` are replaced by the ISO codes.
The whole batch goes through one process run.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess

from ..errors import ExternalCommandError
from ..results import HopSignature, Translation
from .base import Backend, register_backend


@register_backend("command")
class CommandBackend(Backend):
    """Translate by piping segments through an external command."""

    option_names = ("timeout",)

    def __init__(self, arg: str | None = None, **options: object) -> None:
        super().__init__(arg, **options)
        if not arg:
            raise ExternalCommandError(
                'the command backend needs a command: --backend "command:my-mt --from {src} --to {tgt}"'
            )
        try:
            self.argv_template = shlex.split(arg)
        except ValueError as exc:
            raise ExternalCommandError(f"cannot parse the command {arg!r}: {exc}") from None
        program = self.argv_template[0] if self.argv_template else arg
        if shutil.which(program) is None:
            raise ExternalCommandError(f"command not found: {program!r}; give a program on PATH or its full path")

    def pairs(self) -> set[tuple[str, str]]:
        return set()

    def hop_signature(self, source_lang: str, target_lang: str) -> HopSignature:
        return HopSignature(backend="command", source_lang=source_lang, target_lang=target_lang, model=self.arg or "")

    def _translate_batch(self, texts: list[str], source_lang: str, target_lang: str) -> list[Translation]:
        argv = [part.replace("{src}", source_lang).replace("{tgt}", target_lang) for part in self.argv_template]
        payload = "".join(" ".join(t.split()) + "\n" for t in texts)
        try:
            run = subprocess.run(
                argv,
                input=payload.encode("utf-8"),
                capture_output=True,
                timeout=float(self.options.get("timeout", 3600)),  # type: ignore[arg-type]
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ExternalCommandError(f"command {shlex.join(argv)!r} timed out") from None
        except OSError as exc:
            raise ExternalCommandError(f"cannot run {shlex.join(argv)!r}: {exc.strerror}") from None
        tail = " ".join(run.stderr.decode("utf-8", "replace").strip().splitlines()[-3:])[-300:]
        if run.returncode != 0:
            raise ExternalCommandError(
                f"command {shlex.join(argv)!r} failed with exit code {run.returncode}: {tail or '(no stderr)'}"
            )
        lines = run.stdout.decode("utf-8", "replace").splitlines()
        if len(lines) != len(texts):
            raise ExternalCommandError(
                f"command {shlex.join(argv)!r} wrote {len(lines)} lines for {len(texts)} segments; "
                "it must write one translation per input line"
            )
        return [Translation(line.strip()) for line in lines]
