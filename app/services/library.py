"""The community library: share redacted exchanges with consent, search them, unpublish them.

What must stay true:
- what is published is exactly what ``preview`` showed: both go through ``_draft`` with the same
  redactor, and ``share`` refuses to publish without consent (the consent time is stored);
- SQL is written first and is the truth; the index is derived (``reindex`` rebuilds it);
- every method checks the caller's permission itself; visibility is enforced twice: the search
  index filters by audience, then every hit is re-read from SQL through ``visible_clause`` —
  private, other-cohort and hidden items never come back, whatever the index holds;
- other people's sessions and invisible items answer "not found", never "forbidden".
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.content import ContentService
from app.services.errors import InvalidInput, NotFound, PermissionDenied
from app.services.library_access import (
    HIDDEN,
    PUBLISHED,
    VISIBILITIES,
    ExchangeTurn,
    ExchangeView,
    audience_for,
    cohorts_of,
    index_item,
    join_techniques,
    stats,
    to_views,
    visible_clause,
)
from app.services.principal import Action, Principal
from app.services.redaction import Redaction, Redactor
from app.services.text_safety import clean_message
from app.storage.database import Database
from app.storage.models import (
    LibraryExchange,
    PracticeSession,
    RedactionTerm,
    ScenarioVersion,
    ScorecardRecord,
    TurnRecord,
)
from retrieval.hybrid import Filters, Sort
from retrieval.library_index import IndexItem, LibraryIndex
from rubrics.detector import TechniqueDetector
from rubrics.labels import TECHNIQUES

MAX_NOTE = 1000
MAX_TURN = 4000


@dataclass(frozen=True, slots=True)
class SharePreview:
    """Exactly what would be published, and what redaction removed."""

    turns: tuple[ExchangeTurn, ...]
    note: str
    redactions: tuple[Redaction, ...]
    techniques: tuple[str, ...]
    kind: str


@dataclass(frozen=True, slots=True)
class ShareRequest:
    """A learner's choice of turns (inclusive positions), note, visibility and consent."""

    session_id: int
    first: int
    last: int
    note: str = ""
    visibility: Literal["cohort", "community"] = "cohort"
    show_name: bool = False
    consent: bool = False


@dataclass(frozen=True, slots=True)
class ImportItem:
    """One exchange from an import file; ``source`` (file:line) names it in errors."""

    coach: str
    client: str
    note: str = ""
    scenario: str | None = None
    visibility: str = "cohort"
    source: str = ""


