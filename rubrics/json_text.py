"""Parse JSON from files people hand us, with a nesting limit checked before the parser runs.

Python's ``json`` recurses once per level, so ``[[[[…]]]]`` a hundred thousand deep ends in a
RecursionError (and anything that later walks a merely deep value may do the same).  Every JSON
file the CLI and the services read from outside (transcripts, library imports, backups) goes
through ``load_json``; what must stay true is that it raises only ``json.JSONDecodeError`` or
``JsonTooDeep`` (both ValueError), each with the line of the problem.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_JSON_DEPTH = 64

# A string token (skipped whole, so brackets inside text never count) or one bracket.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class JsonTooDeep(ValueError):
    """JSON nested deeper than the limit; ``line`` is where the limit was crossed."""

    def __init__(self, line: int, max_depth: int) -> None:
        self.line = line
        self.max_depth = max_depth
        super().__init__(f"line {line}: JSON nested more than {max_depth} levels deep")


def nesting_problem(text: str, max_depth: int = MAX_JSON_DEPTH) -> JsonTooDeep | None:
    """The first place ``text`` nests deeper than ``max_depth``, or None (linear, no recursion)."""
    depth = 0
    for match in _TOKEN.finditer(text):
        bracket = match.group(0)
        if bracket in "[{":
            depth += 1
            if depth > max_depth:
                return JsonTooDeep(text.count("\n", 0, match.start()) + 1, max_depth)
        elif bracket in "]}":
            depth -= 1
    return None


def load_json(text: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` after refusing nesting deeper than ``max_depth`` (raises JsonTooDeep)."""
    problem = nesting_problem(text, max_depth)
    if problem is not None:
        raise problem
    return json.loads(text)
