"""The facilitator studio: write, check, try out, version and publish scenarios and rubrics.

What must stay true:
- Every method checks ``Action.AUTHOR_CONTENT`` itself; trying a rubric on a stored session also
  needs that session's learner to be in one of the caller's cohorts (administrators: anyone).
- Drafts are validated by the same loaders as files, so the studio shows the same issues (file,
  line, field) as ``coachlab scenario|rubric validate``.
- A test drive plays the draft's persona with the configured engine and stores nothing; the caller
  keeps the returned state and hands it back with the next line.
- Saving always adds an immutable version; a brand-new scenario starts unpublished, so learners
  never see a draft until a facilitator publishes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select

from app.services.cohorts import CohortService
from app.services.content import ContentService
from app.services.errors import InvalidInput, NotFound
from app.services.principal import Action, Principal
from app.storage.database import Database
from app.storage.models import (
    PracticeSession,
    RubricVersion,
    ScenarioRecord,
    ScenarioVersion,
    ScorecardRecord,
    TurnRecord,
    User,
)
from rubrics.catalogue import load_rubric_text
from rubrics.detector import TechniqueDetector
from rubrics.model import Rubric
from rubrics.parsing import TranscriptError, parse_transcript
from rubrics.scorer import Scorer
from rubrics.transcript import Turn
from rubrics.yaml_source import ContentError, ContentIssue, load_yaml_data
from scenarios.catalogue import load_scenario_text
from scenarios.engine import TurnTrace
from scenarios.model import LearnerView, Scenario
from scenarios.playthrough import PersonaEngine
from scenarios.state import PersonaState

STARTERS = Path(__file__).parent / "starters"
_VERSION = re.compile(r"^version:[^\n]*$", re.M)
_ID = re.compile(r"^id:[^\n]*$", re.M)


@dataclass(frozen=True, slots=True)
class ScenarioCheck:
    """A draft scenario's issues, or (when it is valid) the learner's brief."""

    issues: list[ContentIssue]
    preview: LearnerView | None


@dataclass(frozen=True, slots=True)
class TestDrive:
    """A test conversation with a draft persona (never stored)."""

    turns: list[tuple[str, str]]
    state: dict[str, Any]
    unlocked: list[str] = field(default_factory=list)
    committed: bool = False
    traces: list[TurnTrace] = field(default_factory=list)  # one per persona reply: why it said so


@dataclass(frozen=True, slots=True)
class ContentRow:
    """A scenario or rubric in the studio's list."""

    id: str
    title: str
    version: int
    published: bool
    source: str


@dataclass(frozen=True, slots=True)
class VersionRow:
    """One stored version and how often it was used."""

    version: int
    created_at: datetime
    author: str
    uses: int


@dataclass(frozen=True, slots=True)
class SessionChoice:
    """An ended session a facilitator may try a rubric on."""

    id: int
    learner: str
    scenario_id: str
    ended_at: datetime | None


