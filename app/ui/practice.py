"""Practice page: pick a scenario, read the brief, talk to the persona, end for feedback."""

from __future__ import annotations

import streamlit as st

from app.services.errors import NotFound, ServiceError
from app.services.practice import SessionView
from app.ui.runtime import current_principal, get_services, keep_params, plain

SESSION_PARAM = "session"
CONTEXT_LABELS = {
    "manager_report": "Manager and report",
    "mentor_mentee": "Mentor and mentee",
    "peer": "Peers",
    "external_coach": "External coach",
}


def render() -> None:
    """Show the catalogue or the conversation in progress."""
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    raw = st.query_params.get(SESSION_PARAM)
    if raw and raw.isdigit():
        try:
            view = services.practice.get(principal, int(raw))
        except NotFound:
            keep_params(session=None)
            st.warning("That session is not available.")
        else:
            if view.status == "active":
                _conversation(view)
                return
            keep_params(session=None)
    _catalogue()


def _catalogue() -> None:
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    st.title("Practise a conversation")
    active = services.practice.active_session(principal)
    if active is not None:
        view = services.practice.get(principal, active)
        st.info(f"You have an unfinished conversation: {plain(view.scenario.title)}")
        if st.button("Resume it", key="resume"):
            keep_params(session=active)
            st.rerun()
    cards = services.content.list_scenarios(principal)
    if not cards:
        st.warning("No scenarios are published yet.")
        return
    labels = {c.id: f"{c.title} · difficulty {c.difficulty}" for c in cards}
    choice = st.selectbox("Scenario", options=[c.id for c in cards], format_func=labels.__getitem__)
    brief = services.content.learner_view(principal, choice)
    st.subheader(brief.title)
    st.caption(
        f"{CONTEXT_LABELS.get(brief.context, brief.context)} · difficulty {brief.difficulty} · "
        f"skills: {', '.join(brief.skills)}"
    )
    st.markdown(plain(brief.brief))
    st.markdown(f"**You will talk with:** {plain(brief.persona_name)}, {plain(brief.persona_role)}")
    if st.button("Start practising", type="primary", key="start"):
        view = services.practice.start(principal, choice)
        keep_params(session=view.id)
        st.rerun()


def _conversation(view: SessionView) -> None:
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    brief_col, chat_col = st.columns([1, 2], gap="large")
    with brief_col:
        st.subheader(view.scenario.title)
        st.markdown(plain(view.scenario.brief))
        st.caption(f"{view.scenario.persona_name} — {view.scenario.persona_role}")
        if st.button("End session and see feedback", type="primary", key="end"):
            try:
                services.practice.end(principal, view.id)
            except ServiceError as exc:
                st.error(str(exc))
            else:
                st.session_state["debrief_session"] = view.id
                keep_params(session=None, debrief=view.id)
                st.switch_page(st.session_state["pages"]["debrief"])
    with chat_col:
        for turn in view.turns:
            role = "user" if turn.speaker == "coach" else "assistant"
            with st.chat_message(role):
                st.markdown(plain(turn.text))
        if view.committed:
            st.success("The client has committed to an action. You can end the session now.")
        if view.awaiting_reply and st.button("Get reply", key="retry"):
            try:
                services.practice.retry_reply(principal, view.id)
            except ServiceError as exc:
                st.error(str(exc))
            else:
                st.rerun()
        notice = st.session_state.pop("practice_notice", None)
        if notice:
            st.warning(notice)
        error = st.session_state.pop("practice_error", None)
        if error:
            st.error(error)
        message = st.chat_input(f"Your reply to {view.scenario.persona_name}…")
        if message:
            with st.chat_message("user"):
                st.markdown(plain(message))
            try:
                stream = services.practice.send_stream(principal, view.id, message)
                with st.chat_message("assistant"):
                    st.write_stream(plain(chunk) for chunk in stream)
            except ServiceError as exc:
                st.session_state["practice_error"] = str(exc)
            else:
                if stream.notice:
                    st.session_state["practice_notice"] = stream.notice
            st.rerun()
        _report_form(view)


def _report_form(view: SessionView) -> None:
    persona_turns = [t for t in view.turns if t.speaker == "client"]
    if len(persona_turns) < 2:
        return
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    with (
        st.expander("Report a reply that broke character"),
        st.form("report", clear_on_submit=True),
    ):
        options = {t.position: f"Reply {i + 1}: {t.text[:60]}" for i, t in enumerate(persona_turns)}
        position = st.selectbox("Which reply?", list(options), format_func=options.__getitem__)
        reason = st.text_input("What was wrong?", max_chars=300)
        if st.form_submit_button("Report"):
            services.practice.report_reply(principal, view.id, position, reason)
            st.success("Thank you: a facilitator will see this report.")
