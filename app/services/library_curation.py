"""Moderation and curation of the library by facilitators: hide, feature, collections, terms.

What must stay true:
- only facilitators and administrators (``Action.MANAGE_COHORTS``) moderate or curate, and a
  facilitator only items they could see: community items and their own cohorts' items (a
  moderator of one cohort never reads another cohort's private items through the queue);
- hiding takes effect in search at once (the index is updated before the call returns), and SQL
  re-checks catch any other process that still holds the item;
- a collection shows each viewer only the items that viewer may see;
- a new redaction term applies at once to every item already in the library (its stored text,
  the vector store's copy and the search index), not only to later shares.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.errors import Conflict, InvalidInput, NotFound
from app.services.library import LibraryService
from app.services.library_access import (
    HIDDEN,
    PUBLISHED,
    ExchangeView,
    index_item,
    moderated_clause,
    to_views,
    visible_clause,
)
from app.services.principal import Action, Principal
from app.services.redaction import Redactor
from app.services.text_safety import clean_message
from app.storage.database import Database
from app.storage.models import (
    Cohort,
    CohortMember,
    Collection,
    CollectionItem,
    Flag,
    LibraryExchange,
    RedactionTerm,
    User,
)


@dataclass(frozen=True, slots=True)
class FlaggedItem:
    """An item with its open flags, for the moderation queue."""

    exchange: ExchangeView
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CollectionView:
    """A curated collection and the items the viewer may see in it."""

    id: int
    name: str
    description: str
    items: tuple[ExchangeView, ...]


class CurationService:
    """Facilitators' moderation and curation tools."""

    def __init__(self, db: Database, library: LibraryService) -> None:
        self._db = db
        self._library = library

    def moderation_queue(self, principal: Principal) -> list[FlaggedItem]:
        """Items with unresolved flags (hidden ones included), most flagged first."""
        principal.require(Action.MANAGE_COHORTS)
        with self._db.session() as s:
            flags = s.execute(
                select(Flag.exchange_id, Flag.reason)
                .where(Flag.resolved.is_(False))
                .order_by(Flag.id)
            ).all()
            reasons: dict[int, list[str]] = {}
            for exchange_id, reason in flags:
                reasons.setdefault(exchange_id, []).append(reason)
            rows = s.scalars(
                select(LibraryExchange).where(
                    LibraryExchange.id.in_(list(reasons)), moderated_clause(principal)
                )
            ).all()
            rows = sorted(rows, key=lambda r: (-len(reasons[r.id]), r.id))
            views = to_views(s, principal, rows)
            return [FlaggedItem(v, tuple(reasons[v.id])) for v in views]

    def set_hidden(self, principal: Principal, exchange_id: int, hidden: bool) -> None:
        """Hide an item from everyone (or restore it); resolves its open flags."""
        principal.require(Action.MANAGE_COHORTS)
        with self._db.session() as s:
            row = _moderated(s, principal, exchange_id)
            row.status = HIDDEN if hidden else PUBLISHED
            for flag in s.scalars(select(Flag).where(Flag.exchange_id == exchange_id)):
                flag.resolved = True
            s.flush()
            item = index_item(row)
        if not hidden and item.doc.key not in self._library.index.hybrid:
            self._library.index.warm([item])
        self._library.index.set_visible(item, not hidden)

    def dismiss_flags(self, principal: Principal, exchange_id: int) -> None:
        """Resolve an item's flags without hiding it."""
        principal.require(Action.MANAGE_COHORTS)
        with self._db.session() as s:
            _moderated(s, principal, exchange_id)
            for flag in s.scalars(select(Flag).where(Flag.exchange_id == exchange_id)):
                flag.resolved = True

    def set_featured(self, principal: Principal, exchange_id: int, featured: bool) -> None:
        """Feature an item (exemplars and the library page show it first) or unfeature it."""
        principal.require(Action.MANAGE_COHORTS)
        with self._db.session() as s:
            row = _moderated(s, principal, exchange_id)
            row.featured = featured
        self._library.refresh_stats(exchange_id)

    def create_collection(self, principal: Principal, name: str, description: str = "") -> int:
        """Create a named collection, e.g. 'Great complex reflections'."""
        principal.require(Action.MANAGE_COHORTS)
        name = clean_message(name, 120)
        with self._db.session() as s:
            if s.scalar(select(Collection.id).where(Collection.name == name)) is not None:
                raise Conflict(f"A collection called {name!r} exists already.")
            row = Collection(
                name=name,
                description=(description or "").strip()[:2000],
                created_by=principal.user_id,
            )
            s.add(row)
            s.flush()
            return row.id

    def add_to_collection(self, principal: Principal, collection_id: int, exchange_id: int) -> None:
        """Put an item in a collection (at the end)."""
        principal.require(Action.MANAGE_COHORTS)
        with self._db.session() as s:
            if s.get(Collection, collection_id) is None:
                raise NotFound(f"No collection {collection_id}.")
            _moderated(s, principal, exchange_id)
            if s.get(CollectionItem, (collection_id, exchange_id)) is not None:
                return
            last = s.scalar(
                select(func.max(CollectionItem.position)).where(
                    CollectionItem.collection_id == collection_id
                )
            )
            s.add(
                CollectionItem(
                    collection_id=collection_id, exchange_id=exchange_id, position=(last or 0) + 1
                )
            )

    def remove_from_collection(
        self, principal: Principal, collection_id: int, exchange_id: int
    ) -> None:
        """Take an item out of a collection."""
        principal.require(Action.MANAGE_COHORTS)
        with self._db.session() as s:
            _moderated(s, principal, exchange_id)
            item = s.get(CollectionItem, (collection_id, exchange_id))
            if item is not None:
                s.delete(item)

    def collections(self, principal: Principal) -> list[CollectionView]:
        """Every collection with the items the caller may see, in curated order."""
        principal.require(Action.VIEW_LIBRARY)
        with self._db.session() as s:
            out = []
            for coll in s.scalars(select(Collection).order_by(Collection.name)):
                rows = s.scalars(
                    select(LibraryExchange)
                    .join(CollectionItem, CollectionItem.exchange_id == LibraryExchange.id)
                    .where(CollectionItem.collection_id == coll.id, visible_clause(principal))
                    .order_by(CollectionItem.position)
                ).all()
                out.append(
                    CollectionView(
                        coll.id, coll.name, coll.description, tuple(to_views(s, principal, rows))
                    )
                )
            return out

    def redaction_terms(self, principal: Principal) -> list[str]:
        """Organisation-specific terms every share redacts."""
        principal.require(Action.MANAGE_COHORTS)
        with self._db.session() as s:
            return list(s.scalars(select(RedactionTerm.term).order_by(RedactionTerm.term)))

    def add_redaction_term(self, principal: Principal, term: str) -> int:
        """Redact ``term`` (any case, whole words) in new shares and published items."""
        principal.require(Action.MANAGE_COHORTS)
        term = clean_message(term, 200)
        if len(term) < 2:
            raise InvalidInput("A redaction term needs at least two characters.")
        redactor = Redactor(terms=[term])
        changed: list[int] = []
        with self._db.session() as s:
            if s.scalar(select(RedactionTerm.id).where(RedactionTerm.term == term)) is None:
                s.add(RedactionTerm(term=term, created_by=principal.user_id))
            for row in s.scalars(select(LibraryExchange).order_by(LibraryExchange.id)):
                turns = [{**t, "text": redactor.redact(str(t["text"])).text} for t in row.turns]
                note = redactor.redact(row.note).text
                if turns != row.turns or note != row.note:
                    row.turns, row.note = turns, note
                    changed.append(row.id)
        self._library.reindex_items(changed)
        return len(changed)

    def remove_redaction_term(self, principal: Principal, term: str) -> None:
        """Stop redacting ``term`` in new shares."""
        principal.require(Action.MANAGE_COHORTS)
        with self._db.session() as s:
            row = s.scalar(select(RedactionTerm).where(RedactionTerm.term == term))
            if row is not None:
                s.delete(row)

    def ensure_cohort(self, principal: Principal, name: str, usernames: list[str]) -> int:
        """Create the cohort ``name`` if needed and make the given users members of it."""
        principal.require(Action.MANAGE_COHORTS)
        name = clean_message(name, 120)
        with self._db.session() as s:
            cohort = s.scalar(select(Cohort).where(Cohort.name == name))
            if cohort is None:
                cohort = Cohort(name=name, created_by=principal.user_id)
                s.add(cohort)
                s.flush()
            elif not (
                principal.is_admin
                or (principal.user_id is not None and cohort.created_by == principal.user_id)
                or s.get(CohortMember, (cohort.id, principal.user_id or -1)) is not None
            ):
                # the rule CohortService applies: adding members to someone else's cohort would
                # let a facilitator join it and then manage it and read its cohort-only items
                raise Conflict(f"A cohort called '{name}' already exists.")
            for username in usernames:
                user_id = s.scalar(select(User.id).where(User.username == username))
                if user_id is None:
                    raise NotFound(f"No user {username!r}.")
                if s.get(CohortMember, (cohort.id, user_id)) is None:
                    s.add(CohortMember(cohort_id=cohort.id, user_id=user_id))
            return cohort.id


def _moderated(s: Session, principal: Principal, exchange_id: int) -> LibraryExchange:
    # An item outside the facilitator's cohorts is "not found", exactly like a missing one.
    row = s.scalar(
        select(LibraryExchange).where(
            LibraryExchange.id == exchange_id, moderated_clause(principal)
        )
    )
    if row is None:
        raise NotFound(f"No library item {exchange_id}.")
    return row
