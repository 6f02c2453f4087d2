"""CoachLab's Streamlit entry point: page setup, login and the pages each role may use."""

from __future__ import annotations

import streamlit as st

from app.services.principal import Role
from app.ui import account, content_overview, debrief, history, login, practice, users
from app.ui.runtime import current_principal, get_services


def main() -> None:
    """Build the navigation for the current user and run the chosen page."""
    st.set_page_config(page_title="CoachLab", page_icon="🎯", layout="wide")
    services = get_services()
    principal = current_principal(services)
    if principal is None:
        st.navigation([st.Page(login.render, title="Log in", url_path="login")]).run()
        return
    pages = {
        "practice": st.Page(practice.render, title="Practise", url_path="practice", default=True),
        "debrief": st.Page(debrief.render, title="Debrief", url_path="debrief"),
        "history": st.Page(history.render, title="My sessions", url_path="sessions"),
        "content": st.Page(
            content_overview.render, title="Scenarios and rubrics", url_path="content"
        ),
        "users": st.Page(users.render, title="Users", url_path="users"),
        "account": st.Page(account.render, title="Account", url_path="account"),
    }
    st.session_state["pages"] = pages
    sections: dict[str, list[st.Page]] = {}
    if principal.has_role(Role.LEARNER) or principal.is_admin:
        sections["Practice"] = [pages["practice"], pages["debrief"], pages["history"]]
    if principal.has_role(Role.FACILITATOR) or principal.is_admin:
        sections["Facilitate"] = [pages["content"]]
    if principal.is_admin:
        sections["Administer"] = [pages["users"]]
    if not sections:
        pages["account"] = st.Page(
            account.render, title="Account", url_path="account", default=True
        )
    sections["You"] = [pages["account"]]
    st.navigation(sections).run()


main()
