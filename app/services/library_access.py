"""Who may see which library item, and the plain views the library services return.

What must stay true:
- ``visible_clause`` is the one definition of visibility in SQL: published, and either community,
  or cohort-visible to a member of that cohort, or the viewer's own; administrators see every
  published item.  ``audience_for`` says the same thing to the in-memory search index;
- views never carry ORM objects, and an anonymous author's name never leaves this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.orm import Session

from app.services.principal import Principal
from app.storage.models import CohortMember, Comment, LibraryExchange, Rating, User, Vote
from retrieval.hybrid import Audience, Doc
from retrieval.library_index import IndexItem

ANONYMOUS = "Anonymous"
PUBLISHED, HIDDEN = "published", "hidden"
VISIBILITIES = ("cohort", "community")
GOOD_LEVEL = 4


@dataclass(frozen=True, slots=True)
class ExchangeTurn:
    """One published turn (already redacted)."""

    speaker: str
    text: str


@dataclass(frozen=True, slots=True)
class ExchangeView:
    """A library item as a viewer sees it."""

    id: int
    kind: str
    turns: tuple[ExchangeTurn, ...]
    note: str
    techniques: tuple[str, ...]
    scenario_id: str | None
    context: str | None
    author: str
    is_mine: bool
    visibility: str
    status: str
    featured: bool
    helpful: int
    rating: float | None
    ratings: int
    comments: int
    created_at: datetime
    score: float = 0.0

    @property
    def coach(self) -> str:
        """The coach's words, turns joined."""
        return "\n".join(t.text for t in self.turns if t.speaker == "coach")

    @property
    def client(self) -> str:
        """The client's words, turns joined."""
        return "\n".join(t.text for t in self.turns if t.speaker == "client")


def viewer_id(principal: Principal) -> int:
    """The principal's user id, or -1 for the system operator (who owns nothing)."""
    return principal.user_id if principal.user_id is not None else -1


def visible_clause(principal: Principal) -> ColumnElement[bool]:
    """SQL condition: library items ``principal`` may see."""
    published = LibraryExchange.status == PUBLISHED
    if principal.is_admin:
        return published
    return and_(published, _audience_clause(principal))


def moderated_clause(principal: Principal) -> ColumnElement[bool]:
    """SQL condition: items ``principal`` may moderate — what they could see, hidden included."""
    if principal.is_admin:
        return LibraryExchange.id.is_not(None)
    return _audience_clause(principal)


def _audience_clause(principal: Principal) -> ColumnElement[bool]:
    uid = viewer_id(principal)
    cohorts = select(CohortMember.cohort_id).where(CohortMember.user_id == uid)
    return or_(
        LibraryExchange.visibility == "community",
        and_(LibraryExchange.visibility == "cohort", LibraryExchange.cohort_id.in_(cohorts)),
        LibraryExchange.author_id == uid,
    )


def cohorts_of(s: Session, user_id: int) -> list[int]:
    """Ids of the cohorts a user belongs to, lowest first."""
    return list(
        s.scalars(
            select(CohortMember.cohort_id)
            .where(CohortMember.user_id == user_id)
            .order_by(CohortMember.cohort_id)
        )
    )


def audience_for(s: Session, principal: Principal) -> Audience:
    """The same visibility rule, for the in-memory index."""
    if principal.is_admin:
        return Audience(groups=None, owner=viewer_id(principal))
    uid = viewer_id(principal)
    return Audience(groups=frozenset(cohorts_of(s, uid)), owner=uid)


def split_techniques(stored: str) -> tuple[str, ...]:
    """Techniques from their stored ``,a,b,`` form."""
    return tuple(t for t in stored.split(",") if t)


def join_techniques(techniques: Sequence[str]) -> str:
    """Techniques in their stored form, wrapped in commas so LIKE '%,name,%' is exact."""
    unique = list(dict.fromkeys(techniques))
    return f",{','.join(unique)}," if unique else ""


