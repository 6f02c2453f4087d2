"""Real sessions page: upload a coaching transcript (with the coachee's consent) and score it."""

from __future__ import annotations

import streamlit as st

from app.services.errors import ServiceError
from app.ui.runtime import current_principal, get_services, plain
from app.ui.studio_common import show_scorecard


def render() -> None:
    """Upload, score, list and delete transcripts of real sessions."""
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    st.title("Real sessions")
    st.caption("WebVTT, 'Coach: … / Client: …' text or JSON. Only you can see your uploads.")
    title = st.text_input("Title", key="upload-title")
    upload = st.file_uploader("Transcript file", type=["vtt", "txt", "json"], key="upload-file")
    pasted = st.text_area("…or paste the transcript", key="upload-text")
    coach = st.text_input("Coach's name in the file (if not 'Coach')", key="upload-coach")
    rubrics = [c.id for c in services.content.list_rubrics()]
    rubric_id = st.selectbox("Score with", rubrics, key="upload-rubric")
    consent = st.checkbox(
        "The coachee agreed to this conversation being stored and scored here.",
        key="upload-consent",
    )
    if st.button("Upload and score", key="upload"):
        text = upload.getvalue().decode("utf-8", "replace") if upload else pasted
        try:
            services.uploads.upload(
                principal,
                title,
                text,
                consent_confirmed=consent,
                rubric_id=rubric_id,
                coach_name=coach.strip() or None,
            )
        except ServiceError as exc:
            st.error(plain(str(exc)))
        else:
            st.success("Scored and saved.")
    for item in services.uploads.list_uploads(principal):
        overall = "not scored" if item.overall is None else f"{item.overall:.0f}/100"
        with st.expander(f"{plain(item.title)} · {overall}"):
            view = services.uploads.get(principal, item.id)
            if view.scorecard:
                show_scorecard(view.scorecard)
            if st.button("Delete", key=f"delete-upload-{item.id}"):
                services.uploads.delete(principal, item.id)
                st.rerun()
