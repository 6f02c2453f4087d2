"""Rubric studio: criteria, weights, level descriptors and measures in a YAML editor with live
issues, a try-out on sample transcripts or learners' sessions, and version history."""

from __future__ import annotations

import streamlit as st

from app.services.errors import ServiceError
from app.ui.runtime import current_principal, get_services, plain
from app.ui.studio_common import show_issues, show_scorecard
from rubrics.yaml_source import ContentError

NEW = "(new rubric)"
TEXT = "studio_rubric_yaml"


def render() -> None:
    """The rubric editor and its try-out panel."""
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    studio = services.authoring
    st.title("Rubric studio")
    cards = {c.id: c for c in services.content.list_rubrics()}
    if pending := st.session_state.pop("rubric_pending", None):  # set before the widgets exist
        st.session_state["studio-rubric"] = pending
        st.session_state["studio_rubric_loaded"] = None
    choice = st.selectbox(
        "Rubric",
        [NEW, *cards],
        format_func=lambda i: i if i == NEW else f"{cards[i].name} (v{cards[i].version})",
        key="studio-rubric",
    )
    if st.session_state.get("studio_rubric_loaded") != choice:
        st.session_state[TEXT] = (
            studio.starter("rubric") if choice == NEW else studio.rubric_yaml(principal, choice)
        )
        st.session_state["studio_rubric_loaded"] = choice
    st.caption(
        "Each criterion has an id, a name, a weight (above 0, up to 100), descriptors for levels "
        "1 to 5 and a measure (a metric with four cut points, a combination, or an LLM judge). "
        "See docs/rubrics.md for the metrics."
    )
    edit, side = st.columns([3, 2])
    with edit:
        text = st.text_area("Rubric YAML", key=TEXT, height=420)
        issues = studio.check_rubric(principal, text)
        show_issues(issues)
        if st.button("Save new version", key="save-rubric", disabled=bool(issues)):
            try:
                rubric_id, version = studio.save_rubric(principal, text)
            except (ServiceError, ContentError) as exc:
                st.error(plain(str(exc)))
            else:
                st.session_state["rubric_pending"] = rubric_id
                st.session_state["rubric_flash"] = f"Saved {rubric_id} version {version}."
                st.rerun()
        if flash := st.session_state.pop("rubric_flash", None):
            st.success(plain(flash))
    with side:
        _try_out(text, ready=not issues)
    if choice != NEW:
        st.subheader("Version history")
        st.dataframe(
            [
                {"version": h.version, "saved": h.created_at, "by": h.author, "scorecards": h.uses}
                for h in studio.rubric_history(principal, choice)
            ],
            hide_index=True,
        )
        st.download_button(
            "Export YAML",
            studio.rubric_yaml(principal, choice),
            file_name=f"{choice}.yaml",
            mime="text/yaml",
            key="export-rubric",
        )


def _try_out(text: str, *, ready: bool) -> None:
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    st.subheader("Try it on a transcript")
    source = st.radio(
        "Sample", ["A transcript", "A learner's session"], horizontal=True, key="try-source"
    )
    transcript: str | None = None
    session_id: int | None = None
    if source == "A transcript":
        upload = st.file_uploader("Transcript file", type=["vtt", "txt", "json"], key="try-file")
        pasted = st.text_area("…or paste one (Coach: … / Client: … lines)", key="try-text")
        transcript = upload.getvalue().decode("utf-8", "replace") if upload else pasted
    else:
        sessions = services.authoring.sample_sessions(principal)
        if not sessions:
            st.caption("No ended sessions from learners in your cohorts yet.")
        else:
            labels = {s.id: f"#{s.id} {s.learner} · {s.scenario_id}" for s in sessions}
            session_id = st.selectbox(
                "Session", list(labels), format_func=labels.__getitem__, key="try-session"
            )
    if st.button("Try rubric", key="try-rubric", disabled=not ready):
        try:
            card = services.authoring.try_rubric(
                principal, text, transcript=transcript, session_id=session_id
            )
        except ServiceError as exc:
            st.error(plain(str(exc)))
        else:
            show_scorecard(card)
