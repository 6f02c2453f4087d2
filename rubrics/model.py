"""Rubric schema: what a rubric file may contain, validated before anything is scored.

What must stay true:
- every model forbids unknown fields, so a misspelt field is an error, never silently ignored;
- a measure only names metrics registered in rubrics.metrics.METRICS;
- thresholds are four strictly ascending cut points inside the metric's range, so every level
  from 1 to 5 is reachable and a value always maps to exactly one level;
- every criterion describes all five levels, and criterion ids are unique within a rubric;
- models are frozen: a loaded rubric is a value that can be shared between sessions.
"""

from __future__ import annotations

import difflib
import itertools
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
    model_validator,
)

from rubrics.metrics import METRICS

Slug = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", min_length=1, max_length=64)
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
LEVELS = (1, 2, 3, 4, 5)
MAX_VERSION = 2**31 - 1  # versions are stored as INTEGER (32 bits on PostgreSQL)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MetricScale(_Strict):
    """Maps one metric's value to a level 1–5 with four cut points."""

    metric: str = Field(description="A metric name from rubrics.metrics.METRICS.")
    thresholds: list[float] = Field(
        min_length=4,
        max_length=4,
        description="Four strictly ascending cut points between levels 1|2, 2|3, 3|4 and 4|5.",
    )
    higher_is_better: bool = Field(
        default=True,
        description="True: a value at or above the 4th cut point is level 5. False: a value at "
        "or below the 1st cut point is level 5.",
    )

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, name: str) -> str:
        if name not in METRICS:
            close = difflib.get_close_matches(name, list(METRICS), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else "; see docs/rubrics.md"
            raise ValueError(f"unknown metric '{name}'{hint}")
        return name

    @model_validator(mode="after")
    def _valid_cut_points(self) -> MetricScale:
        cuts = self.thresholds
        if any(b <= a for a, b in itertools.pairwise(cuts)):
            raise ValueError(f"thresholds must be strictly ascending, got {cuts}")
        spec = METRICS[self.metric]
        low, high = spec.minimum, spec.maximum
        if cuts[0] < low or (high is not None and cuts[-1] > high):
            upper = "no upper limit" if high is None else f"at most {high:g}"
            raise ValueError(f"thresholds for {self.metric} must be at least {low:g} and {upper}")
        return self

    def level_for(self, value: float) -> int:
        """Return the level (1–5) that ``value`` falls in."""
        if self.higher_is_better:
            return 1 + sum(value >= cut for cut in self.thresholds)
        return 5 - sum(value > cut for cut in self.thresholds)

    def cut_for(self, level: int) -> str:
        """Describe what a value needs to reach ``level`` (2–5), e.g. 'at least 0.5'."""
        if self.higher_is_better:
            return f"at least {self.thresholds[level - 2]:g}"
        return f"at most {self.thresholds[5 - level]:g}"


class MetricMeasure(MetricScale):
    """A criterion measured on one metric."""

    type: Literal["metric"] = Field(description="Always 'metric'.")


class CombinationPart(MetricScale):
    """One weighted metric inside a combination."""

    weight: float = Field(default=1.0, gt=0, le=100, description="Relative weight of this part.")


class CombinationMeasure(_Strict):
    """A criterion measured on several metrics; part scores are averaged by weight."""

    type: Literal["combination"] = Field(description="Always 'combination'.")
    parts: list[CombinationPart] = Field(min_length=2, description="Two or more metric parts.")


class LlmJudgeMeasure(_Strict):
    """A criterion judged by a language model, with a metric fallback when offline."""

    type: Literal["llm_judge"] = Field(description="Always 'llm_judge'.")
    prompt: Text = Field(description="What the judge is asked to rate on the 1–5 levels.")
    offline_metric: MetricScale = Field(description="Metric used when no judge is available.")


def _measure_tag(data: Any) -> str | None:
    kind = data.get("type") if isinstance(data, dict) else getattr(data, "type", None)
    return f"{kind} measure" if kind in ("metric", "combination", "llm_judge") else None


# Tags differ from the field names inside a measure so error locations never confuse the two.
Measure = Annotated[
    Annotated[MetricMeasure, Tag("metric measure")]
    | Annotated[CombinationMeasure, Tag("combination measure")]
    | Annotated[LlmJudgeMeasure, Tag("llm_judge measure")],
    Discriminator(
        _measure_tag,
        custom_error_type="measure_type",
        custom_error_message="measure needs 'type: metric', 'type: combination' or "
        "'type: llm_judge'",
    ),
]


class Criterion(_Strict):
    """One thing a rubric scores, with a descriptor for each level."""

    id: Slug = Field(description="Unique within the rubric; lowercase words joined by '-'.")
    name: Text = Field(description="Short title shown to the learner.")
    weight: float = Field(gt=0, le=100, description="Relative weight; normalised when scoring.")
    description: Text = Field(description="What the criterion looks for and why it matters.")
    levels: dict[int, Text] = Field(description="Descriptor for each level 1 to 5.")
    measure: Measure = Field(description="How the level is decided.")

    @field_validator("levels")
    @classmethod
    def _all_levels(cls, levels: dict[int, str]) -> dict[int, str]:
        missing = [lvl for lvl in LEVELS if lvl not in levels]
        extra = sorted(lvl for lvl in levels if lvl not in LEVELS)
        if missing or extra:
            problems = [f"missing {missing}"] if missing else []
            problems += [f"unexpected {extra}"] if extra else []
            raise ValueError("levels must be exactly 1 to 5: " + ", ".join(problems))
        return dict(sorted(levels.items()))

    def descriptor(self, level: int) -> str:
        """Return the descriptor for one level."""
        return self.levels[level]


class Rubric(_Strict):
    """A versioned set of weighted criteria."""

    id: Slug = Field(description="Stable identifier, e.g. 'core-coaching'.")
    name: Text = Field(description="Title shown to learners.")
    version: int = Field(ge=1, le=MAX_VERSION, description="Bumped whenever scoring would change.")
    description: Text = Field(description="What the rubric is for.")
    criteria: list[Criterion] = Field(min_length=1, description="The criteria scored.")

    @field_validator("criteria")
    @classmethod
    def _unique_ids(cls, criteria: list[Criterion]) -> list[Criterion]:
        seen: dict[str, int] = {}
        for i, criterion in enumerate(criteria):
            if criterion.id in seen:
                raise ValueError(
                    f"duplicate criterion id '{criterion.id}' "
                    f"(criteria[{seen[criterion.id]}] and criteria[{i}])"
                )
            seen[criterion.id] = i
        return criteria

    def normalised_weights(self) -> dict[str, float]:
        """Return criterion id -> weight scaled so the weights sum to 1."""
        total = sum(c.weight for c in self.criteria)
        return {c.id: c.weight / total for c in self.criteria}
