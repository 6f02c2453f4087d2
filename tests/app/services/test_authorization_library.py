"""Authorisation of the library, its reviews and its curation.

The target is an exchange the owner shared with their cohort (Spring): members (the peer, the
facilitator) see it; a learner of another cohort and a facilitator outside Spring never do, by
get, search, more-like-this, exemplars, collections, the review queue, comments, votes or flags.
Only facilitators and administrators moderate and curate; only administrators rebuild the index.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.bootstrap import Services
from app.services.errors import Conflict
from app.services.library import ImportItem, ShareRequest
from app.services.principal import Principal
from tests.app.services.helpers import practise
from tests.app.services.test_authorization import (
    NOT_OWNER,
    Cases,
    Filtered,
    NoPrincipal,
    Open,
    Refused,
    World,
    cast,
    check,
    denied,
    unseen,
)

OUTSIDERS = ("other", "rival")  # not in Spring: a learner and a facilitator of another cohort
MEMBERS = ("owner", "peer", "facilitator")
STAFF_ONLY = denied("owner", "other", "peer")
# a facilitator of another cohort moderates only what they could see: Spring's item is unknown
MODERATORS = STAFF_ONLY | unseen("rival")
MARKER = "Zanzibar"  # a word only the shared notes contain, so search finds the items


@pytest.fixture
def world(services: Services) -> World:
    """The cast; the owner shares to Spring and to everyone; the peer comments and flags."""
    w = cast(services)
    lee, pat, fran = w.who["owner"], w.who["peer"], w.who["facilitator"]
    library = services.library
    w.ids["session"] = session = practise(services, lee)
    for key, visibility in (("item", "cohort"), ("public", "community"), ("doomed", "cohort")):
        request = ShareRequest(
            session, 0, 2, note=f"{MARKER} reflection", visibility=visibility, consent=True
        )
        w.ids[key] = library.share(lee, request).id
    shared = library.get(lee, w["item"])
    w.ids["technique"] = shared.techniques[0]
    w.ids["comment"] = services.reviews.comment(pat, w["item"], "That reflection landed.").id
    services.reviews.flag(pat, w["item"], "names a colleague")
    w.ids["collection"] = services.curation.create_collection(fran, "Good reflections")
    services.curation.add_to_collection(fran, w["collection"], w["item"])
    w.ids["criterion"] = services.reviews.criteria()[0].id
    return w


def _has(key: str) -> Any:
    """A ``reveals`` predicate: the result lists the world's item ``key``."""
    return lambda w, views: any(v.id == w[key] for v in views)


def _import(w: World, p: Principal) -> list[int]:
    item = ImportItem("What would help most?", "Saying no.", visibility="community")
    return w.s.library.import_exchanges(p, [item])


def _mark_read(w: World, p: Principal) -> None:
    """Marking one's notifications read leaves the owner's unread ones alone."""
    owner = w.who["owner"]
    unread = len(w.s.reviews.notifications(owner, unread_only=True))
    w.s.reviews.mark_read(p)
    if p != owner:
        assert len(w.s.reviews.notifications(owner, unread_only=True)) == unread


def _hide_and_restore(w: World, p: Principal) -> None:
    w.s.curation.set_hidden(p, w["item"], True)
    w.s.curation.set_hidden(p, w["item"], False)  # later cases still need the item


def _remove_and_put_back(w: World, p: Principal) -> None:
    w.s.curation.remove_from_collection(p, w["collection"], w["item"])
    w.s.curation.add_to_collection(p, w["collection"], w["item"])


def _ensure_spring(w: World, p: Principal) -> int:
    return w.s.curation.ensure_cohort(p, "Spring", [p.username])


