"""Account page: who you are, your roles, log out."""

from __future__ import annotations

import streamlit as st

from app.ui.runtime import current_principal, get_services, log_out, plain

ROLE_TEXT = {
    "learner": "practise scenarios, see your feedback and progress, share exchanges",
    "peer": "read the community library and review what others share",
    "facilitator": "write scenarios and rubrics, calibrate scoring, run cohorts",
    "admin": "manage users and everything else",
}


def render() -> None:
    """Show the account and a log-out button."""
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    st.title("Account")
    st.markdown(f"**{plain(principal.display_name)}** (`{principal.username}`)")
    for role in sorted(principal.roles):
        st.markdown(f"- **{role.value}**: {ROLE_TEXT[role.value]}")
    if st.button("Log out", key="logout"):
        log_out(services)
        st.rerun()