class LibraryService:
    """Share, search and unpublish library items."""

    def __init__(
        self,
        db: Database,
        content: ContentService,
        detector: TechniqueDetector,
        index: LibraryIndex,
    ) -> None:
        self._db = db
        self._content = content
        self._detector = detector
        self.index = index
        self._loaded_up_to: int | None = None
        self._load_lock = threading.Lock()

    # -- sharing -----------------------------------------------------------------------------
    def preview(
        self, principal: Principal, session_id: int, first: int, last: int, note: str = ""
    ) -> SharePreview:
        """Show what sharing these turns would publish, with redactions listed."""
        principal.require(Action.SHARE)
        with self._db.session() as s:
            return self._draft(s, principal, session_id, first, last, note)[0]

    def share(self, principal: Principal, request: ShareRequest) -> ExchangeView:
        """Publish the redacted selection after consent; returns the published item."""
        principal.require(Action.SHARE)
        if not request.consent:
            raise InvalidInput("Tick the consent box to publish: nothing is shared without it.")
        visibility = _visibility(request.visibility)
        with self._db.session() as s:
            draft, scenario_id, context, levels = self._draft(
                s, principal, request.session_id, request.first, request.last, request.note
            )
            row = LibraryExchange(
                author_id=principal.user_id,
                session_id=request.session_id,
                cohort_id=self._cohort(s, principal, visibility),
                scenario_id=scenario_id,
                visibility=visibility,
                show_name=request.show_name,
                note=draft.note,
                turns=[{"speaker": t.speaker, "text": t.text} for t in draft.turns],
                techniques=join_techniques(draft.techniques),
                kind=draft.kind,
                context=context,
                rubric_levels=levels,
                status=PUBLISHED,
                consent_at=datetime.now(UTC),
            )
            s.add(row)
            s.flush()
            item = index_item(row)
            exchange_id = row.id
        self._ensure_loaded()
        self.index.add([item])
        return self.get(principal, exchange_id)

    def import_exchanges(self, principal: Principal, items: Sequence[ImportItem]) -> list[int]:
        """Redact, store and index exchanges from a file (all validated before any is stored)."""
        principal.require(Action.SHARE)
        if principal.user_id is None:
            raise PermissionDenied("Import as a user: pass --as USER.")
        with self._db.session() as s:
            base = self._redactor(s, principal, None)
            cohort = None
            rows = []
            checked = []
            for item in items:
                where = f"{item.source}: " if item.source else ""
                try:
                    visibility = _visibility(item.visibility)
                    coach = clean_message(item.coach, MAX_TURN)
                    client = clean_message(item.client, MAX_TURN)
                    if visibility == "cohort" and cohort is None:
                        cohort = self._cohort(s, principal, visibility)
                except InvalidInput as exc:
                    raise InvalidInput(f"{where}{exc}") from None
                checked.append((item, visibility, coach, client))
            all_labels = self._detector.label_coach_batch(
                [c[2] for c in checked], [c[3] for c in checked]
            )
            for (item, visibility, coach, client), labels in zip(checked, all_labels, strict=True):
                redactor = base.with_names_from([coach, client, item.note])
                rows.append(
                    LibraryExchange(
                        author_id=principal.user_id,
                        cohort_id=cohort if visibility == "cohort" else None,
                        scenario_id=item.scenario or None,
                        visibility=visibility,
                        show_name=False,
                        note=redactor.redact(_note(item.note)).text,
                        turns=[
                            {"speaker": "client", "text": redactor.redact(client).text},
                            {"speaker": "coach", "text": redactor.redact(coach).text},
                        ],
                        techniques=join_techniques(labels.techniques),
                        kind="exchange",
                        status=PUBLISHED,
                        consent_at=datetime.now(UTC),
                    )
                )
            s.add_all(rows)
            s.flush()
            indexed = [index_item(r) for r in rows]
            ids = [r.id for r in rows]
        self._ensure_loaded()
        self.index.add(indexed)
        return ids

    def unpublish(self, principal: Principal, exchange_id: int) -> None:
        """Withdraw an item: its text, comments, votes and ratings are deleted everywhere."""
        with self._db.session() as s:
            row = s.get(LibraryExchange, exchange_id)
            if row is None or (row.author_id != principal.user_id and not principal.is_admin):
                raise NotFound(f"No library item {exchange_id}.")
            s.delete(row)
        self.index.remove([exchange_id])

    # -- reading -----------------------------------------------------------------------------
    def forget(self, exchange_ids: Sequence[int]) -> None:
        """Remove items already deleted from SQL from the vector store and the search index."""
        self.index.remove(exchange_ids)

    def get(self, principal: Principal, exchange_id: int) -> ExchangeView:
        """One item the caller may see."""
        principal.require(Action.VIEW_LIBRARY)
        with self._db.session() as s:
            row = s.scalar(
                select(LibraryExchange).where(
                    LibraryExchange.id == exchange_id, visible_clause(principal)
                )
            )
            if row is None:
                raise NotFound(f"No library item {exchange_id}.")
            return to_views(s, principal, [row])[0]

    def my_shares(self, principal: Principal) -> list[ExchangeView]:
        """The caller's own items, hidden ones included, newest first."""
        with self._db.session() as s:
            rows = s.scalars(
                select(LibraryExchange)
                .where(LibraryExchange.author_id == principal.user_id)
                .order_by(LibraryExchange.id.desc())
            ).all()
            return to_views(s, principal, rows)

    def search(
        self,
        principal: Principal,
        query: str = "",
        *,
        technique: str | None = None,
        scenario: str | None = None,
        context: str | None = None,
        min_rating: float | None = None,
        sort: Sort = "relevance",
        limit: int = 10,
    ) -> list[ExchangeView]:
        """Hybrid search over what the caller may see, best first."""
        principal.require(Action.VIEW_LIBRARY)
        if not 1 <= limit <= 100:
            raise InvalidInput("Ask for between 1 and 100 results.")
        filters = Filters(tag=technique, scenario=scenario, context=context, min_rating=min_rating)
        self._ensure_loaded()
        with self._db.session() as s:
            audience = audience_for(s, principal)
        hits = self.index.search(query[:500], audience, filters, sort=sort, limit=limit + 10)
        return self._recheck(principal, hits, limit)

    def more_like_this(
        self, principal: Principal, exchange_id: int, limit: int = 5
    ) -> list[ExchangeView]:
        """Items similar to one the caller may see."""
        item = self.get(principal, exchange_id)
        self._ensure_loaded()
        with self._db.session() as s:
            audience = audience_for(s, principal)
        text = " ".join(t.text for t in item.turns)
        hits = self.index.more_like_this(
            exchange_id, text, audience, Filters(exclude=frozenset({exchange_id})), limit + 10
        )
        return self._recheck(principal, hits, limit)

    def exemplars(
        self, principal: Principal, technique_or_criterion: str, limit: int = 3
    ) -> list[ExchangeView]:
        """Good examples of a technique (e.g. 'reflection_complex') or rubric criterion id.

        Featured items come first, then the most helpful; only what the caller may see.
        """
        principal.require(Action.VIEW_LIBRARY)
        key = technique_or_criterion
        tag = key if key in TECHNIQUES else f"criterion:{key}"
        self._ensure_loaded()
        with self._db.session() as s:
            audience = audience_for(s, principal)
        hits = self.index.hybrid.search(
            "", None, audience, Filters(tag=tag), sort="featured", limit=limit + 10
        )
        return self._recheck(principal, hits, limit)

    def reindex(self, principal: Principal) -> int:
        """Rebuild the search index and the Chroma collection from SQL; returns items indexed."""
        if not principal.is_admin:
            raise PermissionDenied("Only an administrator can rebuild the index.")
        with self._load_lock:
            items, hidden, top = self._all_items(statuses=(PUBLISHED, HIDDEN))
            self.index.rebuild(items, hidden)
            self._loaded_up_to = top
        return len(items)

    # -- internals ---------------------------------------------------------------------------
    def _draft(
        self, s: Session, principal: Principal, session_id: int, first: int, last: int, note: str
    ) -> tuple[SharePreview, str, str, dict[str, int]]:
        session = s.get(PracticeSession, session_id)
        if session is None or session.user_id != principal.user_id:
            raise NotFound(f"No practice session {session_id}.")
        if session.private_mode:
            raise InvalidInput("This session was practised in private mode and cannot be shared.")
        turns = list(
            s.scalars(
                select(TurnRecord)
                .where(TurnRecord.session_id == session_id)
                .order_by(TurnRecord.position)
            )
        )
        if not turns:
            raise InvalidInput("This session has no turns to share.")
        if not 0 <= first <= last <= turns[-1].position:
            raise InvalidInput("Choose a range of turns inside the conversation.")
        chosen = [t for t in turns if first <= t.position <= last]
        if not any(t.speaker == "coach" for t in chosen):
            raise InvalidInput("Include at least one of your own turns.")
        version = s.get(ScenarioVersion, session.scenario_version_id)
        assert version is not None
        scenario = self._content.scenario_version(version.id)
        # names learned from the whole conversation: one mentioned in a turn left out of the
        # share still gets caught where it opens a sentence in a turn that is shared
        redactor = self._redactor(s, principal, scenario.persona.name).with_names_from(
            [*(t.text for t in turns), note]
        )
        redactions: list[Redaction] = []
        published = []
        for turn in chosen:
            result = redactor.redact(turn.text)
            redactions.extend(result.redactions)
            published.append(ExchangeTurn(turn.speaker, result.text))
        cleaned_note = redactor.redact(_note(note))
        redactions.extend(cleaned_note.redactions)
        techniques = [
            t
            for turn in chosen
            if turn.speaker == "coach" and turn.labels
            for t in turn.labels.get("techniques", [])
        ]
        whole = first == 0 and last == turns[-1].position
        card = s.scalar(
            select(ScorecardRecord.data)
            .where(ScorecardRecord.session_id == session_id)
            .order_by(ScorecardRecord.id.desc())
            .limit(1)
        )
        levels = (
            {str(c["id"]): int(c["level"]) for c in (card or {}).get("criteria", []) if "id" in c}
            if whole
            else {}
        )
        preview = SharePreview(
            turns=tuple(published),
            note=cleaned_note.text,
            redactions=tuple(redactions),
            techniques=tuple(dict.fromkeys(techniques)),
            kind="transcript" if whole else "exchange",
        )
        return preview, version.scenario_id, scenario.context, levels

    def _redactor(self, s: Session, principal: Principal, persona: str | None) -> Redactor:
        terms = s.scalars(select(RedactionTerm.term)).all()
        names = [principal.display_name, *([persona] if persona else [])]
        return Redactor(known_names=names, terms=terms)

    @staticmethod
    def _cohort(s: Session, principal: Principal, visibility: str) -> int | None:
        if visibility != "cohort":
            return None
        cohorts = cohorts_of(s, principal.user_id or -1)
        if not cohorts:
            raise InvalidInput("You are not in a cohort yet: share with the whole community.")
        return cohorts[0]

    def _recheck(
        self, principal: Principal, hits: list[tuple[int, float]], limit: int
    ) -> list[ExchangeView]:
        if not hits:
            return []
        scores = dict(hits)
        with self._db.session() as s:
            rows = s.scalars(
                select(LibraryExchange).where(
                    LibraryExchange.id.in_(list(scores)), visible_clause(principal)
                )
            ).all()
            by_id = {r.id: r for r in rows}
            ordered = [by_id[i] for i, _ in hits if i in by_id][:limit]
            return to_views(s, principal, ordered, scores)

    def _ensure_loaded(self) -> None:
        """Load the index on first use, then pick up items other processes added since."""
        with self._load_lock:
            with self._db.session() as s:
                top = s.scalar(select(func.max(LibraryExchange.id))) or 0
            if self._loaded_up_to is not None and top <= self._loaded_up_to:
                return
            items, _, _ = self._all_items(statuses=(PUBLISHED,), after=self._loaded_up_to or 0)
            self.index.warm(items)
            self._loaded_up_to = top

    def _all_items(
        self, statuses: tuple[str, ...], after: int = 0
    ) -> tuple[list[IndexItem], list[int], int]:
        with self._db.session() as s:
            rows = s.scalars(
                select(LibraryExchange)
                .where(LibraryExchange.id > after, LibraryExchange.status.in_(statuses))
                .order_by(LibraryExchange.id)
            ).all()
            numbers = stats(s, [r.id for r in rows])
            items = [index_item(r, *(numbers.get(r.id, (0, None))[:2])) for r in rows]
            hidden = [r.id for r in rows if r.status == HIDDEN]
            top = max((r.id for r in rows), default=after)
            return items, hidden, top

    def reindex_items(self, exchange_ids: Sequence[int]) -> None:
        """Re-read items whose text changed in SQL into the vector store and the search index."""
        if not exchange_ids:
            return
        self._ensure_loaded()
        with self._db.session() as s:
            rows = s.scalars(
                select(LibraryExchange).where(LibraryExchange.id.in_(list(exchange_ids)))
            ).all()
            numbers = stats(s, [r.id for r in rows])
            items = [index_item(r, *(numbers.get(r.id, (0, None))[:2])) for r in rows]
            hidden = {r.id for r in rows if r.status == HIDDEN}
        self.index.add(items)
        for item in items:
            if item.doc.key in hidden:
                self.index.set_visible(item, False)
            self.refresh_stats(item.doc.key)

    def refresh_stats(self, exchange_id: int) -> None:
        """Re-read one item's helpful count, rating and featured flag into the index."""
        with self._db.session() as s:
            row = s.get(LibraryExchange, exchange_id)
            if row is None:
                return
            helpful, rating, _, _ = stats(s, [exchange_id])[exchange_id]
            self.index.hybrid.update_stats(
                exchange_id,
                helpful=helpful,
                rating=rating if rating is not None else float("nan"),
                featured=row.featured,
            )


def _visibility(value: str) -> str:
    if value not in VISIBILITIES:
        raise InvalidInput("Visibility must be 'cohort' or 'community'.")
    return value


def _note(note: str) -> str:
    note = (note or "").strip()
    return clean_message(note, MAX_NOTE) if note else ""
