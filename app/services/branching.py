"""Rewind and branch: replay a conversation from an earlier turn without losing the original.

What must stay true:
- A branch is a new session (``parent_session_id``, ``branched_at_turn``) holding copies of the
  parent's turns up to and including ``branched_at_turn``, which is always a persona turn, so the
  learner speaks next. The parent is never changed: both lines are kept and comparable.
- The branch's persona state is the state *as it was* at that turn, recomputed by replaying the
  engine's state machine over the kept turns (``app.services.replay``); no state snapshot and no
  hidden text is stored for it.
- Assessment sessions cannot be rewound (that would let a learner retake a graded moment).
"""

from __future__ import annotations

from sqlalchemy import select

from app.services.content import ContentService
from app.services.errors import InvalidInput
from app.services.practice import owned_session
from app.services.principal import Action, Principal
from app.services.replay import StoredTurn, state_after
from app.services.session_options import is_assessment
from app.storage.database import Database
from app.storage.models import PracticeSession, TurnRecord
from scenarios.playthrough import PersonaEngine


class BranchingService:
    """Create branches of practice sessions."""

    def __init__(self, db: Database, content: ContentService, engine: PersonaEngine) -> None:
        self._db = db
        self._content = content
        self._engine = engine

    def branch(self, principal: Principal, session_id: int, at_turn: int) -> int:
        """Start a new session that continues from turn ``at_turn``; return its id.

        ``at_turn`` may name a persona turn (kept, the learner answers it differently) or a learner
        turn (dropped, the learner rewrites it).
        """
        principal.require(Action.PRACTISE)
        with self._db.session() as s:
            parent = owned_session(s, principal, session_id, write=True)
            if is_assessment(s, parent):
                raise InvalidInput("Assessment sessions cannot be rewound.")
            turns = list(
                s.scalars(
                    select(TurnRecord)
                    .where(TurnRecord.session_id == session_id)
                    .order_by(TurnRecord.position)
                )
            )
            by_position = {t.position: t for t in turns}
            if at_turn not in by_position:
                raise InvalidInput(f"This conversation has no turn {at_turn}.")
            if by_position[at_turn].speaker == "coach":
                at_turn -= 1
            kept = [t for t in turns if t.position <= at_turn]
            scenario = self._content.scenario_version(parent.scenario_version_id)
            state = state_after(
                self._engine,
                scenario,
                parent.seed,
                [StoredTurn(t.position, t.speaker, t.text, t.labels) for t in kept],
            )
            child = PracticeSession(
                user_id=parent.user_id,
                scenario_version_id=parent.scenario_version_id,
                status="active",
                engine=parent.engine,
                seed=parent.seed,
                persona_state=state.model_dump(mode="json"),
                parent_session_id=parent.id,
                branched_at_turn=at_turn,
                private_mode=parent.private_mode,
                nudges=parent.nudges,
            )
            s.add(child)
            s.flush()
            for t in kept:
                s.add(
                    TurnRecord(
                        session_id=child.id,
                        position=t.position,
                        speaker=t.speaker,
                        text=t.text,
                        labels=t.labels,
                        source=t.source,
                    )
                )
            return child.id
