"""Real sessions: transcripts of real coaching conversations uploaded to be scored with a rubric.

What must stay true:
- Nothing is stored without the uploader's explicit confirmation that the coachee consented.
- Uploads are private to their owner: listing, reading, rescoring and deleting answer "not found"
  for anyone else's upload; deleting removes the transcript and its scorecard for good.
- Input is parsed by ``rubrics.parsing`` (WebVTT, ``Name: text`` lines or JSON) with its bounds,
  and an upload is at most MAX_UPLOAD_BYTES and MAX_UPLOAD_TURNS turns.
- Scoring (upload and rescore) is rate-limited per user, because it is the costly part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.services.content import ContentService
from app.services.errors import InvalidInput, NotFound
from app.services.principal import Action, Principal
from app.services.rate_limit import RateLimiter
from app.storage.database import Database
from app.storage.models import TranscriptUpload
from rubrics.parsing import TranscriptError, parse_transcript
from rubrics.scorer import Scorer
from rubrics.transcript import Turn

MAX_UPLOAD_BYTES = 500_000  # a two-hour session transcribed is about 150 kB
MAX_UPLOAD_TURNS = 600
SCORES_PER_WINDOW = 10
SCORE_WINDOW_S = 600.0


@dataclass(frozen=True, slots=True)
class UploadSummary:
    """One upload in the owner's list."""

    id: int
    title: str
    turns: int
    overall: float | None
    rubric: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class UploadView:
    """An upload with its transcript and scorecard."""

    id: int
    title: str
    turns: list[Turn]
    scorecard: dict[str, Any] | None


class UploadService:
    """Upload, score, list and delete transcripts of real sessions."""

    def __init__(
        self,
        db: Database,
        content: ContentService,
        scorer: Scorer,
        *,
        scores_per_window: int = SCORES_PER_WINDOW,
        window_s: float = SCORE_WINDOW_S,
    ) -> None:
        self._db = db
        self._content = content
        self._scorer = scorer
        self._score_limit = RateLimiter(scores_per_window, window_s)

    def upload(
        self,
        actor: Principal,
        title: str,
        text: str,
        *,
        consent_confirmed: bool,
        rubric_id: str = "core-coaching",
        coach_name: str | None = None,
    ) -> UploadView:
        """Parse, score and store a transcript; refused without the coachee's consent."""
        actor.require(Action.SCORE_TRANSCRIPTS)
        if actor.user_id is None:
            raise InvalidInput("Log in as a user to keep uploaded transcripts.")
        if not consent_confirmed:
            raise InvalidInput(
                "Confirm that the coachee agreed to this recording being stored and scored."
            )
        title = " ".join(title.split())[:200] or "Untitled session"
        if len(text.encode("utf-8", errors="replace")) > MAX_UPLOAD_BYTES:
            raise InvalidInput(
                f"{title}: the transcript is larger than {MAX_UPLOAD_BYTES // 1000} kB."
            )
        try:
            turns = parse_transcript(text, title, coach_name or None)
        except TranscriptError as exc:
            raise InvalidInput(str(exc)) from None
        if len(turns) > MAX_UPLOAD_TURNS:
            raise InvalidInput(f"{title}: {len(turns)} turns; the limit is {MAX_UPLOAD_TURNS}.")
        self._score_limit.check(actor.user_id, "transcripts scored")
        version_id, card = self._score(turns, rubric_id)
        with self._db.session() as s:
            row = TranscriptUpload(
                owner_id=actor.user_id,
                title=title,
                turns=[{"speaker": t.speaker, "text": t.text} for t in turns],
                consent_confirmed=True,
                scorecard=card,
                rubric_version_id=version_id,
            )
            s.add(row)
            s.flush()
            upload_id = row.id
        return UploadView(upload_id, title, turns, card)

    def rescore(self, actor: Principal, upload_id: int, rubric_id: str) -> UploadView:
        """Score one of the caller's uploads again with another rubric."""
        with self._db.session() as s:
            row = self._owned(s, actor, upload_id)
            turns = _turns(row.turns)
        self._score_limit.check(actor.user_id, "transcripts scored")
        version_id, card = self._score(turns, rubric_id)
        with self._db.session() as s:
            row = self._owned(s, actor, upload_id)
            row.scorecard, row.rubric_version_id = card, version_id
            return UploadView(row.id, row.title, turns, card)

    def list_uploads(self, actor: Principal) -> list[UploadSummary]:
        """The caller's uploads, newest first."""
        actor.require(Action.SCORE_TRANSCRIPTS)
        with self._db.session() as s:
            rows = s.scalars(
                select(TranscriptUpload)
                .where(TranscriptUpload.owner_id == actor.user_id)
                .order_by(TranscriptUpload.id.desc())
            )
            return [
                UploadSummary(
                    r.id,
                    r.title,
                    len(r.turns),
                    float(r.scorecard["overall"]) if r.scorecard else None,
                    r.scorecard["rubric"]["name"] if r.scorecard else None,
                    r.created_at,
                )
                for r in rows
            ]

    def get(self, actor: Principal, upload_id: int) -> UploadView:
        """One of the caller's uploads."""
        with self._db.session() as s:
            row = self._owned(s, actor, upload_id)
            return UploadView(row.id, row.title, _turns(row.turns), row.scorecard)

    def delete(self, actor: Principal, upload_id: int) -> None:
        """Delete one of the caller's uploads and its scorecard."""
        with self._db.session() as s:
            s.delete(self._owned(s, actor, upload_id))

    def _score(self, turns: list[Turn], rubric_id: str) -> tuple[int, dict[str, Any]]:
        version_id, rubric = self._content.latest_rubric(rubric_id)
        try:
            card = self._scorer.score(turns, rubric)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        return version_id, card.to_json_dict()

    @staticmethod
    def _owned(s: Any, actor: Principal, upload_id: int) -> TranscriptUpload:
        actor.require(Action.SCORE_TRANSCRIPTS)
        row = s.get(TranscriptUpload, upload_id)
        if row is None or row.owner_id != actor.user_id:
            raise NotFound(f"No uploaded transcript {upload_id}.")
        return row


def _turns(raw: list[Any]) -> list[Turn]:
    return [Turn(t["speaker"], t["text"]) for t in raw]
