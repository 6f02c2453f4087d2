"""CoachLab's Streamlit entry point: page setup, login and the pages each role may use."""

from __future__ import annotations

import streamlit as st

from app.services.principal import Action, Role
from app.ui import (
    account,
    calibration,
    cohorts,
    content_overview,
    debrief,
    history,
    library,
    login,
    practice,
    progress,
    studio_rubrics,
    studio_scenarios,
    uploads,
    users,
)
from app.ui.runtime import current_principal, get_services


def main() -> None:
    """Build the navigation for the current user and run the chosen page."""
    st.set_page_config(page_title="CoachLab", page_icon="🎯", layout="wide")
    services = get_services()
    principal = current_principal(services)
    if principal is None:
        st.navigation([st.Page(login.render, title="Log in", url_path="login")]).run()
        return
    peer = principal.has_role(Role.PEER)  # a peer lands in the library, everyone else practises
    pages = {
        "practice": st.Page(
            practice.render, title="Practise", url_path="practice", default=not peer
        ),
        "library": st.Page(library.render, title="Library", url_path="library", default=peer),
        "debrief": st.Page(debrief.render, title="Debrief", url_path="debrief"),
        "history": st.Page(history.render, title="My sessions", url_path="sessions"),
        "progress": st.Page(progress.render, title="Progress", url_path="progress"),
        "content": st.Page(
            content_overview.render, title="Scenarios and rubrics", url_path="content"
        ),
        "studio_scenarios": st.Page(
            studio_scenarios.render, title="Scenario studio", url_path="studio-scenarios"
        ),
        "studio_rubrics": st.Page(
            studio_rubrics.render, title="Rubric studio", url_path="studio-rubrics"
        ),
        "calibration": st.Page(calibration.render, title="Calibration", url_path="calibration"),
        "cohorts": st.Page(cohorts.render, title="Cohorts", url_path="cohorts"),
        "uploads": st.Page(uploads.render, title="Real sessions", url_path="real-sessions"),
        "users": st.Page(users.render, title="Users", url_path="users"),
        "account": st.Page(account.render, title="Account", url_path="account"),
    }
    st.session_state["pages"] = pages
    sections: dict[str, list[st.Page]] = {}
    if principal.has_role(Role.LEARNER) or principal.is_admin:
        sections["Practice"] = [
            pages["practice"],
            pages["debrief"],
            pages["history"],
            pages["progress"],
        ]
    if principal.has_role(Role.FACILITATOR) or principal.is_admin:
        sections["Facilitate"] = [
            pages["content"],
            pages["studio_scenarios"],
            pages["studio_rubrics"],
            pages["calibration"],
            pages["cohorts"],
            pages["uploads"],
        ]
    if principal.can(Action.VIEW_LIBRARY):
        sections["Community"] = [pages["library"]]
    if principal.is_admin:
        sections["Administer"] = [pages["users"]]
    if not sections:
        pages["account"] = st.Page(
            account.render, title="Account", url_path="account", default=True
        )
    sections["You"] = [pages["account"]]
    st.navigation(sections).run()


main()
