"""Reviewing library items: threaded comments, helpful votes, rubric ratings, queue, notifications.

What must stay true:
- every action first checks that the caller may *see* the item (``LibraryService.get``), so
  nobody can comment on, vote for or rate an item outside their visibility;
- the author of an item is notified of every new comment by someone else, and a comment's author
  of every reply by someone else; notifications are only ever read by their recipient;
- ratings use the levels (1–5) of a rubric's criteria; one rating and one vote per person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.content import ContentService
from app.services.errors import InvalidInput, NotFound
from app.services.library import LibraryService
from app.services.library_access import ExchangeView, to_views, viewer_id, visible_clause
from app.services.principal import Action, Principal
from app.services.text_safety import clean_message
from app.storage.database import Database
from app.storage.models import (
    Comment,
    Flag,
    LibraryExchange,
    Notification,
    Rating,
    User,
    Vote,
)

REVIEW_RUBRIC = "core-coaching"
MAX_COMMENT = 2000


@dataclass(frozen=True, slots=True)
class CommentView:
    """One comment, with its depth in the thread (0 = top level)."""

    id: int
    parent_id: int | None
    author: str
    body: str
    depth: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Criterion:
    """A rubric criterion a reviewer rates on levels 1–5."""

    id: str
    name: str
    levels: dict[int, str]


@dataclass(frozen=True, slots=True)
class ItemDetail:
    """Everything the item page shows."""

    exchange: ExchangeView
    comments: tuple[CommentView, ...]
    voted: bool
    my_rating: dict[str, int] | None
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True, slots=True)
class NotificationView:
    """An in-app notification."""

    id: int
    kind: str
    text: str
    exchange_id: int | None
    read: bool
    created_at: datetime


class ReviewService:
    """Comments, votes, ratings, the review queue and notifications."""

    def __init__(self, db: Database, content: ContentService, library: LibraryService) -> None:
        self._db = db
        self._content = content
        self._library = library

    def detail(self, principal: Principal, exchange_id: int) -> ItemDetail:
        """An item with its comment thread and the caller's own vote and rating."""
        exchange = self._library.get(principal, exchange_id)
        uid = viewer_id(principal)
        with self._db.session() as s:
            comments = _thread(s, exchange_id)
            voted = s.get(Vote, (exchange_id, uid)) is not None
            rating = s.get(Rating, (exchange_id, uid))
            return ItemDetail(
                exchange=exchange,
                comments=comments,
                voted=voted,
                my_rating={k: int(v) for k, v in rating.levels.items()} if rating else None,
                criteria=self.criteria(),
            )

    def comment(
        self, principal: Principal, exchange_id: int, body: str, parent_id: int | None = None
    ) -> CommentView:
        """Add a comment (or a reply) and notify the item's and parent comment's authors."""
        self._library.get(principal, exchange_id)
        if principal.user_id is None:
            raise InvalidInput("Comments need a user account.")
        text = clean_message(body, MAX_COMMENT)
        with self._db.session() as s:
            parent = s.get(Comment, parent_id) if parent_id is not None else None
            if parent_id is not None and (parent is None or parent.exchange_id != exchange_id):
                raise NotFound("That comment is not on this item.")
            row = Comment(
                exchange_id=exchange_id,
                author_id=principal.user_id,
                parent_id=parent_id,
                body=text,
            )
            s.add(row)
            s.flush()
            exchange = s.get(LibraryExchange, exchange_id)
            assert exchange is not None
            who = principal.display_name
            told: set[int] = set()
            if exchange.author_id != principal.user_id:
                s.add(
                    Notification(
                        user_id=exchange.author_id,
                        kind="comment",
                        text=f"{who} commented on your shared exchange: {text[:120]}",
                        exchange_id=exchange_id,
                    )
                )
                told.add(exchange.author_id)
            if parent is not None and parent.author_id not in told | {principal.user_id}:
                s.add(
                    Notification(
                        user_id=parent.author_id,
                        kind="reply",
                        text=f"{who} replied to your comment: {text[:120]}",
                        exchange_id=exchange_id,
                    )
                )
            depth = 0 if parent is None else _depth(s, parent) + 1
            return CommentView(row.id, parent_id, who, text, depth, row.created_at)

    def toggle_helpful(self, principal: Principal, exchange_id: int) -> bool:
        """Vote an item helpful, or take the vote back; returns whether the vote now stands."""
        item = self._library.get(principal, exchange_id)
        if item.is_mine:
            raise InvalidInput("You cannot vote for your own exchange.")
        uid = viewer_id(principal)
        with self._db.session() as s:
            vote = s.get(Vote, (exchange_id, uid))
            if vote is None:
                s.add(Vote(exchange_id=exchange_id, user_id=uid))
            else:
                s.delete(vote)
        self._library.refresh_stats(exchange_id)
        return vote is None

    def criteria(self) -> tuple[Criterion, ...]:
        """The criteria peers rate with."""
        _, rubric = self._content.latest_rubric(REVIEW_RUBRIC)
        return tuple(
            Criterion(c.id, c.name, {int(k): str(v) for k, v in c.levels.items()})
            for c in rubric.criteria
        )

    def rate(self, principal: Principal, exchange_id: int, levels: dict[str, int]) -> float:
        """Rate an item on the review rubric's criteria (levels 1–5); returns the mean level."""
        principal.require(Action.REVIEW)
        item = self._library.get(principal, exchange_id)
        if item.is_mine:
            raise InvalidInput("Ask others to rate your exchange; you cannot rate it yourself.")
        version_id, rubric = self._content.latest_rubric(REVIEW_RUBRIC)
        known = {c.id for c in rubric.criteria}
        if not levels or set(levels) - known:
            raise InvalidInput(f"Rate one or more of these criteria: {', '.join(sorted(known))}.")
        if any(not 1 <= int(v) <= 5 for v in levels.values()):
            raise InvalidInput("Levels go from 1 to 5.")
        overall = sum(int(v) for v in levels.values()) / len(levels)
        uid = viewer_id(principal)
        with self._db.session() as s:
            rating = s.get(Rating, (exchange_id, uid))
            if rating is None:
                rating = Rating(exchange_id=exchange_id, user_id=uid)
                s.add(rating)
            rating.rubric_version_id = version_id
            rating.levels = {k: int(v) for k, v in levels.items()}
            rating.overall = overall
        self._library.refresh_stats(exchange_id)
        return overall

    def queue(self, principal: Principal, limit: int = 20) -> list[ExchangeView]:
        """Items waiting for the caller's review: not theirs, not yet rated by them.

        Whole transcripts shared for review come first, then the least-rated, oldest first.
        """
        principal.require(Action.REVIEW)
        uid = viewer_id(principal)
        with self._db.session() as s:
            rated = select(Rating.exchange_id).where(Rating.user_id == uid)
            count = (
                select(func.count())
                .where(Rating.exchange_id == LibraryExchange.id)
                .correlate(LibraryExchange)
                .scalar_subquery()
            )
            rows = s.scalars(
                select(LibraryExchange)
                .where(
                    visible_clause(principal),
                    LibraryExchange.author_id != uid,
                    LibraryExchange.id.not_in(rated),
                )
                .order_by((LibraryExchange.kind != "transcript"), count, LibraryExchange.id)
                .limit(limit)
            ).all()
            return to_views(s, principal, rows)

    def notifications(
        self, principal: Principal, unread_only: bool = False
    ) -> list[NotificationView]:
        """The caller's notifications, newest first."""
        uid = viewer_id(principal)
        with self._db.session() as s:
            query = select(Notification).where(Notification.user_id == uid)
            if unread_only:
                query = query.where(Notification.read_at.is_(None))
            rows = s.scalars(query.order_by(Notification.id.desc()).limit(100)).all()
            return [
                NotificationView(
                    n.id, n.kind, n.text, n.exchange_id, n.read_at is not None, n.created_at
                )
                for n in rows
            ]

    def mark_read(self, principal: Principal) -> int:
        """Mark all the caller's notifications read; returns how many changed."""
        uid = viewer_id(principal)
        with self._db.session() as s:
            rows = s.scalars(
                select(Notification).where(
                    Notification.user_id == uid, Notification.read_at.is_(None)
                )
            ).all()
            now = datetime.now(UTC)
            for row in rows:
                row.read_at = now
            return len(rows)

    def flag(self, principal: Principal, exchange_id: int, reason: str) -> None:
        """Flag an item for the facilitators' attention."""
        self._library.get(principal, exchange_id)
        text = clean_message(reason or "needs a look", 500)
        with self._db.session() as s:
            s.add(Flag(exchange_id=exchange_id, user_id=viewer_id(principal), reason=text))


def _thread(s: Session, exchange_id: int) -> tuple[CommentView, ...]:
    rows = s.execute(
        select(Comment, User.display_name)
        .join(User, User.id == Comment.author_id)
        .where(Comment.exchange_id == exchange_id)
        .order_by(Comment.id)
    ).all()
    children: dict[int | None, list[tuple[Comment, str]]] = {}
    for comment, name in rows:
        children.setdefault(comment.parent_id, []).append((comment, name))
    out: list[CommentView] = []

    def walk(parent: int | None, depth: int) -> None:
        for comment, name in children.get(parent, []):
            out.append(
                CommentView(
                    comment.id, comment.parent_id, name, comment.body, depth, comment.created_at
                )
            )
            walk(comment.id, depth + 1)

    walk(None, 0)
    return tuple(out)


def _depth(s: Session, comment: Comment) -> int:
    depth = 0
    while comment.parent_id is not None and depth < 50:
        parent = s.get(Comment, comment.parent_id)
        if parent is None:
            break
        comment, depth = parent, depth + 1
    return depth
