"""Rubric catalogue: the built-in rubrics shipped with CoachLab and rubrics read from files.

What must stay true:
- every load goes through rubrics.yaml_source, so any problem is a ContentError naming the file,
  line and field;
- a built-in rubric's id equals its file name (``core-coaching.yaml`` holds ``id: core-coaching``);
- loading has no side effects and reads the files again on each call (they are small), so tests
  and long-running apps never see stale content.
"""

from __future__ import annotations

from pathlib import Path

from rubrics.model import Rubric
from rubrics.yaml_source import (
    ContentError,
    ContentIssue,
    load_model,
    parse_yaml,
)

BUILTIN_DIR = Path(__file__).parent / "builtin"


def load_rubric_text(text: str, file: str) -> Rubric:
    """Validate rubric YAML text; ``file`` names the source in error messages."""
    try:
        return load_model(text, file, Rubric)
    except ContentError as exc:
        duplicates = _duplicate_criteria(text, file)
        if not duplicates:
            raise
        # point at each repeated id's own line instead of the whole criteria list
        rest = [i for i in exc.issues if "duplicate criterion id" not in i.message]
        raise ContentError([*duplicates, *rest]) from None


def _duplicate_criteria(text: str, file: str) -> list[ContentIssue]:
    doc = parse_yaml(text, file)
    criteria = doc.data.get("criteria") if isinstance(doc.data, dict) else None
    if not isinstance(criteria, list):
        return []
    first: dict[object, int] = {}
    issues = []
    for i, item in enumerate(criteria):
        cid = item.get("id") if isinstance(item, dict) else None
        if cid is None:
            continue
        if cid in first:
            message = f"duplicate criterion id '{cid}' (also criteria[{first[cid]}])"
            issues.append(
                ContentIssue(file, doc.line_of(("criteria", i, "id")), f"criteria[{i}].id", message)
            )
        else:
            first[cid] = i
    return issues


def load_rubric_file(path: Path | str) -> Rubric:
    """Read and validate one rubric YAML file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        issue = ContentIssue(str(path), None, "", f"cannot read file: {exc}")
        raise ContentError([issue]) from None
    return load_rubric_text(text, str(path))


def builtin_rubrics() -> dict[str, Rubric]:
    """Return every built-in rubric by id, in file-name order."""
    rubrics: dict[str, Rubric] = {}
    for path in sorted(BUILTIN_DIR.glob("*.yaml")):
        rubric = load_rubric_file(path)
        if rubric.id != path.stem:
            issue = ContentIssue(str(path), None, "id", f"must be '{path.stem}' (the file name)")
            raise ContentError([issue])
        rubrics[rubric.id] = rubric
    return rubrics


def resolve_rubric(reference: str) -> Rubric:
    """Return the built-in rubric with this id, or else load ``reference`` as a file path."""
    builtin = builtin_rubrics()
    if reference in builtin:
        return builtin[reference]
    path = Path(reference)
    if not path.is_file():
        known = ", ".join(builtin)
        message = f"no built-in rubric with this id ({known}) and no such file"
        raise ContentError([ContentIssue(reference, None, "", message)])
    return load_rubric_file(path)
