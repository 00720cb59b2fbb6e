"""One factory per registered backend, for the contract test (tests/test_backend_contract.py).

A factory is a module ``<backend name>.py`` here with

- ``NAME``: the backend's registered name;
- ``PAIR``: a (source, target) pair the backend it makes serves, such as ``("en", "es")``;
- ``make(tmp_path: Path) -> contextlib.AbstractContextManager[Backend]``: a ready backend, made as
  cheaply as the backend allows (a tiny model, a small file, a local server started for the test and
  stopped on exit);
- optionally ``MARKS``: pytest marks for its tests (``[pytest.mark.hf]``).

A backend that serves a fixed set of texts (``file``) must translate every text of :data:`TEXTS`.
Heavy imports (torch, a server) belong inside ``make``.
"""

from __future__ import annotations

#: What the contract test translates: distinct texts and a repeated one (always the last).
TEXTS = (
    "The house is big.",
    "Daesh fighters left the city.",
    "The regime shelled the town.",
    "The house is big.",
)
