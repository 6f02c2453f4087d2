"""Load YAML content files and turn every problem into a message naming file, line and field.

Facilitators write scenarios and rubrics by hand, so an error must say where it is in words they
understand.  This module keeps the line of every mapping key and sequence item while parsing, and
maps pydantic validation errors back to those lines.  It never raises anything but ContentError.

Aliases (``*name``) are refused before anything walks the tree: a few hundred bytes of nested
aliases expand to billions of nodes (a "billion laughs" bomb) in every walk of the data, and
hand-written content has no need for them.  Every YAML load in CoachLab goes through
``parse_yaml`` (or ``load_yaml_data``), so the CLI, the studio, the content folder and rubric files
share this refusal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

MAX_CONTENT_BYTES = 1_000_000

ModelT = TypeVar("ModelT", bound=BaseModel)
Location = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class ContentIssue:
    """One problem found in a content file."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class ContentError(Exception):
    """A content file could not be loaded; carries every issue found."""

    def __init__(self, issues: Sequence[ContentIssue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


# libyaml's parser (shipped in PyYAML's wheels) is ~10x faster than the pure-Python one and
# gives the same node marks; the pure-Python loader stays as a fallback.
_SafeBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeBase):  # type: ignore[misc]
    """Safe loader that rejects duplicate keys, naming the line of the first one."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key '{key}' (first on line {seen[key]})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _index_lines(node: yaml.Node, path: Location, lines: dict[Location, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*path, key)] = key_node.start_mark.line + 1
            _index_lines(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, (*path, i), lines)


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """Parsed YAML data with the line of each path in it."""

    file: str
    data: Any
    lines: dict[Location, int]

    def line_of(self, path: Location) -> int | None:
        """Return the line of the deepest known prefix of ``path``."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


class AliasRefused(Exception):
    """The YAML text uses an alias; carries the line of the first one."""

    def __init__(self, line: int | None) -> None:
        self.line = line
        super().__init__(line)


def _first_alias_line(text: str) -> int | None:
    loader = _SafeBase(text)
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, yaml.AliasEvent):
                return int(event.start_mark.line) + 1
    finally:
        loader.dispose()
    return None


def _refuse_shared_nodes(root: yaml.Node, text: str) -> None:
    # An alias makes the composer return the anchored node again, so the node graph stays small
    # while the tree it stands for can be huge: a node seen twice means an alias.  Iterative and
    # by identity, so this walk is linear in the size of the text.
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise AliasRefused(_first_alias_line(text))
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                stack.extend((key_node, value_node))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _compose_and_construct(text: str) -> tuple[yaml.Node | None, Any]:
    # One parse gives both the node tree (for line numbers) and the data built from it.
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _refuse_shared_nodes(node, text)
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


def parse_yaml(text: str, file: str) -> YamlDocument:
    """Parse YAML text; raise ContentError with the line of any syntax error."""
    if len(text.encode("utf-8", errors="replace")) > MAX_CONTENT_BYTES:
        raise ContentError([ContentIssue(file, None, "", "file is larger than 1 MB")])
    try:
        node, data = _compose_and_construct(text)
    except AliasRefused as exc:
        message = "YAML aliases (*name) are not allowed: write the value out in full"
        raise ContentError([ContentIssue(file, exc.line, "", message)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or "invalid YAML"
        raise ContentError(
            [ContentIssue(file, line, "", f"YAML syntax error: {problem}")]
        ) from None
    except yaml.YAMLError as exc:
        raise ContentError([ContentIssue(file, None, "", f"YAML syntax error: {exc}")]) from None
    lines: dict[Location, int] = {}
    if node is not None:
        _index_lines(node, (), lines)
    return YamlDocument(file=file, data=data, lines=lines)


def load_yaml_data(text: str, file: str) -> Any:
    """Parse YAML text into plain data with the same limits and errors as ``parse_yaml``."""
    return parse_yaml(text, file).data


def _field_name(loc: Location) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts)


# Pydantic's wording for the errors facilitators meet most, rephrased; "{…}" come from the context.
_PLAIN = {
    "less_than_equal": "must be at most {le}",
    "less_than": "must be less than {lt}",
    "greater_than_equal": "must be at least {ge}",
    "greater_than": "must be more than {gt}",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "list_type": "must be a list (lines starting with '- ')",
    "dict_type": "must be a mapping of fields",
    "model_type": "must be a mapping of fields",
    "too_short": "needs at least {min_length} items",
    "too_long": "allows at most {max_length} items",
    "string_too_short": "must not be empty",
    "string_too_long": "is too long (at most {max_length} characters)",
}


def _friendly(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "this field is required but missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see the docs for allowed fields)"
    ctx = {k: f"{v:g}" if isinstance(v, float) else v for k, v in (error.get("ctx") or {}).items()}
    template = _PLAIN.get(kind)
    if template is not None:
        try:
            message = template.format(**ctx)
        except (KeyError, IndexError):
            message = str(error.get("msg", "invalid value"))
        given = error.get("input")
        if isinstance(given, str | int | float) and len(str(given)) <= 60:
            message += f" (found {given!r})"
        return message
    if kind == "literal_error" and "expected" in ctx:
        return f"must be one of {ctx['expected']}"
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "invalid value")))
    return str(error.get("msg", "invalid value"))


def _strip_union_tags(loc: Location, data: Any) -> Location:
    """Drop pydantic's discriminator/union tags, which are not keys in the file."""
    clean: list[str | int] = []
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            clean.append(part)
            node = node[part]
        elif isinstance(node, dict | list):
            # a tag such as "function-after[...]" or a union member name: skip it
            continue
        else:
            clean.append(part)
    return tuple(clean)


def validation_issues(doc: YamlDocument, exc: ValidationError) -> list[ContentIssue]:
    """Map pydantic errors to issues that name the line and field in the YAML file."""
    issues = []
    for error in exc.errors():
        raw = tuple(error["loc"])
        loc = _strip_union_tags(raw, doc.data)
        if (
            error.get("type") == "missing"
            and raw
            and isinstance(raw[-1], str)
            and (not loc or loc[-1] != raw[-1])
        ):
            loc = (*loc, raw[-1])  # name the missing field; its line is the parent's
        issues.append(ContentIssue(doc.file, doc.line_of(loc), _field_name(loc), _friendly(error)))
    return issues


def load_model(text: str, file: str, model: type[ModelT]) -> ModelT:
    """Parse YAML text and validate it as ``model``; raise ContentError listing every problem."""
    doc = parse_yaml(text, file)
    if not isinstance(doc.data, dict):
        raise ContentError([ContentIssue(file, 1, "", "expected a mapping of fields at the top")])
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise ContentError(validation_issues(doc, exc)) from None


def load_model_file(path: Path, model: type[ModelT]) -> ModelT:
    """Read a YAML file and validate it as ``model``; errors name the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(
            [ContentIssue(str(path), None, "", f"cannot read file: {exc}")]
        ) from None
    return load_model(text, str(path), model)
