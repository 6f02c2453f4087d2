"""The one YAML loader: aliases are refused before anything walks the tree."""

from __future__ import annotations

import time

import pytest

from rubrics.yaml_source import ContentError, load_yaml_data, parse_yaml
from tests.builders import alias_bomb


def test_a_nine_level_alias_bomb_is_refused_at_once_naming_the_line() -> None:
    bomb = alias_bomb(9)
    assert len(bomb.encode()) < 500
    started = time.perf_counter()
    with pytest.raises(ContentError) as caught:
        parse_yaml(bomb, "bomb.yaml")
    assert time.perf_counter() - started < 1.0
    (issue,) = caught.value.issues
    assert (issue.file, issue.line) == ("bomb.yaml", 2)
    assert "aliases" in issue.message and "\n" not in str(issue)


def test_a_single_alias_is_refused_and_anchors_alone_load() -> None:
    with pytest.raises(ContentError, match=r"draft:3: YAML aliases"):
        load_yaml_data("a: &x 1\nb: 2\nc: *x\n", "draft")
    assert load_yaml_data("a: &x 1\nb: [2, 3]\n", "draft") == {"a": 1, "b": [2, 3]}
