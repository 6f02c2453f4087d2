"""Share panel for a debrief: choose turns, note, visibility and name, preview redaction, consent.

The preview is the service's own redaction of the current choices, so what the learner sees is
exactly what ``share`` publishes; publishing is disabled until the consent box is ticked.
"""

from __future__ import annotations

import streamlit as st

from app.services.errors import ServiceError
from app.services.library import ShareRequest
from app.ui.runtime import current_principal, get_services, plain

VISIBILITY = {"cohort": "My cohort", "community": "The whole community"}


def render_share_panel(session_id: int) -> None:
    """Render the share controls for one of the learner's sessions."""
    services = get_services()
    principal = current_principal(services)
    if principal is None:
        return
    key = f"share_{session_id}"
    st.subheader("Share to the community library")
    try:
        session = services.practice.get(principal, session_id)
    except ServiceError as exc:
        st.error(str(exc))
        return
    positions = [t.position for t in session.turns]
    labels = {t.position: f"{t.position}: {t.speaker} — {t.text[:40]}" for t in session.turns}
    whole = st.checkbox("The whole transcript (for peer review)", key=f"{key}_whole")
    if whole or len(positions) < 2:
        first, last = positions[0], positions[-1]
    else:
        default = (max(positions[0], positions[-1] - 1), positions[-1])
        first, last = st.select_slider(
            "Consecutive turns to share",
            options=positions,
            value=default,
            format_func=labels.__getitem__,
            key=f"{key}_range",
        )
    note = st.text_area("Why it worked, or what to discuss", key=f"{key}_note", max_chars=1000)
    visibility = st.radio(
        "Who can see it",
        list(VISIBILITY),
        format_func=VISIBILITY.__getitem__,
        horizontal=True,
        key=f"{key}_visibility",
    )
    show_name = st.checkbox("Show my name (otherwise: Anonymous)", key=f"{key}_name")
    try:
        preview = services.library.preview(principal, session_id, first, last, note)
    except ServiceError as exc:
        st.warning(str(exc))
        return
    with st.container(border=True):
        st.caption("Preview — exactly what will be published")
        for turn in preview.turns:
            who = "Coach" if turn.speaker == "coach" else "Client"
            st.markdown(f"**{who}:** {plain(turn.text)}")
        if preview.note:
            st.markdown(f"*Note:* {plain(preview.note)}")
        if preview.redactions:
            removed = ", ".join(f"{r.kind} “{r.original}”" for r in preview.redactions)
            st.caption(plain(f"Redacted: {removed}"))
        else:
            st.caption("Nothing needed redacting.")
    consent = st.checkbox(
        "I agree to publish this preview; I can unpublish it at any time.", key=f"{key}_consent"
    )
    if st.button("Publish", key=f"{key}_publish", disabled=not consent, type="primary"):
        request = ShareRequest(
            session_id,
            first,
            last,
            note=note,
            visibility=visibility,  # type: ignore[arg-type]
            show_name=show_name,
            consent=consent,
        )
        try:
            item = services.library.share(principal, request)
        except ServiceError as exc:
            st.error(str(exc))
        else:
            st.success(f"Published as library item #{item.id}. You can unpublish it any time.")