class AuthoringService:
    """The studio's use cases for scenarios and rubrics."""

    def __init__(
        self,
        db: Database,
        content: ContentService,
        cohorts: CohortService,
        engine: PersonaEngine,
        detector: TechniqueDetector,
        scorer: Scorer,
    ) -> None:
        self._db = db
        self._content = content
        self._cohorts = cohorts
        self._engine = engine
        self._detector = detector
        self._scorer = scorer

    # -- starting points -----------------------------------------------------------------------
    @staticmethod
    def starter(kind: str) -> str:
        """A valid scenario or rubric file to start from scratch."""
        if kind not in ("scenario", "rubric"):
            raise InvalidInput("Starters exist for 'scenario' and 'rubric'.")
        return (STARTERS / f"{kind}.yaml").read_text(encoding="utf-8")

    @staticmethod
    def with_fields(text: str, fields: dict[str, Any]) -> str:
        """Set common fields (dotted names such as ``persona.name``) in a draft's YAML."""
        try:
            data = load_yaml_data(text, "draft")
        except ContentError as exc:
            raise InvalidInput(f"Fix the YAML before using the form: {exc.issues[0]}") from None
        if not isinstance(data, dict):
            raise InvalidInput("The draft must be a mapping of fields.")
        for name, value in fields.items():
            node = data
            *parents, last = name.split(".")
            for part in parents:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise InvalidInput(f"'{part}' must be a mapping to set {name}.")
            node[last] = value
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)

    # -- scenarios -----------------------------------------------------------------------------
    def check_scenario(self, actor: Principal, text: str, file: str = "draft") -> ScenarioCheck:
        """Validate a draft; a valid one comes with the learner's brief (nothing hidden)."""
        actor.require(Action.AUTHOR_CONTENT)
        try:
            scenario = load_scenario_text(text, file)
        except ContentError as exc:
            return ScenarioCheck(exc.issues, None)
        return ScenarioCheck([], scenario.learner_view())

    def start_drive(self, actor: Principal, text: str, seed: int = 0) -> TestDrive:
        """Open a test conversation with a draft's persona."""
        scenario = self._draft_scenario(actor, text)
        opening = self._engine.start(scenario, seed)
        return TestDrive([("client", opening.text)], opening.state.model_dump(mode="json"))

    def drive(self, actor: Principal, text: str, drive: TestDrive, line: str) -> TestDrive:
        """Answer one coach line in a test conversation."""
        scenario = self._draft_scenario(actor, text)
        line = " ".join(line.split())[:2000]
        if not line:
            raise InvalidInput("Write something to the persona first.")
        state = PersonaState.model_validate(drive.state)
        if state.scenario_id != scenario.id:
            raise InvalidInput("The draft's id changed: restart the test drive.")
        history = [Turn(speaker, said) for speaker, said in drive.turns]  # type: ignore[arg-type]
        labels = self._detector.label_coach(line, history[-1].text if history else None)
        history.append(Turn("coach", line))
        reply = self._engine.reply(scenario, state, line, labels, history)
        return TestDrive(
            [*drive.turns, ("coach", line), ("client", reply.text)],
            reply.state.model_dump(mode="json"),
            list(reply.state.unlocked),
            reply.state.committed,
            [*drive.traces, *([reply.trace] if reply.trace is not None else [])],
        )

    def save_scenario(
        self, actor: Principal, text: str, *, file: str = "editor", next_version: bool = True
    ) -> tuple[str, int]:
        """Store a draft as a new version (numbered after the newest when ``next_version``)."""
        actor.require(Action.AUTHOR_CONTENT)
        scenario = load_scenario_text(text, file)
        with self._db.session() as s:
            latest = s.scalar(
                select(func.max(ScenarioVersion.version)).where(
                    ScenarioVersion.scenario_id == scenario.id
                )
            )
        if next_version and latest is not None and scenario.version <= latest:
            text = _with_version(text, latest + 1)
        saved = self._content.import_scenario(actor, text, file)
        if latest is None:  # a new scenario is a draft until published
            self.set_published(actor, scenario.id, False)
        return saved

    def scenarios(self, actor: Principal) -> list[ContentRow]:
        """Every scenario with its newest version and whether learners can see it."""
        actor.require(Action.AUTHOR_CONTENT)
        with self._db.session() as s:
            rows = s.execute(
                select(ScenarioRecord, func.max(ScenarioVersion.version))
                .join(ScenarioVersion, ScenarioVersion.scenario_id == ScenarioRecord.id)
                .group_by(ScenarioRecord.id)
                .order_by(ScenarioRecord.title)
            ).all()
            return [ContentRow(r.id, r.title, v, r.published, r.source) for r, v in rows]

    def scenario_history(self, actor: Principal, scenario_id: str) -> list[VersionRow]:
        """A scenario's versions, newest first, with how many sessions used each."""
        actor.require(Action.AUTHOR_CONTENT)
        uses = (
            select(func.count(PracticeSession.id))
            .where(PracticeSession.scenario_version_id == ScenarioVersion.id)
            .scalar_subquery()
        )
        query = (
            select(ScenarioVersion.version, ScenarioVersion.created_at, User.display_name, uses)
            .outerjoin(User, User.id == ScenarioVersion.created_by)
            .where(ScenarioVersion.scenario_id == scenario_id)
            .order_by(ScenarioVersion.version.desc())
        )
        return self._history(query, f"No scenario '{scenario_id}'.")

    def scenario_yaml(self, actor: Principal, scenario_id: str, version: int | None = None) -> str:
        """The stored YAML of a scenario version (the newest by default)."""
        actor.require(Action.AUTHOR_CONTENT)
        return self._content.export_scenario(actor, scenario_id, version)

    def set_published(self, actor: Principal, scenario_id: str, published: bool) -> None:
        """Show a scenario to learners, or hide it (sessions and history stay)."""
        actor.require(Action.AUTHOR_CONTENT)
        with self._db.session() as s:
            record = s.get(ScenarioRecord, scenario_id)
            if record is None:
                raise NotFound(f"No scenario '{scenario_id}'.")
            record.published = published

    # -- rubrics ---------------------------------------------------------------------------------
    def check_rubric(self, actor: Principal, text: str, file: str = "draft") -> list[ContentIssue]:
        """Validate a draft rubric; an empty list means it is valid."""
        actor.require(Action.AUTHOR_CONTENT)
        try:
            load_rubric_text(text, file)
        except ContentError as exc:
            return exc.issues
        return []

    def save_rubric(
        self, actor: Principal, text: str, *, file: str = "editor", next_version: bool = True
    ) -> tuple[str, int]:
        """Store a draft rubric as a new version (numbered after the newest when asked)."""
        actor.require(Action.AUTHOR_CONTENT)
        rubric = load_rubric_text(text, file)
        with self._db.session() as s:
            latest = s.scalar(
                select(func.max(RubricVersion.version)).where(RubricVersion.rubric_id == rubric.id)
            )
        if next_version and latest is not None and rubric.version <= latest:
            text = _with_version(text, latest + 1)
        return self._content.import_rubric(actor, text, file)

    def rubric_history(self, actor: Principal, rubric_id: str) -> list[VersionRow]:
        """A rubric's versions, newest first, with how many scorecards used each."""
        actor.require(Action.AUTHOR_CONTENT)
        uses = (
            select(func.count(ScorecardRecord.id))
            .where(ScorecardRecord.rubric_version_id == RubricVersion.id)
            .scalar_subquery()
        )
        query = (
            select(RubricVersion.version, RubricVersion.created_at, User.display_name, uses)
            .outerjoin(User, User.id == RubricVersion.created_by)
            .where(RubricVersion.rubric_id == rubric_id)
            .order_by(RubricVersion.version.desc())
        )
        return self._history(query, f"No rubric '{rubric_id}'.")

    def rubric_yaml(self, actor: Principal, rubric_id: str, version: int | None = None) -> str:
        """The stored YAML of a rubric version (the newest by default)."""
        actor.require(Action.AUTHOR_CONTENT)
        return self._content.export_rubric(actor, rubric_id, version)

    def sample_sessions(self, actor: Principal, limit: int = 50) -> list[SessionChoice]:
        """Ended sessions of learners in the caller's cohorts, newest first."""
        actor.require(Action.AUTHOR_CONTENT)
        allowed = self._cohorts.learner_ids(actor) if actor.can(Action.MANAGE_COHORTS) else set()
        query = (
            select(PracticeSession, User.display_name, ScenarioVersion.scenario_id)
            .join(User, User.id == PracticeSession.user_id)
            .join(ScenarioVersion, ScenarioVersion.id == PracticeSession.scenario_version_id)
            .where(PracticeSession.status == "ended")
            .order_by(PracticeSession.id.desc())
            .limit(limit)
        )
        if allowed is not None:
            query = query.where(PracticeSession.user_id.in_(allowed))
        with self._db.session() as s:
            return [
                SessionChoice(p.id, name, scenario_id, p.ended_at)
                for p, name, scenario_id in s.execute(query)
            ]

    def try_rubric(
        self,
        actor: Principal,
        text: str,
        *,
        transcript: str | None = None,
        session_id: int | None = None,
    ) -> dict[str, Any]:
        """Score a sample transcript (pasted or uploaded text, or a chosen session) with a draft."""
        actor.require(Action.AUTHOR_CONTENT)
        rubric = load_rubric_text(text, "draft")
        if session_id is not None:
            turns = self._session_turns(actor, session_id)
        elif transcript:
            try:
                turns = parse_transcript(transcript, "sample transcript")
            except TranscriptError as exc:
                raise InvalidInput(str(exc)) from None
        else:
            raise InvalidInput("Choose a session or give a transcript to try the rubric on.")
        return self._score(turns, rubric)

    # -- helpers ---------------------------------------------------------------------------------
    def _draft_scenario(self, actor: Principal, text: str) -> Scenario:
        actor.require(Action.AUTHOR_CONTENT)
        try:
            return load_scenario_text(text, "draft")
        except ContentError as exc:
            raise InvalidInput("Fix the draft first: " + str(exc.issues[0])) from None

    def _session_turns(self, actor: Principal, session_id: int) -> list[Turn]:
        if session_id not in {c.id for c in self.sample_sessions(actor, limit=10_000)}:
            raise NotFound(f"No practice session {session_id}.")
        with self._db.session() as s:
            rows = s.scalars(
                select(TurnRecord)
                .where(TurnRecord.session_id == session_id)
                .order_by(TurnRecord.position)
            )
            return [Turn(r.speaker, r.text) for r in rows]  # type: ignore[arg-type]

    def _score(self, turns: list[Turn], rubric: Rubric) -> dict[str, Any]:
        try:
            return self._scorer.score(turns, rubric).to_json_dict()
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None

    def _history(self, query: Any, missing: str) -> list[VersionRow]:
        with self._db.session() as s:
            rows = [
                VersionRow(v, created, author or "built-in", int(uses or 0))
                for v, created, author, uses in s.execute(query)
            ]
        if not rows:
            raise NotFound(missing)
        return rows


def _with_version(text: str, version: int) -> str:
    """Set the top-level ``version:`` of a YAML file, keeping everything else as written."""
    if _VERSION.search(text):
        return _VERSION.sub(f"version: {version}", text, count=1)
    if _ID.search(text):
        return _ID.sub(lambda m: f"{m.group(0)}\nversion: {version}", text, count=1)
    return f"version: {version}\n{text}"
