"""Login page."""

from __future__ import annotations

import streamlit as st

from app.services.errors import AuthenticationFailed
from app.ui.runtime import get_services, log_in


def render() -> None:
    """Show the login form and log the user in."""
    services = get_services()
    st.title("CoachLab")
    st.caption("Practise coaching conversations, get feedback on your own words.")
    with st.form("login"):
        username = st.text_input("Username", max_chars=64)
        password = st.text_input("Password", type="password", max_chars=256)
        submitted = st.form_submit_button("Log in", type="primary")
    if submitted:
        try:
            principal = services.accounts.authenticate(username, password)
        except AuthenticationFailed as exc:
            st.error(str(exc))
            return
        log_in(services, principal)
        st.rerun()
