"""Glue between Streamlit and the services: cached container, login state and safe text.

``st.session_state`` holds plain values only (the principal, ids); the services container is cached
with ``st.cache_resource`` keyed by the settings, so tests with different settings never share one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import streamlit as st

from app.bootstrap import Services, build_services
from app.services.errors import NotFound
from app.services.principal import Principal
from app.settings import Settings, settings_from_mapping
from retrieval.embedder import EmbedderUnavailable

AUTH_PARAM = "auth"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def _secrets() -> Mapping[str, Any]:
    try:
        return dict(st.secrets)
    except Exception:  # no secrets file is the normal offline case
        return {}


@st.cache_resource(show_spinner="Starting CoachLab…")
def _services_for(settings_json: str) -> Services:
    settings = Settings.from_portable_json(settings_json)
    services = build_services(settings)
    services.prepare()
    return services


def get_services() -> Services:
    """The services for the current configuration (built once per configuration).

    A configured engine that cannot run here (``EmbedderUnavailable``: a missing model package,
    an int8 embedder this CPU cannot run faithfully) stops the app with its one-line reason.
    """
    settings = settings_from_mapping(_secrets())
    try:
        return _services_for(settings.to_portable_json())
    except EmbedderUnavailable as exc:
        st.error(f"CoachLab cannot start with this configuration: {exc}")
        st.stop()
        raise  # st.stop() raises; this line only tells type checkers the function ends here


def plain(text: str) -> str:
    """Escape Markdown so user-written text renders literally (never as HTML or links)."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")


def current_principal(services: Services) -> Principal | None:
    """The logged-in principal, restored from the URL's login token after a reload.

    Re-read from the database on every run (one primary-key lookup), so a deactivated user is
    out at their next click and role changes apply at once.
    """
    principal = st.session_state.get("principal")
    if principal is not None:
        if principal.user_id is None:
            return principal
        try:
            fresh = services.accounts.principal_for(principal.user_id)
        except NotFound:
            log_out(services)
            return None
        st.session_state["principal"] = fresh
        return fresh
    token = st.query_params.get(AUTH_PARAM)
    if token:
        principal = services.accounts.principal_from_token(token)
        if principal is not None:
            st.session_state["principal"] = principal
            st.session_state["auth_token"] = token
            return principal
        del st.query_params[AUTH_PARAM]
    return None


def log_in(services: Services, principal: Principal) -> None:
    """Remember a successful login in this browser tab (survives reloads)."""
    token = services.accounts.issue_token(principal)
    st.session_state["principal"] = principal
    st.session_state["auth_token"] = token
    st.query_params[AUTH_PARAM] = token


def log_out(services: Services) -> None:
    """Forget the login here and on the server."""
    token = st.session_state.get("auth_token")
    if token:
        services.accounts.revoke_token(token)
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.query_params.clear()


def keep_params(**params: str | int | None) -> None:
    """Set page URL parameters while keeping the login token."""
    for key, value in params.items():
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
        else:
            st.query_params[key] = str(value)
