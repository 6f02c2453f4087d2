"""Practice page: find a scenario, read the brief, talk to the persona, rewind, end for feedback.

Pages stay thin: each widget leads to one service call; the page only renders what comes back.
"""

from __future__ import annotations

import streamlit as st

from app.services.content import ScenarioCard
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
ANY = "Any"


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


def _open(session_id: int) -> None:
    keep_params(session=session_id)
    st.rerun()


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
            _open(active)
    recommended = services.room.recommendations.recommended(principal)
    if recommended:
        st.subheader("Recommended next")
        for rec in recommended:
            st.markdown(
                f"**{plain(rec.card.title)}** · difficulty {rec.card.difficulty}  \n"
                f"{plain(rec.reason)}"
            )
    st.subheader("All scenarios")
    filters = st.columns(3)
    context = filters[0].selectbox(
        "Context",
        [ANY, *CONTEXT_LABELS],
        format_func=lambda c: CONTEXT_LABELS.get(c, c),
        key="filter_context",
    )
    difficulty = filters[1].selectbox("Difficulty", [ANY, 1, 2, 3, 4, 5], key="filter_difficulty")
    skill = filters[2].text_input("Skill", key="filter_skill", placeholder="e.g. reflections")
    cards = services.room.recommendations.catalogue(
        principal,
        context=None if context == ANY else str(context),
        difficulty=None if difficulty == ANY else int(difficulty),
        skill=skill or None,
    )
    if not cards:
        st.warning("No scenario matches these filters.")
        return
    by_id: dict[str, ScenarioCard] = {c.id: c for c in cards}
    first = next((r.card.id for r in recommended if r.card.id in by_id), cards[0].id)
    ids = list(by_id)
    choice = st.selectbox(
        "Scenario",
        options=ids,
        index=ids.index(first),
        format_func=lambda i: f"{by_id[i].title} · difficulty {by_id[i].difficulty}",
        key="scenario",
    )
    brief = services.content.learner_view(principal, choice)
    st.markdown(f"### {plain(brief.title)}")
    st.caption(
        f"{CONTEXT_LABELS.get(brief.context, brief.context)} · difficulty {brief.difficulty} · "
        f"skills: {plain(', '.join(brief.skills))}"
    )
    st.markdown(plain(brief.brief))
    st.markdown(f"**You will talk with:** {plain(brief.persona_name)}, {plain(brief.persona_role)}")
    private = st.checkbox(
        "Private practice: hide numeric scores", key="private", help="Levels and feedback stay."
    )
    if st.button("Start practising", type="primary", key="start"):
        view = services.practice.start(principal, choice, private_mode=private)
        _open(view.id)


def _conversation(view: SessionView) -> None:
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    brief_col, chat_col = st.columns([1, 2], gap="large")
    with brief_col:
        st.subheader(view.scenario.title)
        if view.parent_id is not None:
            st.caption(f"A branch of session {view.parent_id}, from turn {view.branched_at}.")
        st.markdown(plain(view.scenario.brief))
        st.caption(f"{plain(view.scenario.persona_name)} — {plain(view.scenario.persona_role)}")
        if st.button("End session and see feedback", type="primary", key="end"):
            try:
                services.practice.end(principal, view.id)
            except ServiceError as exc:
                st.error(str(exc))
            else:
                st.session_state["debrief_session"] = view.id
                keep_params(session=None, debrief=view.id)
                st.switch_page(st.session_state["pages"]["debrief"])
        _options(view)
        _rewind(view)
    with chat_col:
        for turn in view.turns:
            with st.chat_message("user" if turn.speaker == "coach" else "assistant"):
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
        for nudge in services.room.options.live_nudges(principal, view.id):
            st.info(plain(nudge.message), icon="💡")
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


def _options(view: SessionView) -> None:
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    options = services.room.options.options(principal, view.id)
    if options.nudges_switchable:
        on = st.toggle("Live nudges", value=options.nudges_on, key=f"nudges-{view.id}")
        if on != options.nudges_on:
            services.room.options.set_nudges(principal, view.id, on)
    else:
        st.caption("Assessment: nudges are off.")
    private = st.toggle(
        "Private practice",
        help="Hides numeric scores; levels and feedback stay.",
        value=options.private_mode,
        key=f"private-{view.id}",
    )
    if private != options.private_mode:
        services.room.options.set_private_mode(principal, view.id, private)


def _rewind(view: SessionView) -> None:
    replies = [t for t in view.turns if t.speaker == "client"]
    if len(replies) < 2:
        return
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    with st.expander("Rewind and try a different line"):
        st.caption("Starts a branch from that reply; this conversation is kept as it is.")
        labels = {t.position: f"Turn {t.position}: {t.text[:60]}" for t in replies}
        at = st.selectbox(
            "Continue from the persona's reply at",
            list(labels),
            index=len(labels) - 2,
            format_func=labels.__getitem__,
            key=f"rewind_at-{view.id}-{len(view.turns)}",  # a new default after every reply
        )
        if st.button("Branch from here", key="branch"):
            try:
                branch = services.room.branching.branch(principal, view.id, int(at))
            except ServiceError as exc:
                st.error(str(exc))
            else:
                _open(branch)


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
