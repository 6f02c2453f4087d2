"""Content: scenario and rubric files stored as immutable versions in SQL.

Built-in files, then the files in the configured content folder (``scenarios/*.yaml`` and
``rubrics/*.yaml``), are synced into the database at start-up (a new version only when a file's
version number is new).  A file that cannot be read or validated never stops the start-up: it is
skipped, logged as a warning and listed for facilitators (``load_problems``), each problem naming
the file, line and field.  Practice sessions pin the scenario version they used and scorecards the
rubric version, so editing content never rewrites history.  Parsed versions are cached by id.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select

from app.services.errors import InvalidInput, NotFound
from app.services.principal import Action, Principal
from app.storage.database import Database
from app.storage.models import RubricRecord, RubricVersion, ScenarioRecord, ScenarioVersion
from rubrics.catalogue import load_rubric_text
from rubrics.model import Rubric
from rubrics.yaml_source import ContentError, ContentIssue
from scenarios.catalogue import load_scenario_text
from scenarios.model import Scenario

BUILTIN_SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios" / "builtin"
BUILTIN_RUBRICS = Path(__file__).resolve().parents[2] / "rubrics" / "builtin"

_log = logging.getLogger(__name__)
_Content = TypeVar("_Content", Scenario, Rubric)


@dataclass(frozen=True, slots=True)
class _Kind:
    """How one kind of content file is parsed and stored (a record table plus a version table)."""

    label: str
    record: type[ScenarioRecord] | type[RubricRecord]
    version: type[ScenarioVersion] | type[RubricVersion]
    owner: str  # the version table's column naming its record
    title: str  # the display-name column, named as on the parsed model
    parse: Callable[[str, str], Any]


_SCENARIOS = _Kind(
    "scenario", ScenarioRecord, ScenarioVersion, "scenario_id", "title", load_scenario_text
)
_RUBRICS = _Kind("rubric", RubricRecord, RubricVersion, "rubric_id", "name", load_rubric_text)


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What a sync of built-in content added, and which files were rejected."""

    added: list[str]
    errors: list[str]


@dataclass(frozen=True, slots=True)
class ScenarioCard:
    """A scenario as listed in the catalogue (learner-safe)."""

    id: str
    title: str
    version: int
    context: str
    difficulty: int
    skills: tuple[str, ...]
    summary: str


@dataclass(frozen=True, slots=True)
class RubricCard:
    """A rubric as listed for choosing."""

    id: str
    name: str
    version: int
    description: str


