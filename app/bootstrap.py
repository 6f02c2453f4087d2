"""Composition root: builds every service from one Settings object.

This is the only place that chooses implementations (embedder, persona engine, database URL).  The
Streamlit app caches the result with ``st.cache_resource``; the CLI and tests call it directly with
their own settings.  Building is cheap: heavy parts (model weights) load on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.services.accounts import AccountService
from app.services.authoring import AuthoringService
from app.services.backup import BackupService
from app.services.calibration import CalibrationService
from app.services.cohorts import CohortService
from app.services.content import ContentService, SyncReport
from app.services.library import LibraryService
from app.services.library_curation import CurationService
from app.services.library_review import ReviewService
from app.services.practice import PracticeService
from app.services.practice_room import PracticeRoom, build_practice_room
from app.services.uploads import UploadService
from app.settings import Settings
from app.storage.database import Database, private_dir
from retrieval.embedder import Embedder
from retrieval.factory import build_embedder
from retrieval.library_index import LibraryIndex
from rubrics.chat import ChatModel
from rubrics.detector import TechniqueDetector
from rubrics.judge import LLMJudge
from rubrics.llm_rewrite import LLMRewriter
from rubrics.scorer import Scorer
from scenarios.llm_engine import LLMPersonaEngine
from scenarios.offline import OfflinePersonaEngine
from scenarios.playthrough import PersonaEngine

if TYPE_CHECKING:
    from retrieval.chroma_index import ChromaIndex


@dataclass
class Services:
    """Everything the UI and the CLI call, wired for one configuration."""

    settings: Settings
    db: Database
    embedder: Embedder
    detector: TechniqueDetector
    scorer: Scorer
    persona_engine: PersonaEngine
    accounts: AccountService
    backup: BackupService
    content: ContentService
    practice: PracticeService
    library: LibraryService
    reviews: ReviewService
    curation: CurationService
    room: PracticeRoom
    cohorts: CohortService
    authoring: AuthoringService
    calibration: CalibrationService
    uploads: UploadService

    def prepare(self) -> SyncReport:
        """Create or upgrade the schema and store new built-in content (idempotent)."""
        self.db.upgrade()
        return self.content.sync_builtin()

    def close(self) -> None:
        """Release pooled connections."""
        self.db.dispose()


def make_embedder(settings: Settings) -> Embedder:
    """The sentence embedder the settings ask for."""
    return build_embedder(
        settings.embedder,
        openai_model=settings.openai_embedding_model,
        api_key=settings.llm_api_key(),
        base_url=settings.openai_base_url,
        threads=settings.embedder_threads or None,
    )


def make_library_index(settings: Settings, embedder: Embedder) -> LibraryIndex:
    """The library's index: Chroma on disk, or a Chroma server when ``chroma_host`` is set.

    The collection opens lazily on first use; an embedder change drops it (derived data) and
    search falls back to keywords until ``coachlab reindex``.
    """

    def open_store() -> ChromaIndex:
        # chromadb takes ~0.7 s to import: loaded when the library is first used, not at start-up
        from retrieval.chroma_index import ChromaIndex

        if settings.chroma_host:
            return ChromaIndex.server(
                settings.chroma_host,
                settings.chroma_port,
                settings.chroma_collection,
                embedder,
                reset_if_incompatible=True,
            )
        return ChromaIndex.local(
            settings.chroma_path,
            settings.chroma_collection,
            embedder,
            reset_if_incompatible=True,
        )

    return LibraryIndex(embedder, open_store)


def make_chat_model(settings: Settings) -> ChatModel | None:
    """The chat model the settings ask for; None for the offline provider."""
    if settings.llm_provider == "offline":
        return None
    # LangChain and the OpenAI SDK take ~2.5 s to import: offline runs and CLI commands skip them
    from app.llm import build_chat_model

    return build_chat_model(settings)


def make_persona_engine(
    settings: Settings, embedder: Embedder, chat: ChatModel | None = None
) -> PersonaEngine:
    """The persona engine the settings ask for."""
    match settings.llm_provider:
        case "offline":
            return OfflinePersonaEngine(embedder)
        case "openai":
            chat = chat or make_chat_model(settings)
            assert chat is not None, "the openai provider always has a chat model"
            return LLMPersonaEngine(chat, OfflinePersonaEngine(embedder))


def make_scorer(
    settings: Settings, detector: TechniqueDetector, chat: ChatModel | None = None
) -> Scorer:
    """The scorer the settings ask for: offline, or with an LLM judge and checked LLM rewrites."""
    match settings.llm_provider:
        case "offline":
            return Scorer(detector)
        case "openai":
            chat = chat or make_chat_model(settings)
            assert chat is not None, "the openai provider always has a chat model"
            return Scorer(detector, judge=LLMJudge(chat), rewriter=LLMRewriter(chat, detector))


def build_services(settings: Settings, *, embedder: Embedder | None = None) -> Services:
    """Wire the services for ``settings`` (pass ``embedder`` to share one across instances)."""
    private_dir(settings.data_dir)  # database, vector index and logins: owner only
    db = Database(settings.resolved_database_url)
    embedder = embedder or make_embedder(settings)
    detector = TechniqueDetector(embedder=embedder)
    content = ContentService(db, content_dir=settings.content_dir)
    accounts = AccountService(db)
    chat = make_chat_model(settings)  # one client shared by the persona and the judge
    persona_engine = make_persona_engine(settings, embedder, chat)
    scorer = make_scorer(settings, detector, chat)
    practice = PracticeService(
        db,
        content,
        detector,
        persona_engine,
        scorer,
        engine_name=settings.llm_provider,
        max_message_chars=settings.max_message_chars,
        messages_per_minute=settings.messages_per_minute,
    )
    cohorts = CohortService(db, content)
    practice.assignments = cohorts.open_assignment
    library = LibraryService(db, content, detector, make_library_index(settings, embedder))
    practice.forget_shared = library.forget
    return Services(
        settings=settings,
        db=db,
        embedder=embedder,
        detector=detector,
        scorer=scorer,
        persona_engine=persona_engine,
        accounts=accounts,
        backup=BackupService(db),
        content=content,
        practice=practice,
        library=library,
        reviews=ReviewService(db, content, library),
        curation=CurationService(db, library),
        room=build_practice_room(db, content, practice, persona_engine),
        cohorts=cohorts,
        authoring=AuthoringService(db, content, cohorts, persona_engine, detector, scorer),
        calibration=CalibrationService(db, content, scorer),
        uploads=UploadService(db, content, scorer),
    )
