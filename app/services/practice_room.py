"""The learner's practice room: the services around a conversation, wired together.

Branching, session options and nudges, the annotated debrief, exports, progress and goals, and
recommendations share the practice service and the persona engine; this bundle is built once by
the composition root (``app.bootstrap``) and reached from pages as ``services.room``.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.services.branching import BranchingService
from app.services.content import ContentService
from app.services.debriefing import DebriefingService
from app.services.practice import PracticeService
from app.services.progress import ProgressService
from app.services.recommendations import RecommendationService
from app.services.session_export import SessionExportService
from app.services.session_options import SessionOptionsService
from app.storage.database import Database
from scenarios.playthrough import PersonaEngine


@dataclass(frozen=True)
class PracticeRoom:
    """The services a learner uses around a practice conversation."""

    branching: BranchingService
    options: SessionOptionsService
    debriefing: DebriefingService
    exports: SessionExportService
    progress: ProgressService
    recommendations: RecommendationService


def build_practice_room(
    db: Database, content: ContentService, practice: PracticeService, engine: PersonaEngine
) -> PracticeRoom:
    """Wire the practice-room services on the shared database, content and engine."""
    debriefing = DebriefingService(db, content, practice, engine)
    progress = ProgressService(db)
    return PracticeRoom(
        branching=BranchingService(db, content, engine),
        options=SessionOptionsService(db),
        debriefing=debriefing,
        exports=SessionExportService(practice, debriefing),
        progress=progress,
        recommendations=RecommendationService(content, progress),
    )