class ContentService:
    """Store, version and load scenarios and rubrics."""

    def __init__(
        self,
        db: Database,
        *,
        scenario_dir: Path = BUILTIN_SCENARIOS,
        rubric_dir: Path = BUILTIN_RUBRICS,
        content_dir: Path | None = None,
    ) -> None:
        self._db = db
        self._scenario_dir = scenario_dir
        self._rubric_dir = rubric_dir
        self._content_dir = content_dir
        self._scenario_cache: dict[int, Scenario] = {}
        self._rubric_cache: dict[int, Rubric] = {}
        self._lock = threading.Lock()
        self._problems: list[str] = []

    # -- built-in content -------------------------------------------------------------------
    def sync_builtin(self) -> SyncReport:
        """Store every built-in and content-folder file whose version is not in the database yet.

        A file that does not load is reported (logged, and kept for ``load_problems``) and
        skipped; the rest still loads.
        """
        added: list[str] = []
        issues: list[ContentIssue] = []
        folders = [(self._scenario_dir, self._rubric_dir, "builtin")]
        if self._content_dir is not None:
            if self._content_dir.is_dir():
                scenarios, rubrics = self._content_dir / "scenarios", self._content_dir / "rubrics"
                folders.append((scenarios, rubrics, "custom"))
            else:
                message = "the content folder does not exist (setting COACHLAB_CONTENT_DIR)"
                issues.append(ContentIssue(str(self._content_dir), None, "", message))
        for scenario_dir, rubric_dir, source in folders:
            for kind, folder in ((_SCENARIOS, scenario_dir), (_RUBRICS, rubric_dir)):
                for path in sorted(folder.glob("*.yaml")):
                    loaded = _load(path, kind.parse, issues)
                    if loaded and self._store(kind, *loaded, source=source, created_by=None):
                        added.append(f"{kind.label} {loaded[0].id} v{loaded[0].version}")
        errors = [str(issue) for issue in issues]
        for error in errors:
            _log.warning("content file skipped: %s", error)
        with self._lock:
            self._problems = errors
        return SyncReport(added=added, errors=errors)

    def load_problems(self, actor: Principal) -> list[str]:
        """Why content files were skipped at the last sync, each naming file, line and field."""
        actor.require(Action.AUTHOR_CONTENT)
        with self._lock:
            return list(self._problems)

    def _store(
        self,
        kind: _Kind,
        content: Scenario | Rubric,
        text: str,
        *,
        source: str,
        created_by: int | None,
    ) -> bool:
        """Add ``content`` as a new version (creating its record); False if that version exists."""
        title = getattr(content, kind.title)  # Scenario.title, Rubric.name
        owner = getattr(kind.version, kind.owner)
        with self._db.session() as s:
            record = s.get(kind.record, content.id)
            if record is None:
                record = kind.record(id=content.id, source=source, **{kind.title: title})
                s.add(record)
            exists = s.scalar(
                select(kind.version.id).where(
                    owner == content.id, kind.version.version == content.version
                )
            )
            if exists:
                return False
            setattr(record, kind.title, title)
            s.add(
                kind.version(
                    version=content.version,
                    yaml_text=text,
                    created_by=created_by,
                    **{kind.owner: content.id},
                )
            )
            return True

    def _import(self, kind: _Kind, actor: Principal, text: str, file: str) -> tuple[str, int]:
        actor.require(Action.AUTHOR_CONTENT)
        content = kind.parse(text, file)
        if not self._store(kind, content, text, source="custom", created_by=actor.user_id):
            raise InvalidInput(
                f"{file}: {kind.label} '{content.id}' version {content.version} already exists; "
                "raise the version number to store a new one."
            )
        return content.id, content.version

    def _export(self, kind: _Kind, actor: Principal, content_id: str, version: int | None) -> str:
        actor.require(Action.AUTHOR_CONTENT)
        query = select(kind.version.yaml_text).where(
            getattr(kind.version, kind.owner) == content_id
        )
        if version is not None:
            query = query.where(kind.version.version == version)
        with self._db.session() as s:
            text = s.scalar(query.order_by(kind.version.version.desc()).limit(1))
        if text is None:
            which = f" version {version}" if version is not None else ""
            raise NotFound(f"No {kind.label} '{content_id}'{which}.")
        return text

    # -- scenarios ---------------------------------------------------------------------------
    def list_scenarios(self, principal: Principal) -> list[ScenarioCard]:
        """Published scenarios at their latest version, as learner-safe cards."""
        if not (principal.can(Action.PRACTISE) or principal.can(Action.AUTHOR_CONTENT)):
            principal.require(Action.PRACTISE)
        cards = []
        for version_id in self._latest_scenario_version_ids(published_only=True):
            scenario = self.scenario_version(version_id)
            view = scenario.learner_view()
            cards.append(
                ScenarioCard(
                    id=scenario.id,
                    title=scenario.title,
                    version=scenario.version,
                    context=str(scenario.context),
                    difficulty=scenario.difficulty,
                    skills=tuple(scenario.skills),
                    summary=_first_sentence(view.brief),
                )
            )
        return sorted(cards, key=lambda c: (c.difficulty, c.title))

    def learner_view(self, principal: Principal, scenario_id: str) -> Any:
        """The brief and persona card a learner may see before practising (nothing hidden)."""
        principal.require(Action.PRACTISE)
        _, scenario = self.latest_scenario(scenario_id)
        return scenario.learner_view()

    def latest_scenario(self, scenario_id: str) -> tuple[int, Scenario]:
        """The newest published version of a scenario: (version row id, parsed scenario)."""
        with self._db.session() as s:
            row = s.execute(
                select(ScenarioVersion.id)
                .join(ScenarioRecord, ScenarioRecord.id == ScenarioVersion.scenario_id)
                .where(ScenarioVersion.scenario_id == scenario_id, ScenarioRecord.published)
                .order_by(ScenarioVersion.version.desc())
                .limit(1)
            ).first()
        if row is None:
            raise NotFound(f"No published scenario '{scenario_id}'.")
        return row[0], self.scenario_version(row[0])

    def scenario_version(self, version_id: int) -> Scenario:
        """Parse (once) and return a stored scenario version."""
        return self._parsed(_SCENARIOS, self._scenario_cache, version_id)

    def _latest_scenario_version_ids(self, *, published_only: bool) -> list[int]:
        with self._db.session() as s:
            latest = (
                select(ScenarioVersion.scenario_id, func.max(ScenarioVersion.version).label("v"))
                .group_by(ScenarioVersion.scenario_id)
                .subquery()
            )
            query = (
                select(ScenarioVersion.id)
                .join(
                    latest,
                    (latest.c.scenario_id == ScenarioVersion.scenario_id)
                    & (latest.c.v == ScenarioVersion.version),
                )
                .join(ScenarioRecord, ScenarioRecord.id == ScenarioVersion.scenario_id)
            )
            if published_only:
                query = query.where(ScenarioRecord.published)
            return list(s.scalars(query))

    def import_scenario(self, actor: Principal, text: str, file: str) -> tuple[str, int]:
        """Validate and store a scenario file as a new version (facilitators)."""
        return self._import(_SCENARIOS, actor, text, file)

    def export_scenario(
        self, actor: Principal, scenario_id: str, version: int | None = None
    ) -> str:
        """A stored scenario's YAML, hidden layers included (newest by default; facilitators)."""
        return self._export(_SCENARIOS, actor, scenario_id, version)

    def all_scenarios(self, actor: Principal) -> list[Scenario]:
        """Every scenario at its latest version, full content (facilitators)."""
        actor.require(Action.AUTHOR_CONTENT)
        ids = self._latest_scenario_version_ids(published_only=False)
        return sorted((self.scenario_version(i) for i in ids), key=lambda sc: sc.id)

    # -- rubrics -----------------------------------------------------------------------------
    def import_rubric(self, actor: Principal, text: str, file: str) -> tuple[str, int]:
        """Validate and store a rubric file as a new version (facilitators)."""
        return self._import(_RUBRICS, actor, text, file)

    def export_rubric(self, actor: Principal, rubric_id: str, version: int | None = None) -> str:
        """A stored rubric's YAML (the newest version by default; facilitators)."""
        return self._export(_RUBRICS, actor, rubric_id, version)

    def list_rubrics(self) -> list[RubricCard]:
        """Every rubric at its newest version."""
        cards = []
        with self._db.session() as s:
            ids = list(s.scalars(select(RubricRecord.id).order_by(RubricRecord.id)))
        for rubric_id in ids:
            _, rubric = self.latest_rubric(rubric_id)
            cards.append(RubricCard(rubric.id, rubric.name, rubric.version, rubric.description))
        return cards

    def latest_rubric(self, rubric_id: str) -> tuple[int, Rubric]:
        """The newest version of a rubric: (version row id, parsed rubric)."""
        with self._db.session() as s:
            version_id = s.scalar(
                select(RubricVersion.id)
                .where(RubricVersion.rubric_id == rubric_id)
                .order_by(RubricVersion.version.desc())
                .limit(1)
            )
        if version_id is None:
            raise NotFound(f"No rubric '{rubric_id}'.")
        return version_id, self.rubric_version(version_id)

    def rubric_version(self, version_id: int) -> Rubric:
        """Parse (once) and return a stored rubric version."""
        return self._parsed(_RUBRICS, self._rubric_cache, version_id)

    def _parsed(self, kind: _Kind, cache: dict[int, Any], version_id: int) -> Any:
        # Stored versions never change, so each is parsed once per process.
        with self._lock:
            cached = cache.get(version_id)
        if cached is not None:
            return cached
        with self._db.session() as s:
            row = s.get(kind.version, version_id)
            if row is None:
                raise NotFound(f"No {kind.label} version {version_id}.")
            text = row.yaml_text
            label = f"{kind.label} {getattr(row, kind.owner)} v{row.version}"
        parsed = kind.parse(text, label)
        with self._lock:
            cache[version_id] = parsed
        return parsed


def _load(
    path: Path, parse: Callable[[str, str], _Content], issues: list[ContentIssue]
) -> tuple[_Content, str] | None:
    """Read and validate one content file: (content, its text), or None after adding issues."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        issues.append(ContentIssue(str(path), None, "", f"cannot read file: {exc.strerror}"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        issues.append(ContentIssue(str(path), line, "", "not UTF-8 text"))
        return None
    try:
        return parse(text, str(path)), text
    except ContentError as exc:
        issues.extend(exc.issues)
        return None


def _first_sentence(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    end = text.find(". ")
    sentence = text if end == -1 else text[: end + 1]
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"
