"""Common first names, shared by redaction (app) and the personas' hearing of a wrong name.

The list lives in ``rubrics/data/first_names.txt``: lower case, several names per line, ``#``
comments; names that are also everyday English words are left out on purpose.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

FIRST_NAMES_FILE = Path(__file__).with_name("data") / "first_names.txt"


@cache
def common_first_names() -> frozenset[str]:
    """The bundled list of common first names (lower case), read once."""
    text = FIRST_NAMES_FILE.read_text(encoding="utf-8")
    lines = (line for line in text.splitlines() if not line.startswith("#"))
    return frozenset(word for line in lines for word in line.split())
