"""Load, validate and export scenario files; the built-in catalogue.

What must stay true: every problem in a scenario file — YAML syntax, unknown or missing fields,
values out of range, duplicate layer ids, unknown or cyclic prerequisites — surfaces as a
``ContentError`` whose issues name the file, the line and the field.  ``dump_scenario_yaml`` output
loads back to an equal scenario.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from rubrics.yaml_source import ContentError, ContentIssue, load_model, parse_yaml
from scenarios.model import Location, Scenario

BUILTIN_DIR = Path(__file__).parent / "builtin"


def _field(loc: Location) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_scenario_text(text: str, file: str) -> Scenario:
    """Validate scenario YAML text; raise ContentError naming ``file``, line and field."""
    scenario = load_model(text, file, Scenario)
    problems = scenario.structure_problems()
    if problems:
        doc = parse_yaml(text, file)
        raise ContentError(
            [
                ContentIssue(file, doc.line_of(loc), _field(loc), message)
                for loc, message in problems
            ]
        )
    return scenario


def load_scenario_file(path: Path | str) -> Scenario:
    """Read and validate one scenario file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(
            [ContentIssue(str(path), None, "", f"cannot read file: {exc}")]
        ) from None
    return load_scenario_text(text, str(path))


@lru_cache(maxsize=1)
def _builtin() -> tuple[Scenario, ...]:
    scenarios: list[Scenario] = []
    seen: dict[str, Path] = {}
    for path in sorted(BUILTIN_DIR.glob("*.yaml")):
        scenario = load_scenario_file(path)
        if scenario.id in seen:
            raise ContentError(
                [
                    ContentIssue(
                        str(path), None, "id", f"id '{scenario.id}' also in {seen[scenario.id]}"
                    )
                ]
            )
        seen[scenario.id] = path
        scenarios.append(scenario)
    return tuple(scenarios)


def builtin_scenarios() -> dict[str, Scenario]:
    """Return the built-in scenarios by id, in file-name order."""
    return {scenario.id: scenario for scenario in _builtin()}


def dump_scenario_yaml(scenario: Scenario) -> str:
    """Return the scenario as YAML, hidden layers and debrief included (the facilitator's file)."""
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    data = {"schema_version": scenario.schema_version, **data}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
