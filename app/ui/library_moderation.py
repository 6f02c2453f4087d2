"""Facilitator tools in the library: flagged items, hide/feature, collections, redaction terms."""

from __future__ import annotations

from typing import Any

import streamlit as st

from app.services.errors import ServiceError
from app.services.library_access import ExchangeView
from app.services.principal import Principal
from app.ui.runtime import plain


def render(services: Any, principal: Principal) -> None:
    """The moderation tab: flags, collections and redaction terms."""
    st.subheader("Flagged")
    queue = services.curation.moderation_queue(principal)
    if not queue:
        st.info("No open flags.")
    for flagged in queue:
        view = flagged.exchange
        with st.container(border=True):
            st.markdown(
                f"**#{view.id}** ({view.status}) — flags: {plain('; '.join(flagged.reasons))}"
            )
            for turn in view.turns:
                st.markdown(f"**{turn.speaker}:** {plain(turn.text)}")
            cols = st.columns(2)
            if cols[0].button("Hide", key=f"mod_hide_{view.id}"):
                _run(lambda v=view: services.curation.set_hidden(principal, v.id, True))
            if cols[1].button("Dismiss flags", key=f"mod_dismiss_{view.id}"):
                _run(lambda v=view: services.curation.dismiss_flags(principal, v.id))
    st.subheader("Collections")
    for coll in services.curation.collections(principal):
        st.markdown(f"**{plain(coll.name)}** — {len(coll.items)} items")
    with st.form("mod_collection", clear_on_submit=True):
        name = st.text_input("New collection name", key="mod_coll_name")
        if st.form_submit_button("Create collection"):
            _run(lambda: services.curation.create_collection(principal, name))
    st.subheader("Redaction terms")
    terms = services.curation.redaction_terms(principal)
    st.caption(plain(", ".join(terms) or "None yet."))
    with st.form("mod_terms", clear_on_submit=True):
        term = st.text_input(
            "Always redact (e.g. a client company's name)",
            key="mod_term",
            help="Applies to new shares and to everything already published.",
        )
        if st.form_submit_button("Add term"):
            _run(lambda: services.curation.add_redaction_term(principal, term))


def item_tools(services: Any, principal: Principal, view: ExchangeView) -> None:
    """Hide, feature and add-to-collection buttons on one item."""
    with st.expander("Facilitator tools"):
        cols = st.columns(2)
        if cols[0].button("Hide from everyone", key="mod_item_hide"):
            _run(lambda: services.curation.set_hidden(principal, view.id, True))
        label = "Unfeature" if view.featured else "Feature"
        if cols[1].button(label, key="mod_item_feature"):
            _run(lambda: services.curation.set_featured(principal, view.id, not view.featured))
        collections = services.curation.collections(principal)
        if collections:
            names = {c.id: c.name for c in collections}
            chosen = st.selectbox(
                "Collection", list(names), format_func=names.__getitem__, key="mod_item_coll"
            )
            if st.button("Add to collection", key="mod_item_add"):
                _run(lambda: services.curation.add_to_collection(principal, chosen, view.id))


def _run(action: Any) -> None:
    try:
        action()
    except ServiceError as exc:
        st.error(str(exc))
        return
    st.rerun()
