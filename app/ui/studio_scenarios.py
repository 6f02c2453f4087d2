"""Scenario studio: common fields, YAML editor with live issues, brief preview, test drive,
version history, publish and unpublish, import and export."""

from __future__ import annotations

import streamlit as st

from app.services.authoring import TurnTrace
from app.services.errors import ServiceError
from app.ui.runtime import current_principal, get_services, plain
from app.ui.studio_common import (
    choose_draft,
    history_and_export,
    import_file,
    save_button,
    show_issues,
    yaml_key,
)

TEXT = yaml_key("scenario")
CONTEXTS = ["manager_report", "mentor_mentee", "peer", "external_coach"]


def render() -> None:
    """The scenario editor with a test-drive panel."""
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    studio = services.authoring
    st.title("Scenario studio")
    rows = {r.id: r for r in studio.scenarios(principal)}
    choice = choose_draft(
        "scenario",
        {i: f"{r.title} (v{r.version})" for i, r in rows.items()},
        lambda: studio.starter("scenario"),
        lambda i: studio.scenario_yaml(principal, i),
        on_load=lambda: st.session_state.pop("drive", None),
    )
    if choice is not None:
        _publishing(choice, rows[choice].published)

    edit, side = st.columns([3, 2])
    with edit:
        _fields_form()
        text = st.text_area("Scenario YAML", key=TEXT, height=420)
        check = studio.check_scenario(principal, text)
        show_issues(check.issues)
        save_button("scenario", text, check.issues, lambda t: studio.save_scenario(principal, t))
    with side:
        if check.preview is not None:
            st.subheader("Learner's brief")
            st.markdown(f"**{plain(check.preview.title)}** · difficulty {check.preview.difficulty}")
            st.markdown(plain(check.preview.brief))
            st.caption(
                f"You talk to {plain(check.preview.persona_name)}, "
                f"{plain(check.preview.persona_role)}."
            )
        _test_drive(text, ready=check.preview is not None)
    if choice is not None:
        history = studio.scenario_history(principal, choice)
        yaml_text = studio.scenario_yaml(principal, choice)
        history_and_export("scenario", choice, history, "sessions", yaml_text)
    import_file(
        "scenario", lambda t, f: studio.save_scenario(principal, t, file=f, next_version=False)
    )


def _fields_form() -> None:
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    check = services.authoring.check_scenario(principal, st.session_state[TEXT])
    view = check.preview
    if view is None:
        st.caption("Fix the problems below to use the form again.")
        return
    with st.form("scenario-fields"):
        st.caption("Common fields (they rewrite the YAML below)")
        left, right = st.columns(2)
        fields = {
            "id": left.text_input("Id", view.id),
            "title": right.text_input("Title", view.title),
            "context": left.selectbox("Context", CONTEXTS, index=CONTEXTS.index(view.context)),
            "difficulty": right.number_input("Difficulty", 1, 5, view.difficulty),
            "persona.name": left.text_input("Persona name", view.persona_name),
            "persona.role": right.text_input("Persona role", view.persona_role),
        }
        fields["brief"] = st.text_area("Brief", view.brief)
        fields["persona.opening_line"] = st.text_input("Opening line", view.opening_line)
        skills = st.text_input("Skills (comma-separated)", ", ".join(view.skills))
        fields["skills"] = [s.strip() for s in skills.split(",") if s.strip()]
        if st.form_submit_button("Apply to YAML"):
            try:
                st.session_state[TEXT] = services.authoring.with_fields(
                    st.session_state[TEXT], fields
                )
            except ServiceError as exc:
                st.error(plain(str(exc)))
            else:
                st.rerun()


def _test_drive(text: str, *, ready: bool) -> None:
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    st.subheader("Test drive")
    st.caption("Talk to the draft persona. Nothing is stored.")
    if st.button("Start test drive", key="drive-start", disabled=not ready):
        try:
            st.session_state["drive"] = services.authoring.start_drive(principal, text)
        except ServiceError as exc:
            st.error(plain(str(exc)))
    drive = st.session_state.get("drive")
    if drive is None:
        return
    line = st.chat_input("Say something to the persona", key="drive-input")
    if line:
        try:
            drive = services.authoring.drive(principal, text, drive, line)
        except ServiceError as exc:
            st.error(plain(str(exc)))
        else:
            st.session_state["drive"] = drive
    traces = iter(drive.traces)
    for n, (speaker, said) in enumerate(drive.turns):
        with st.chat_message("user" if speaker == "coach" else "assistant"):
            st.markdown(plain(said))
            trace = next(traces, None) if speaker == "client" and n > 0 else None
            if trace is not None:
                _why(trace)
    st.caption(
        "Layers earned: "
        + (", ".join(drive.unlocked) or "none yet")
        + (" · committed to an action" if drive.committed else "")
    )


def _why(trace: TurnTrace) -> None:
    """Why the persona answered so: for the author tuning cues and trust, never for learners."""
    with st.expander("Why this reply"):
        st.markdown(
            f"**{plain(trace.plan)}** · coach turn read as `{trace.technique}` "
            f"({trace.confidence:.0%} sure) · trust {trace.trust_before:.2f} → "
            f"{trace.trust_after:.2f} · similarity to the last reply {trace.reply_similarity:.2f}"
        )
        rows = [
            {
                "layer": layer.layer,
                "status": layer.status.replace("_", " "),
                "nearest cue": layer.nearest_cue or "",
                "similarity": round(layer.similarity, 2),
                "evidence": round(layer.evidence, 2),
                "progress": round(layer.progress, 2),
                "why": layer.reason,
            }
            for layer in trace.layers
        ]
        if rows:
            st.dataframe(rows, hide_index=True, use_container_width=True)


def _publishing(scenario_id: str, published: bool) -> None:
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    label = "Unpublish" if published else "Publish"
    st.caption(
        "Learners can practise this scenario." if published else "Draft: hidden from learners."
    )
    if st.button(label, key="publish-toggle"):
        services.authoring.set_published(principal, scenario_id, not published)
        st.rerun()
