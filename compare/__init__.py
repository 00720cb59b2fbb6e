"""mtcompare: what machine translation does to loaded words.

``import compare`` stays light: torch and transformers are imported only by the ``hf`` backend, when
it translates.
"""

from __future__ import annotations

__version__ = "0.1.0"
