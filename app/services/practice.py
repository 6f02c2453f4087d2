"""Practice: a learner's conversation with a persona, turn by turn, and its scorecard.

What must stay true:
- A learner's turn is committed to the database *before* the persona is asked for a reply, so no
  engine failure or timeout can lose it; a turn left without a reply is answered by ``retry_reply``.
- Only the session's owner (or an administrator) can read or continue it.
- Nothing hidden in the scenario reaches the caller before the session ends: views carry the
  learner view only, and the debrief only once the session is over.
"""

from __future__ import annotations

import queue
import random
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import func, select, update

from app.services.content import ContentService
from app.services.errors import InvalidInput, NotFound, PermissionDenied, ServiceError
from app.services.principal import Action, Principal
from app.services.rate_limit import RateLimiter
from app.services.text_safety import clean_message
from app.storage.database import Database
from app.storage.models import (
    Assignment,
    LibraryExchange,
    PracticeSession,
    ScenarioVersion,
    ScorecardRecord,
    TurnRecord,
)
from rubrics.detector import TechniqueDetector
from rubrics.labels import ClientLabels, CoachLabels
from rubrics.scorer import Scorer
from rubrics.transcript import Turn
from scenarios.engine import PersonaReply
from scenarios.model import DebriefView, LearnerView, Scenario
from scenarios.playthrough import PersonaEngine
from scenarios.state import PersonaState

DEFAULT_RUBRIC = "core-coaching"


class AssignmentLookup(Protocol):
    """Finds the caller's open assignment for a scenario (the cohort service provides it)."""

    def __call__(self, principal: Principal, scenario_id: str) -> Any:
        """An object with ``id``, ``assessment`` and ``rubric_id``, or None."""
        ...


class SharedItemsForgetter(Protocol):
    """Removes deleted library items from the search index (the library service provides it)."""

    def __call__(self, exchange_ids: Sequence[int]) -> None:
        """Forget these items in the vector store and the in-memory index."""
        ...


class PersonaUnavailable(ServiceError):
    """The persona could not reply; the learner's turn is saved and can be answered later."""


def _unavailable() -> PersonaUnavailable:
    return PersonaUnavailable(
        "The persona could not answer just now. Your message is saved: "
        "press 'Get reply' to try again."
    )


class ReplyStream:
    """The persona's reply as it streams; ``notice`` is set once the stream is exhausted.

    Iterating yields text chunks and re-raises the producer's error, if any.  Not iterating is
    fine too: the producer stores the reply either way.
    """

    _END = object()

    def __init__(self, timeout_s: float = 300.0) -> None:
        self.notice: str | None = None
        self._queue: queue.Queue[object] = queue.Queue()
        self._error: Exception | None = None
        self._timeout = timeout_s

    def put(self, chunk: str) -> None:
        """Producer side: one more chunk of text."""
        self._queue.put(chunk)

    def fail(self, error: Exception) -> None:
        """Producer side: the reply failed with ``error``."""
        self._error = error

    def close(self) -> None:
        """Producer side: no more chunks."""
        self._queue.put(self._END)

    def __iter__(self) -> Iterator[str]:
        while True:
            item = self._queue.get(timeout=self._timeout)
            if item is self._END:
                break
            yield str(item)
        if self._error is not None:
            raise self._error


@dataclass(frozen=True, slots=True)
class ReportedReply:
    """A persona reply a learner reported (no learner identity: facilitators fix personas)."""

    scenario_id: str
    scenario_version: int
    text: str
    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class TurnView:
    """One turn as the learner sees it."""

    position: int
    speaker: str
    text: str


@dataclass(frozen=True, slots=True)
class SessionView:
    """A practice session as its owner sees it (hidden material only after it ended)."""

    id: int
    scenario: LearnerView
    status: str
    turns: list[TurnView]
    awaiting_reply: bool
    committed: bool
    started_at: datetime
    ended_at: datetime | None
    has_scorecard: bool
    notice: str | None = None
    private_mode: bool = False
    parent_id: int | None = None
    branched_at: int | None = None


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One line in a learner's list of sessions."""

    id: int
    scenario_id: str
    scenario_title: str
    status: str
    turns: int
    overall: float | None
    started_at: datetime


@dataclass(frozen=True, slots=True)
class Debrief:
    """Everything shown after a session: the scorecard and what the persona was hiding."""

    session_id: int
    scorecard: dict[str, Any]
    debrief: DebriefView
    transcript: list[TurnView] = field(default_factory=list)