CASES: Cases = {
    # -- sharing and reading -----------------------------------------------------------------
    "library.preview": Refused(
        lambda w, p: w.s.library.preview(p, w["session"], 0, 2),
        unseen("other", "admin") | denied("peer", "facilitator", "rival"),
        allowed=("owner",),
    ),
    "library.share": Refused(
        lambda w, p: w.s.library.share(
            p, ShareRequest(w["session"], 1, 2, visibility="community", consent=True)
        ),
        unseen("other", "admin") | denied("peer", "facilitator", "rival"),
        allowed=("owner",),
    ),
    "library.import_exchanges": Refused(
        _import, denied("peer", "facilitator", "rival"), allowed=("owner",)
    ),
    "library.unpublish": Refused(
        lambda w, p: w.s.library.unpublish(p, w["doomed"]),
        unseen(*NOT_OWNER),
        allowed=("owner",),
    ),
    "library.get": Refused(
        lambda w, p: w.s.library.get(p, w["item"]),
        unseen(*OUTSIDERS),
        allowed=(*MEMBERS, "admin"),
    ),
    "library.my_shares": Filtered(
        lambda w, p: w.s.library.my_shares(p),
        _has("item"),
        hidden_from=(*NOT_OWNER, "admin"),
        shown_to=("owner",),
    ),
    "library.search": Filtered(
        lambda w, p: w.s.library.search(p, f"{MARKER} reflection"),
        _has("item"),
        hidden_from=OUTSIDERS,
        shown_to=(*MEMBERS, "admin"),
    ),
    "library.more_like_this": (
        Refused(
            lambda w, p: w.s.library.more_like_this(p, w["item"]),
            unseen(*OUTSIDERS),
            allowed=MEMBERS,
        ),
        Filtered(  # from an item everyone sees, to the cohort item that is just like it
            lambda w, p: w.s.library.more_like_this(p, w["public"]),
            _has("item"),
            hidden_from=OUTSIDERS,
            shown_to=MEMBERS,
        ),
    ),
    "library.exemplars": Filtered(
        lambda w, p: w.s.library.exemplars(p, w["technique"], limit=20),
        _has("item"),
        hidden_from=OUTSIDERS,
        shown_to=MEMBERS,
    ),
    "library.reindex": Refused(
        lambda w, p: w.s.library.reindex(p),
        denied("owner", "other", "peer", "facilitator"),
        allowed=("admin",),
    ),
    "library.forget": NoPrincipal(
        "internal: practice.delete calls it after its ownership check, with the ids of rows it "
        "has just deleted; it only drops them from the search index and returns nothing"
    ),
    "library.reindex_items": NoPrincipal(
        "internal: curation calls it after its own check, with ids whose text it just redacted; "
        "it only re-reads those items into the search index and returns nothing"
    ),
    "library.refresh_stats": NoPrincipal(
        "internal: reviews and curation call it after their own checks; it only re-reads an "
        "item's counts into the search index and returns nothing"
    ),
    # -- reviews -----------------------------------------------------------------------------
    "reviews.detail": Refused(
        lambda w, p: w.s.reviews.detail(p, w["item"]), unseen(*OUTSIDERS), allowed=MEMBERS
    ),
    "reviews.comment": Refused(
        lambda w, p: w.s.reviews.comment(p, w["item"], "Me too.", parent_id=w["comment"]),
        unseen(*OUTSIDERS),
        allowed=("peer", "owner"),
    ),
    "reviews.toggle_helpful": Refused(
        lambda w, p: w.s.reviews.toggle_helpful(p, w["item"]),
        unseen(*OUTSIDERS),
        allowed=("peer",),
    ),
    "reviews.criteria": NoPrincipal(
        "the review rubric's criterion names and level descriptors: built-in reference text"
    ),
    "reviews.rate": Refused(
        lambda w, p: w.s.reviews.rate(p, w["item"], {w["criterion"]: 4}),
        denied("owner", "other") | unseen("rival"),
        allowed=("peer",),
    ),
    "reviews.queue": (
        Refused(lambda w, p: w.s.reviews.queue(p), denied("owner", "other"), allowed=("peer",)),
        Filtered(  # the facilitator, because the peer rates the item (and leaves the queue)
            lambda w, p: w.s.reviews.queue(p),
            _has("item"),
            hidden_from=("rival",),
            shown_to=("facilitator",),
        ),
    ),
    "reviews.notifications": Filtered(
        lambda w, p: w.s.reviews.notifications(p),
        lambda w, notes: any(n.exchange_id == w["item"] for n in notes),
        hidden_from=(*NOT_OWNER, "admin"),
        shown_to=("owner",),
    ),
    "reviews.mark_read": Open(
        "every user reads their own notifications; the call marks only the caller's",
        _mark_read,
    ),
    "reviews.flag": Refused(
        lambda w, p: w.s.reviews.flag(p, w["item"], "needs a look"),
        unseen(*OUTSIDERS),
        allowed=("peer", "owner"),
    ),
    # -- moderation and curation -------------------------------------------------------------
    "curation.moderation_queue": (
        Refused(
            lambda w, p: w.s.curation.moderation_queue(p), STAFF_ONLY, allowed=("facilitator",)
        ),
        Filtered(
            lambda w, p: w.s.curation.moderation_queue(p),
            lambda w, queue: any(f.exchange.id == w["item"] for f in queue),
            hidden_from=("rival",),
            shown_to=("facilitator", "admin"),
        ),
    ),
    "curation.set_hidden": Refused(_hide_and_restore, MODERATORS, allowed=("facilitator",)),
    "curation.dismiss_flags": Refused(
        lambda w, p: w.s.curation.dismiss_flags(p, w["item"]), MODERATORS, allowed=("facilitator",)
    ),
    "curation.set_featured": Refused(
        lambda w, p: w.s.curation.set_featured(p, w["item"], True),
        MODERATORS,
        allowed=("facilitator",),
    ),
    "curation.create_collection": Refused(
        lambda w, p: w.s.curation.create_collection(p, f"Picked by {p.username}"),
        STAFF_ONLY,
        allowed=("facilitator", "admin"),
    ),
    "curation.add_to_collection": Refused(
        lambda w, p: w.s.curation.add_to_collection(p, w["collection"], w["public"]),
        STAFF_ONLY,
        allowed=("facilitator",),
    ),
    "curation.remove_from_collection": Refused(
        _remove_and_put_back, MODERATORS, allowed=("facilitator",)
    ),
    "curation.collections": Filtered(
        lambda w, p: w.s.curation.collections(p),
        lambda w, colls: any(v.id == w["item"] for c in colls for v in c.items),
        hidden_from=OUTSIDERS,
        shown_to=(*MEMBERS, "admin"),
    ),
    "curation.redaction_terms": Refused(
        lambda w, p: w.s.curation.redaction_terms(p), STAFF_ONLY, allowed=("facilitator",)
    ),
    "curation.add_redaction_term": Refused(
        lambda w, p: w.s.curation.add_redaction_term(p, "Initech"),
        STAFF_ONLY,
        allowed=("facilitator",),
    ),
    "curation.remove_redaction_term": Refused(
        lambda w, p: w.s.curation.remove_redaction_term(p, "Initech"),
        STAFF_ONLY,
        allowed=("facilitator",),
    ),
    "curation.ensure_cohort": Refused(
        # joining Spring by name would make the rival a member: able to manage it and to read
        # its cohort-only items (the hole this case was written for)
        _ensure_spring,
        STAFF_ONLY | {"rival": Conflict},
        allowed=("facilitator", "admin"),
    ),
}


def test_library_methods_respect_visibility_and_roles(world: World) -> None:
    check(world, CASES)
