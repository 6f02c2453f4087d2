"""My sessions: every past practice session with its score."""

from __future__ import annotations

import streamlit as st

from app.ui.runtime import current_principal, get_services, keep_params, plain


def render() -> None:
    """List the learner's sessions; open a debrief or resume a conversation."""
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    st.title("My sessions")
    sessions = services.practice.list_sessions(principal)
    if not sessions:
        st.info("No sessions yet: start one on the Practise page.")
        return
    for item in sessions:
        cols = st.columns([3, 1, 1, 1])
        cols[0].markdown(f"**{plain(item.scenario_title)}**  \n{item.started_at:%Y-%m-%d %H:%M}")
        cols[1].write(f"{item.turns} turns")
        cols[2].write("—" if item.overall is None else f"{round(item.overall)} / 100")
        if item.status == "ended":
            if cols[3].button("Debrief", key=f"debrief-{item.id}"):
                st.session_state["debrief_session"] = item.id
                keep_params(debrief=item.id)
                st.switch_page(st.session_state["pages"]["debrief"])
        elif cols[3].button("Resume", key=f"resume-{item.id}"):
            keep_params(session=item.id)
            st.switch_page(st.session_state["pages"]["practice"])