class PracticeService:
    """Run practice sessions for learners."""

    def __init__(
        self,
        db: Database,
        content: ContentService,
        detector: TechniqueDetector,
        engine: PersonaEngine,
        scorer: Scorer | None = None,
        *,
        engine_name: str = "offline",
        max_message_chars: int = 2000,
        max_turns: int = 200,
        messages_per_minute: int = 30,
    ) -> None:
        self._db = db
        self._content = content
        self._detector = detector
        self._engine = engine
        self._scorer = scorer or Scorer(detector)
        self._engine_name = engine_name
        self._max_chars = max_message_chars
        self._max_turns = max_turns
        self._message_limit = RateLimiter(messages_per_minute, 60.0)
        # set by the composition root: the learner's open assignment for a scenario, if any
        self.assignments: AssignmentLookup | None = None
        # set by the composition root: drops a deleted session's shared items from the index
        self.forget_shared: SharedItemsForgetter | None = None
        self._session_locks: dict[int, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    # -- starting and reading ----------------------------------------------------------------
    def start(
        self,
        principal: Principal,
        scenario_id: str,
        *,
        seed: int | None = None,
        private_mode: bool = False,
    ) -> SessionView:
        """Start a session on the newest version of a scenario; the persona opens."""
        principal.require(Action.PRACTISE)
        if principal.user_id is None:
            raise PermissionDenied("Only a logged-in learner can practise.")
        version_id, scenario = self._content.latest_scenario(scenario_id)
        seed = random.randrange(1_000_000) if seed is None else seed
        state = self._engine.start(scenario, seed).state
        assignment = self.assignments(principal, scenario_id) if self.assignments else None
        with self._db.session() as s:
            session = PracticeSession(
                user_id=principal.user_id,
                scenario_version_id=version_id,
                status="active",
                engine=self._engine_name,
                seed=seed,
                persona_state=state.model_dump(mode="json"),
                private_mode=private_mode,
                assignment_id=assignment.id if assignment else None,
                nudges=not (assignment and assignment.assessment),
            )
            s.add(session)
            s.flush()
            s.add(
                TurnRecord(
                    session_id=session.id,
                    position=0,
                    speaker="client",
                    text=scenario.persona.opening_line,
                    labels=self._detector.label_client(scenario.persona.opening_line).model_dump(
                        mode="json"
                    ),
                )
            )
            session_id = session.id
        return self.get(principal, session_id)

    def get(self, principal: Principal, session_id: int) -> SessionView:
        """A session its owner may see."""
        with self._db.session() as s:
            session = self._owned(s, principal, session_id)
            scenario = self._content.scenario_version(session.scenario_version_id)
            turns = self._turns(s, session_id)
            has_scorecard = (
                s.scalar(select(ScorecardRecord.id).where(ScorecardRecord.session_id == session_id))
                is not None
            )
            state = PersonaState.model_validate(session.persona_state)
            return SessionView(
                id=session.id,
                scenario=scenario.learner_view(),
                status=session.status,
                turns=[TurnView(t.position, t.speaker, t.text) for t in turns],
                awaiting_reply=bool(turns) and turns[-1].speaker == "coach",
                committed=state.committed,
                started_at=session.started_at,
                ended_at=session.ended_at,
                has_scorecard=has_scorecard,
                private_mode=session.private_mode,
                parent_id=session.parent_session_id,
                branched_at=session.branched_at_turn,
            )

    def list_sessions(self, principal: Principal) -> list[SessionSummary]:
        """The caller's own sessions, newest first."""
        if principal.user_id is None:
            return []
        with self._db.session() as s:
            rows = s.execute(
                select(PracticeSession, ScenarioVersion.scenario_id)
                .join(ScenarioVersion, ScenarioVersion.id == PracticeSession.scenario_version_id)
                .where(PracticeSession.user_id == principal.user_id)
                .order_by(PracticeSession.started_at.desc(), PracticeSession.id.desc())
            ).all()
            out = []
            for session, scenario_id in rows:
                count = s.scalar(
                    select(func.count(TurnRecord.id)).where(TurnRecord.session_id == session.id)
                )
                overall = s.scalar(
                    select(ScorecardRecord.overall)
                    .where(ScorecardRecord.session_id == session.id)
                    .order_by(ScorecardRecord.id.desc())
                    .limit(1)
                )
                title = self._content.scenario_version(session.scenario_version_id).title
                out.append(
                    SessionSummary(
                        session.id,
                        scenario_id,
                        title,
                        session.status,
                        count or 0,
                        overall,
                        session.started_at,
                    )
                )
            return out

    def active_session(self, principal: Principal, scenario_id: str | None = None) -> int | None:
        """The caller's most recent unfinished session (optionally for one scenario)."""
        if principal.user_id is None:
            return None
        with self._db.session() as s:
            query = (
                select(PracticeSession.id)
                .join(ScenarioVersion, ScenarioVersion.id == PracticeSession.scenario_version_id)
                .where(
                    PracticeSession.user_id == principal.user_id,
                    PracticeSession.status == "active",
                )
                .order_by(PracticeSession.id.desc())
                .limit(1)
            )
            if scenario_id is not None:
                query = query.where(ScenarioVersion.scenario_id == scenario_id)
            return s.scalar(query)

    # -- the conversation --------------------------------------------------------------------
    def send(self, principal: Principal, session_id: int, text: str) -> SessionView:
        """Store the learner's turn, then get and store the persona's reply."""
        with self._lock_for(session_id):
            self._store_coach_turn(principal, session_id, text)
            # committed: the learner's turn is safe whatever happens next
            notice = self._finish(session_id, self._reply(session_id))
        return replace(self.get(principal, session_id), notice=notice)

    def send_stream(self, principal: Principal, session_id: int, text: str) -> ReplyStream:
        """Store the learner's turn, then stream the persona's reply as it is produced.

        The reply is produced and stored by a worker thread, so it is kept even if the caller
        stops reading (a Streamlit rerun interrupts the page mid-stream).  The stored reply is
        authoritative: a streamed draft can be replaced by a safer final text (the LLM engine's
        leak guard), so callers re-read the session afterwards.
        """
        with self._lock_for(session_id):
            self._store_coach_turn(principal, session_id, text)
        stream = ReplyStream()
        worker = threading.Thread(
            target=self._stream_worker,
            args=(session_id, stream),
            daemon=True,
            name=f"persona-reply-{session_id}",
        )
        worker.start()
        return stream

    def _stream_worker(self, session_id: int, out: ReplyStream) -> None:
        try:
            with self._lock_for(session_id):
                context = self._reply_context(session_id)
                if context is None:
                    return
                scenario, state, coach, labels, history = context
                stream = getattr(self._engine, "reply_stream", None)
                try:
                    reply: PersonaReply | None = None
                    if stream is None:
                        reply = self._engine.reply(scenario, state, coach.text, labels, history)
                        out.put(reply.text)
                    else:
                        for item in stream(scenario, state, coach.text, labels, history):
                            if isinstance(item, str):
                                out.put(item)
                            else:
                                reply = item
                    if reply is None:
                        raise RuntimeError("the engine's stream ended without a final reply")
                except Exception as exc:  # any engine failure leaves the learner's turn in place
                    unavailable = _unavailable()
                    unavailable.__cause__ = exc
                    out.fail(unavailable)
                    return
                out.notice = self._finish(session_id, (coach.position, reply))
        except Exception as exc:  # storage failure: report it to the reader, never hang it
            out.fail(exc)
        finally:
            out.close()

    def retry_reply(self, principal: Principal, session_id: int) -> SessionView:
        """Ask the persona again to answer a learner turn left without a reply."""
        with self._lock_for(session_id):
            with self._db.session() as s:
                session = self._owned(s, principal, session_id, write=True)
                self._require_active(session)
            notice = self._finish(session_id, self._reply(session_id))
        return replace(self.get(principal, session_id), notice=notice)

    def report_reply(
        self, principal: Principal, session_id: int, position: int, reason: str
    ) -> None:
        """Record the learner's report that a persona reply broke character or misbehaved."""
        reason = clean_message(reason or "out of character", 500)
        with self._db.session() as s:
            self._owned(s, principal, session_id, write=True)
            turn = s.scalar(
                select(TurnRecord).where(
                    TurnRecord.session_id == session_id, TurnRecord.position == position
                )
            )
            if turn is None or turn.speaker != "client":
                raise NotFound("Only the persona's replies can be reported.")
            turn.reported = reason

    def reported_replies(self, principal: Principal, limit: int = 100) -> list[ReportedReply]:
        """Persona replies learners reported as out of character, newest first (facilitators)."""
        principal.require(Action.AUTHOR_CONTENT)
        with self._db.session() as s:
            rows = s.execute(
                select(TurnRecord, ScenarioVersion.scenario_id, ScenarioVersion.version)
                .join(PracticeSession, PracticeSession.id == TurnRecord.session_id)
                .join(ScenarioVersion, ScenarioVersion.id == PracticeSession.scenario_version_id)
                .where(TurnRecord.reported.is_not(None))
                .order_by(TurnRecord.id.desc())
                .limit(limit)
            ).all()
            return [
                ReportedReply(
                    scenario_id=scenario_id,
                    scenario_version=version,
                    text=turn.text,
                    reason=turn.reported or "",
                    source=turn.source or "offline",
                )
                for turn, scenario_id, version in rows
            ]

    def _store_coach_turn(self, principal: Principal, session_id: int, text: str) -> None:
        # callers hold the session lock, so nothing else writes this session between the two
        # short transactions; detection runs outside both (it is CPU-bound)
        message = clean_message(text, self._max_chars)
        self._message_limit.check(principal.user_id, "messages")
        with self._db.session() as s:
            session = self._owned(s, principal, session_id, write=True)
            self._require_active(session)
            turns = self._turns(s, session_id)
            if turns and turns[-1].speaker == "coach":
                raise InvalidInput(
                    "The persona has not answered your last message yet: "
                    "use 'Get reply' before writing again."
                )
            if len(turns) >= self._max_turns:
                raise InvalidInput("This session is at its turn limit: end it to see feedback.")
            previous_client = next((t.text for t in reversed(turns) if t.speaker == "client"), None)
            position = len(turns)
        labels = self._detector.label_coach(message, previous_client)
        with self._db.session() as s:
            s.add(
                TurnRecord(
                    session_id=session_id,
                    position=position,
                    speaker="coach",
                    text=message,
                    labels=labels.model_dump(mode="json"),
                )
            )

    def _reply_context(
        self, session_id: int
    ) -> tuple[Scenario, PersonaState, TurnRecord, CoachLabels, list[Turn]] | None:
        """Everything the engine needs, read in a short transaction (None if nothing to answer)."""
        with self._db.session() as s:
            session = s.get(PracticeSession, session_id)
            if session is None:
                raise NotFound(f"No practice session {session_id}.")
            turns = self._turns(s, session_id)
            if not turns or turns[-1].speaker != "coach":
                return None
            scenario = self._content.scenario_version(session.scenario_version_id)
            state = PersonaState.model_validate(session.persona_state)
            coach = turns[-1]
            labels = (
                CoachLabels.model_validate(coach.labels)
                if coach.labels
                else self._detector.label_coach(coach.text)
            )
            history = [Turn(speaker=t.speaker, text=t.text) for t in turns]  # type: ignore[arg-type]
            return scenario, state, coach, labels, history

    def _reply(self, session_id: int) -> tuple[int, PersonaReply] | None:
        """Ask the engine outside any database transaction (an LLM call can take seconds)."""
        context = self._reply_context(session_id)
        if context is None:
            return None
        scenario, state, coach, labels, history = context
        try:
            return coach.position, self._engine.reply(scenario, state, coach.text, labels, history)
        except Exception as exc:  # any engine failure leaves the learner's turn in place
            raise _unavailable() from exc

    def _finish(self, session_id: int, answer: tuple[int, PersonaReply] | None) -> str | None:
        """Store the reply and the new persona state; return any notice for the learner."""
        if answer is None:
            return None
        coach_position, reply = answer
        labels = self._detector.label_client(reply.text).model_dump(mode="json")
        # layer ids only (never their text): the debrief credits the coach turn that earned each
        labels["newly_unlocked"] = list(reply.newly_unlocked)
        with self._db.session() as s:
            session = s.get(PracticeSession, session_id)
            assert session is not None
            s.add(
                TurnRecord(
                    session_id=session_id,
                    position=coach_position + 1,
                    speaker="client",
                    text=reply.text,
                    labels=labels,
                    source=getattr(reply, "source", "offline"),
                )
            )
            session.persona_state = reply.state.model_dump(mode="json")
        return getattr(reply, "notice", None)

    # -- ending ------------------------------------------------------------------------------
    def end(self, principal: Principal, session_id: int, rubric_id: str | None = None) -> Debrief:
        """End the session, score it with a rubric and return the debrief.

        A session practised for an assignment is always scored with the assignment's rubric.
        """
        with self._lock_for(session_id):
            with self._db.session() as s:
                session = self._owned(s, principal, session_id, write=True)
                assigned = (
                    s.get(Assignment, session.assignment_id) if session.assignment_id else None
                )
                rubric_id = assigned.rubric_id if assigned else (rubric_id or DEFAULT_RUBRIC)
                turns = self._turns(s, session_id)
                if not any(t.speaker == "coach" for t in turns):
                    raise InvalidInput("Say something to the persona before ending the session.")
                transcript = [Turn(speaker=t.speaker, text=t.text) for t in turns]  # type: ignore[arg-type]
                labels = [_stored_labels(t) for t in turns]
            rubric_version_id, rubric = self._content.latest_rubric(rubric_id)
            # scoring may call the detector or an LLM judge: keep it outside any transaction
            card = self._scorer.score(transcript, rubric, labels)  # type: ignore[arg-type]
            data = card.to_json_dict()
            with self._db.session() as s:
                session = self._owned(s, principal, session_id)
                s.add(
                    ScorecardRecord(
                        session_id=session_id,
                        rubric_version_id=rubric_version_id,
                        overall=float(data["overall"]),
                        data=data,
                    )
                )
                if session.status == "active":
                    session.status = "ended"
                    session.ended_at = datetime.now(UTC)
        return self.debrief(principal, session_id)

    def debrief(self, principal: Principal, session_id: int) -> Debrief:
        """The latest scorecard and the persona's debrief for an ended session."""
        with self._db.session() as s:
            session = self._owned(s, principal, session_id)
            if session.status != "ended":
                raise InvalidInput("The debrief opens when the session has ended.")
            record = s.scalar(
                select(ScorecardRecord)
                .where(ScorecardRecord.session_id == session_id)
                .order_by(ScorecardRecord.id.desc())
                .limit(1)
            )
            if record is None:
                raise NotFound("This session has no scorecard yet.")
            scenario = self._content.scenario_version(session.scenario_version_id)
            state = PersonaState.model_validate(session.persona_state)
            turns = self._turns(s, session_id)
            return Debrief(
                session_id=session_id,
                scorecard=dict(record.data),
                debrief=scenario.debrief_view(list(state.unlocked)),
                transcript=[TurnView(t.position, t.speaker, t.text) for t in turns],
            )

    # -- deleting ----------------------------------------------------------------------------
    def delete(self, principal: Principal, session_id: int) -> None:
        """Delete a session for real: its turns, scorecards and anything shared from it.

        Turns, scorecards and library exchanges go with the session through ON DELETE CASCADE
        (SQLite enforces it because ``Database`` turns foreign keys on); branches made from it are
        kept and become stand-alone sessions.  Once the rows are gone, the shared items leave the
        vector index too, so their text is not kept on disk until the next ``coachlab reindex``.
        """
        with self._lock_for(session_id), self._db.session() as s:
            session = self._owned(s, principal, session_id)
            shared = list(
                s.scalars(
                    select(LibraryExchange.id).where(LibraryExchange.session_id == session_id)
                )
            )
            s.execute(
                update(PracticeSession)
                .where(PracticeSession.parent_session_id == session_id)
                .values(parent_session_id=None, branched_at_turn=None)
            )
            s.delete(session)
        with self._locks_guard:
            self._session_locks.pop(session_id, None)
        if shared and self.forget_shared is not None:
            self.forget_shared(shared)

    # -- helpers -----------------------------------------------------------------------------
    def _owned(
        self, s: Any, principal: Principal, session_id: int, *, write: bool = False
    ) -> PracticeSession:
        return owned_session(s, principal, session_id, write=write)

    @staticmethod
    def _require_active(session: PracticeSession) -> None:
        if session.status != "active":
            raise InvalidInput("This session has ended; start a new one to keep practising.")

    @staticmethod
    def _turns(s: Any, session_id: int) -> list[TurnRecord]:
        return list(
            s.scalars(
                select(TurnRecord)
                .where(TurnRecord.session_id == session_id)
                .order_by(TurnRecord.position)
            )
        )

    def _lock_for(self, session_id: int) -> threading.Lock:
        with self._locks_guard:
            return self._session_locks.setdefault(session_id, threading.Lock())


def owned_session(
    s: Any, principal: Principal, session_id: int, *, write: bool = False
) -> PracticeSession:
    """The session if the caller owns it (or, to read or delete it, is an administrator).

    Others get NotFound, the same answer as for a session that does not exist.  ``write``
    operations (a turn, a reply, the end, a branch, a switch) are the learner's alone: an
    administrator may read a session for support but never speaks or acts in the learner's name.
    """
    session = s.get(PracticeSession, session_id)
    if session is None or (session.user_id != principal.user_id and not principal.is_admin):
        raise NotFound(f"No practice session {session_id}.")
    if write and session.user_id != principal.user_id:
        raise PermissionDenied("Only the learner can act in their own practice session.")
    return session


def _stored_labels(turn: TurnRecord) -> CoachLabels | ClientLabels | None:
    if not turn.labels:
        return None
    if turn.speaker == "coach":
        return CoachLabels.model_validate(turn.labels)
    return ClientLabels.model_validate(turn.labels)