def stats(s: Session, ids: Sequence[int]) -> dict[int, tuple[int, float | None, int, int]]:
    """Per item: helpful votes, mean rating overall, number of ratings, number of comments."""
    if not ids:
        return {}
    # a long IN list is slower than counting everything once (index warm-up reads all items)
    few = len(ids) <= 500
    votes = dict(
        s.execute(
            select(Vote.exchange_id, func.count())
            .where(Vote.exchange_id.in_(ids) if few else true())
            .group_by(Vote.exchange_id)
        )
        .tuples()
        .all()
    )
    ratings = {
        row[0]: (float(row[1]), int(row[2]))
        for row in s.execute(
            select(Rating.exchange_id, func.avg(Rating.overall), func.count())
            .where(Rating.exchange_id.in_(ids) if few else true())
            .group_by(Rating.exchange_id)
        )
    }
    comments = dict(
        s.execute(
            select(Comment.exchange_id, func.count())
            .where(Comment.exchange_id.in_(ids) if few else true())
            .group_by(Comment.exchange_id)
        )
        .tuples()
        .all()
    )
    return {
        i: (
            int(votes.get(i, 0)),
            ratings.get(i, (None, 0))[0],
            ratings.get(i, (None, 0))[1],
            int(comments.get(i, 0)),
        )
        for i in ids
    }


def to_views(
    s: Session,
    principal: Principal,
    rows: Sequence[LibraryExchange],
    scores: dict[int, float] | None = None,
) -> list[ExchangeView]:
    """Views of ``rows`` in the given order, with counts and the author's name (if shown)."""
    numbers = stats(s, [r.id for r in rows])
    authors = {r.author_id for r in rows if r.show_name}
    names = (
        dict(
            s.execute(select(User.id, User.display_name).where(User.id.in_(authors))).tuples().all()
        )
        if authors
        else {}
    )
    uid = viewer_id(principal)
    out = []
    for row in rows:
        helpful, rating, count, comments = numbers[row.id]
        out.append(
            ExchangeView(
                id=row.id,
                kind=row.kind,
                turns=tuple(ExchangeTurn(str(t["speaker"]), str(t["text"])) for t in row.turns),
                note=row.note,
                techniques=split_techniques(row.techniques),
                scenario_id=row.scenario_id,
                context=row.context,
                author=names.get(row.author_id, ANONYMOUS) if row.show_name else ANONYMOUS,
                is_mine=row.author_id == uid,
                visibility=row.visibility,
                status=row.status,
                featured=row.featured,
                helpful=helpful,
                rating=rating,
                ratings=count,
                comments=comments,
                created_at=row.created_at,
                score=(scores or {}).get(row.id, 0.0),
            )
        )
    return out


def index_item(row: LibraryExchange, helpful: int = 0, rating: float | None = None) -> IndexItem:
    """How a stored item is searched: keyword text, embedded text, filter attributes."""
    techniques = split_techniques(row.techniques)
    good = [
        f"criterion:{k}" for k, v in (row.rubric_levels or {}).items() if _level(v) >= GOOD_LEVEL
    ]
    turns = " ".join(str(t["text"]) for t in row.turns)
    scope = 0 if row.visibility == "community" else (row.cohort_id or -1)
    metadata: dict[str, Any] = {
        "visibility": row.visibility,
        "cohort_id": row.cohort_id or -1,
        "author_id": row.author_id,
        "status": row.status,
        "kind": row.kind,
        "scenario": row.scenario_id or "",
        "context": row.context or "",
        "techniques": ",".join(techniques),
        **{f"tech_{t}": True for t in techniques},
        **{f"level_{k}": _level(v) for k, v in (row.rubric_levels or {}).items()},
    }
    doc = Doc(
        key=row.id,
        text=f"{turns} {row.note}",
        scope=scope,
        owner=row.author_id,
        tags=(*techniques, *good),
        scenario=row.scenario_id,
        context=row.context,
        created=row.created_at.timestamp(),
        helpful=helpful,
        rating=rating,
        featured=row.featured,
    )
    parts = tuple(str(t["text"]) for t in row.turns) + ((row.note,) if row.note else ())
    # the coach's move is what people search for: it counts twice in the item's vector
    weights = tuple(2.0 if t["speaker"] == "coach" else 1.0 for t in row.turns)
    weights += (1.0,) if row.note else ()
    return IndexItem(
        doc=doc,
        embed_text=f"{turns} {row.note}".strip(),
        metadata=metadata,
        parts=parts,
        weights=weights,
    )


def _level(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
