"""Users page for administrators."""

from __future__ import annotations

import streamlit as st

from app.services.errors import ServiceError
from app.services.principal import Role
from app.ui.runtime import current_principal, get_services, plain


def render() -> None:
    """List users, add new ones, deactivate or reactivate them."""
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    st.title("Users")
    for user in services.accounts.list_users(principal):
        left, right = st.columns([4, 1])
        state = "" if user.active else " — *deactivated*"
        left.markdown(
            f"- `{user.username}` {plain(user.display_name)} — {', '.join(user.roles)}{state}"
        )
        if user.id != principal.user_id:
            label = "Deactivate" if user.active else "Reactivate"
            if right.button(label, key=f"active-{user.id}"):
                try:
                    services.accounts.set_active(principal, user.username, not user.active)
                except ServiceError as exc:
                    st.error(str(exc))
                else:
                    st.rerun()
    with st.form("add-user", clear_on_submit=True):
        username = st.text_input("Username", max_chars=64)
        password = st.text_input("Initial password", type="password", max_chars=256)
        roles = st.multiselect("Roles", [r.value for r in Role], default=["learner"])
        if st.form_submit_button("Add user"):
            try:
                services.accounts.create_user(
                    principal, username, password, {Role(r) for r in roles}
                )
            except ServiceError as exc:
                st.error(str(exc))
            else:
                # rerun so the list above shows the new user
                st.session_state["users_flash"] = f"Added {username}."
                st.rerun()
    if flash := st.session_state.pop("users_flash", None):
        st.success(plain(flash))
