"""Bounded JSON: nesting is measured before the recursive parser runs."""

from __future__ import annotations

import pytest

from rubrics.json_text import JsonTooDeep, load_json


def test_brackets_inside_strings_do_not_count_and_deep_nesting_names_its_line() -> None:
    text = '{"note": "' + "[" * 200 + '\\"", "n": ' + "[" * 63 + "]" * 63 + "}"
    assert load_json(text)["note"].startswith("[[[")
    with pytest.raises(JsonTooDeep) as caught:
        load_json('{\n"a":\n' + "[" * 64 + "]" * 64 + "}")
    assert caught.value.line == 3
