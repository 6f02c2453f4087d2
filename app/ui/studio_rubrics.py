"""Rubric studio: criteria, weights, level descriptors and measures in a YAML editor with live
issues, a try-out on sample transcripts or learners' sessions, version history, export
and import."""

from __future__ import annotations

import streamlit as st

from app.services.errors import ServiceError
from app.ui.runtime import current_principal, get_services, plain
from app.ui.studio_common import (
    choose_draft,
    history_and_export,
    import_file,
    save_button,
    show_issues,
    show_scorecard,
    yaml_key,
)


def render() -> None:
    """The rubric editor, its try-out panel, version history and import."""
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    studio = services.authoring
    st.title("Rubric studio")
    cards = {c.id: c for c in services.content.list_rubrics()}
    choice = choose_draft(
        "rubric",
        {i: f"{c.name} (v{c.version})" for i, c in cards.items()},
        lambda: studio.starter("rubric"),
        lambda i: studio.rubric_yaml(principal, i),
    )
    st.caption(
        "Each criterion has an id, a name, a weight (above 0, up to 100), descriptors for levels "
        "1 to 5 and a measure (a metric with four cut points, a combination, or an LLM judge). "
        "See docs/rubrics.md for the metrics."
    )
    edit, side = st.columns([3, 2])
    with edit:
        text = st.text_area("Rubric YAML", key=yaml_key("rubric"), height=420)
        issues = studio.check_rubric(principal, text)
        show_issues(issues)
        save_button("rubric", text, issues, lambda t: studio.save_rubric(principal, t))
    with side:
        _try_out(text, ready=not issues)
    if choice is not None:
        history = studio.rubric_history(principal, choice)
        yaml_text = studio.rubric_yaml(principal, choice)
        history_and_export("rubric", choice, history, "scorecards", yaml_text)
    import_file("rubric", lambda t, f: studio.save_rubric(principal, t, file=f, next_version=False))


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
