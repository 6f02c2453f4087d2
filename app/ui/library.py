"""Community library page: search, an item with comments/votes/ratings, review queue,
notifications, the learner's own shares and (for facilitators) moderation.

Thin: each block reads widgets, calls one service method and renders the result; every piece of
user-written text goes through ``plain()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from app.services.errors import ServiceError
from app.services.library_access import ExchangeView
from app.services.principal import Action, Principal
from app.ui import library_moderation
from app.ui.runtime import current_principal, get_services, keep_params, plain
from rubrics.labels import TECHNIQUE_NAMES, TECHNIQUES

ITEM_PARAM = "item"
SORTS = {"relevance": "Relevance", "helpful": "Most helpful", "newest": "Newest"}
CONTEXTS = ("manager_report", "mentor_mentee", "peer", "external_coach")


def render() -> None:
    """The library page."""
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    st.title("Community library")
    raw = st.query_params.get(ITEM_PARAM)
    if raw and str(raw).isdigit():
        _item(services, principal, int(raw))
        return
    unread = len(services.reviews.notifications(principal, unread_only=True))
    names = ["Search", "Review queue", f"Notifications ({unread})", "My shares"]
    if principal.can(Action.MANAGE_COHORTS):
        names.append("Moderation")
    tabs = st.tabs(names)
    with tabs[0]:
        _search(services, principal)
    with tabs[1]:
        _queue(services, principal)
    with tabs[2]:
        _notifications(services, principal)
    with tabs[3]:
        _mine(services, principal)
    if len(tabs) > 4:
        with tabs[4]:
            library_moderation.render(services, principal)


def _search(services: Any, principal: Principal) -> None:
    query = st.text_input("Search by meaning or exact words (quote a phrase)", key="lib_query")
    cols = st.columns(4)
    technique = cols[0].selectbox(
        "Technique",
        ["any", *TECHNIQUES],
        format_func=lambda t: TECHNIQUE_NAMES.get(t, t),
        key="lib_technique",
    )
    context = cols[1].selectbox("Context", ["any", *CONTEXTS], key="lib_context")
    min_rating = cols[2].slider("Minimum rating", 0.0, 5.0, 0.0, 0.5, key="lib_rating")
    sort = cols[3].selectbox("Sort", list(SORTS), format_func=SORTS.__getitem__, key="lib_sort")
    scenario = st.text_input("Scenario id (optional)", key="lib_scenario").strip() or None
    try:
        results = services.library.search(
            principal,
            query,
            technique=None if technique == "any" else technique,
            context=None if context == "any" else context,
            scenario=scenario,
            min_rating=min_rating or None,
            sort=sort,
            limit=20,
        )
    except ServiceError as exc:
        st.error(str(exc))
        return
    if not results:
        st.info("Nothing found. Try other words, or fewer filters.")
    for view in results:
        _card(view, "search")


def _card(view: ExchangeView, where: str) -> None:
    with st.container(border=True):
        tags = _named(view.techniques) or "no technique detected"
        star = ":material/star: Featured · " if view.featured else ""
        rating = f" · rated {view.rating:.1f}" if view.rating is not None else ""
        st.markdown(
            f"{star}**#{view.id}** · {plain(view.author)} · {plain(tags)} · "
            f"{_count(view.helpful, 'helpful vote')}{rating} · {_count(view.comments, 'comment')}"
        )
        _turns(view)
        if st.button("Open", key=f"open_{where}_{view.id}"):
            keep_params(item=view.id)
            st.rerun()


def _turns(view: ExchangeView) -> None:
    for turn in view.turns:
        who = "Coach" if turn.speaker == "coach" else "Client"
        st.markdown(f"**{who}:** {plain(turn.text)}")
    if view.note:
        st.caption(plain(view.note))


def _item(services: Any, principal: Principal, exchange_id: int) -> None:
    if st.button("← Back to the library", key="lib_back"):
        keep_params(item=None)
        st.rerun()
    try:
        detail = services.reviews.detail(principal, exchange_id)
    except ServiceError as exc:
        st.error(str(exc))
        return
    view = detail.exchange
    what = "Whole transcript" if view.kind == "transcript" else "Exchange"
    st.subheader(f"{what} #{view.id} by {plain(view.author)}")
    st.caption(plain(f"Techniques: {_named(view.techniques) or 'none detected'}"))
    _turns(view)
    cols = st.columns(3)
    cols[0].metric("Helpful", view.helpful)
    cols[1].metric("Rating", "—" if view.rating is None else f"{view.rating:.1f} / 5")
    cols[2].metric("Comments", view.comments)
    if not view.is_mine:
        label = "Take back helpful vote" if detail.voted else ":material/thumb_up: Helpful"
        if st.button(label, key="lib_vote"):
            _act(lambda: services.reviews.toggle_helpful(principal, exchange_id))
    _comments(services, principal, detail)
    if principal.can(Action.REVIEW) and not view.is_mine:
        _rating_form(services, principal, detail)
    with st.expander("Flag for a facilitator"):
        reason = st.text_input("What is wrong?", key="lib_flag_reason")
        if st.button("Flag", key="lib_flag"):
            _act(lambda: services.reviews.flag(principal, exchange_id, reason), "Flagged.")
    if principal.can(Action.MANAGE_COHORTS):
        library_moderation.item_tools(services, principal, view)
    st.subheader("More like this")
    for other in services.library.more_like_this(principal, exchange_id, 3):
        _card(other, "similar")


def _comments(services: Any, principal: Principal, detail: Any) -> None:
    st.subheader("Comments")
    for comment in detail.comments:
        indent = "↳ " * comment.depth
        st.markdown(f"{indent}**{plain(comment.author)}:** {plain(comment.body)}")
    options = [None, *[c.id for c in detail.comments]]
    bodies = {c.id: c.body[:50] for c in detail.comments}
    with st.form("lib_comment_form", clear_on_submit=True):
        body = st.text_area("Add a comment", key="lib_comment")
        parent = st.selectbox(
            "In reply to",
            options,
            key="lib_parent",
            format_func=lambda c: "— the exchange —" if c is None else f"#{c}: {bodies[c]}",
        )
        if st.form_submit_button("Post comment"):
            _act(lambda: services.reviews.comment(principal, detail.exchange.id, body, parent))


def _rating_form(services: Any, principal: Principal, detail: Any) -> None:
    st.subheader("Rate with the rubric")
    mine = detail.my_rating or {}
    with st.form("lib_rating_form"):
        levels = {
            c.id: st.select_slider(
                c.name, options=[1, 2, 3, 4, 5], value=mine.get(c.id, 3), key=f"lib_level_{c.id}"
            )
            for c in detail.criteria
        }
        if st.form_submit_button("Save rating"):
            _act(lambda: services.reviews.rate(principal, detail.exchange.id, levels), "Saved.")


def _queue(services: Any, principal: Principal) -> None:
    if not principal.can(Action.REVIEW):
        st.info("Peers and facilitators review shared exchanges.")
        return
    items = services.reviews.queue(principal)
    if not items:
        st.info("Nothing is waiting for your review.")
    for view in items:
        _card(view, "queue")


def _notifications(services: Any, principal: Principal) -> None:
    notes = services.reviews.notifications(principal)
    if not notes:
        st.info("No notifications yet.")
        return
    if st.button("Mark all read", key="lib_mark_read"):
        _act(lambda: services.reviews.mark_read(principal))
    for note in notes:
        mark = "" if note.read else "🔵 "
        st.markdown(f"{mark}{plain(note.text)}")
        if note.exchange_id and st.button("Open", key=f"open_note_{note.id}"):
            keep_params(item=note.exchange_id)
            st.rerun()


def _mine(services: Any, principal: Principal) -> None:
    mine = services.library.my_shares(principal)
    if not mine:
        st.info("Share an exchange from a debrief and it will appear here.")
    for view in mine:
        with st.container(border=True):
            helpful = _count(view.helpful, "helpful vote")
            st.markdown(f"**#{view.id}** · {view.visibility} · {view.status} · {helpful}")
            _turns(view)
            if st.button("Unpublish", key=f"unpublish_{view.id}"):
                _act(lambda v=view: services.library.unpublish(principal, v.id), "Unpublished.")


def _act(action: Any, success: str | None = None) -> None:
    try:
        action()
    except ServiceError as exc:
        st.error(str(exc))
        return
    if success:
        st.toast(success)
    st.rerun()


def _count(n: int, noun: str) -> str:
    """``1 comment``, ``3 comments``: counts in words, which every font can show."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _named(techniques: Sequence[str]) -> str:
    return ", ".join(TECHNIQUE_NAMES.get(t, t) for t in techniques)
