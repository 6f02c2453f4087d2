"""Debrief page: the scorecard with evidence linked to turns, the annotated transcript, the
persona's hidden layers and who earned them, exemplars, export, branching and deletion.

The community-library parts (exemplars, share panel) appear only when the running app has a
library service, so this page works with or without it.
"""

from __future__ import annotations

import streamlit as st

from app.services.debriefing import AnnotatedDebrief, AnnotatedTurn
from app.services.errors import ServiceError
from app.ui.runtime import current_principal, get_services, keep_params, plain
from app.ui.share import render_share_panel
from rubrics.labels import TECHNIQUE_NAMES

DEBRIEF_PARAM = "debrief"
STAGE_COLOURS = {"goal": "blue", "reality": "orange", "options": "violet", "will": "green"}


def render() -> None:
    """Show the debrief of the chosen ended session."""
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    st.title("Debrief")
    ended = [s for s in services.practice.list_sessions(principal) if s.status == "ended"]
    if not ended:
        st.info("End a practice session to see its feedback here.")
        return
    raw = st.query_params.get(DEBRIEF_PARAM) or st.session_state.get("debrief_session")
    ids = [s.id for s in ended]
    current = int(raw) if raw and str(raw).isdigit() and int(raw) in ids else ids[0]
    titles = {s.id: f"{s.scenario_title} — {s.started_at:%Y-%m-%d %H:%M} (#{s.id})" for s in ended}
    chosen = st.selectbox("Session", ids, index=ids.index(current), format_func=titles.__getitem__)
    if chosen != current:
        keep_params(debrief=chosen)
    try:
        debrief = services.room.debriefing.annotated(principal, chosen)
    except ServiceError as exc:
        st.error(str(exc))
        return
    card, transcript, hidden, keep = st.tabs(
        ["Scorecard", "Transcript", "What was hidden", "Replay, export, delete"]
    )
    with card:
        _scorecard(debrief)
        _exemplars(debrief)
    with transcript:
        _transcript(debrief)
    with hidden:
        _persona(debrief)
    with keep:
        _keep(debrief)


def _scorecard(d: AnnotatedDebrief) -> None:
    top = st.columns(2)
    if d.overall is None:
        top[0].metric("Overall", "hidden", help="Private practice: levels and feedback only.")
    else:
        top[0].metric("Overall", f"{round(d.overall)} / 100")
    if d.talk_share is not None:
        top[1].metric("Your share of the talking", f"{d.talk_share:.0%}")
    st.caption(f"Scored with the rubric “{plain(d.rubric)}”.")  # a metric would cut a long name
    if d.parent_id is not None:
        st.caption(f"A branch of session {d.parent_id}, from turn {d.branched_at}.")
    if d.strength:
        st.success(f"**Strength:** {plain(d.strength)}")
    if d.next_step:
        st.info(f"**Try next:** {plain(d.next_step)}")
    st.subheader("Criteria")
    for c in d.criteria:
        score = "" if c.score is None else f" ({round(c.score)})"
        with st.expander(f"{c.name} — level {c.level} of 5{score}", expanded=False):
            if c.descriptor:
                st.markdown(f"*{plain(c.descriptor)}*")
            st.markdown(plain(c.feedback))
            for e in c.evidence:
                st.markdown(f"> [Turn {e.turn}](#turn-{e.turn}): “{plain(e.quote)}”")


def _chips(turn: AnnotatedTurn) -> str:
    chips = [f":blue-badge[{TECHNIQUE_NAMES.get(t, t)}]" for t in turn.techniques]
    chips += [f":red-badge[{flag.replace('_', ' ')}]" for flag in turn.flags]
    if turn.grow_stage:
        colour = STAGE_COLOURS.get(turn.grow_stage, "gray")
        chips.insert(0, f":{colour}-background[GROW · {turn.grow_stage.upper()}]")
    return " ".join(chips)


def _transcript(d: AnnotatedDebrief) -> None:
    st.caption("Your turns with the techniques heard, the GROW stage and better phrasings.")
    for turn in d.turns:
        coach = turn.speaker == "coach"
        with st.chat_message("user" if coach else "assistant"):
            st.markdown(f"###### Turn {turn.position}")
            st.markdown(plain(turn.text))
            if coach and (chips := _chips(turn)):
                st.markdown(chips)
            if turn.evidence_for:
                st.caption("Evidence for: " + plain(", ".join(turn.evidence_for)))
            for layer in turn.earned:
                st.markdown(f"🔓 This turn earned: {plain(layer)}")
            if turn.suggestion:
                st.info(f"**Try instead:** {plain(turn.suggestion)}")


def _persona(d: AnnotatedDebrief) -> None:
    st.subheader("What was really going on")
    st.markdown(plain(d.real_want))
    earned = [layer for layer in d.layers if layer.earned]
    if earned:
        st.markdown("**Layers you reached**")
    for layer in earned:
        how = ""
        if layer.earned_by_turn is not None:
            how = f" — earned by [turn {layer.earned_by_turn}](#turn-{layer.earned_by_turn})"
            if layer.earned_by_quote:
                how += f": “{plain(layer.earned_by_quote[:160])}”"
        st.markdown(f"- ✅ **{plain(layer.kind)}** — {plain(layer.summary)}{how}")
    if d.locked:
        st.markdown("**Layers that stayed locked**")
    for layer in d.locked:
        hint = ", ".join(TECHNIQUE_NAMES.get(t, t) for t in layer.techniques)
        st.markdown(
            f"- 🔒 **{plain(layer.kind)}** — {plain(layer.summary)}"
            + (f" (opens to: {plain(hint)})" if hint else "")
        )
    with st.expander("Facilitator notes"):
        for note in d.facilitator_notes:
            st.markdown(f"- {plain(note)}")


def _exemplars(d: AnnotatedDebrief) -> None:
    services = get_services()
    library = getattr(services, "library", None)
    if library is None or d.weakest is None:
        return
    principal = current_principal(services)
    try:
        items = list(library.exemplars(principal, d.weakest.id, 3))
    except ServiceError:
        return
    if not items:
        return
    st.subheader(f"From the community library: {d.weakest.name}")
    for item in items:
        with st.container(border=True):
            if item.note:
                st.caption(plain(item.note))
            for turn in item.turns:
                who = "Coach" if turn.speaker == "coach" else "Client"
                st.markdown(f"**{who}:** {plain(turn.text)}")


def _keep(d: AnnotatedDebrief) -> None:
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    st.subheader("Replay a moment differently")
    replies = [t for t in d.turns if t.speaker == "client"]
    labels = {t.position: f"Turn {t.position}: {t.text[:60]}" for t in replies}
    at = st.selectbox(
        "Continue from the persona's reply at",
        list(labels),
        format_func=labels.__getitem__,
        key="debrief_rewind_at",
    )
    if st.button("Branch from here", key="debrief_branch"):
        try:
            branch = services.room.branching.branch(principal, d.session_id, int(at))
        except ServiceError as exc:
            st.error(str(exc))
        else:
            keep_params(session=branch, debrief=None)
            st.switch_page(st.session_state["pages"]["practice"])
    st.subheader("Export")
    cols = st.columns(2)
    exports = services.room.exports
    # built on each render (a few ms for one session) so the browser downloads straight away
    cols[0].download_button(
        "Download Markdown",
        exports.as_markdown(principal, d.session_id).data,
        file_name=f"coachlab-session-{d.session_id}.md",
        mime="text/markdown",
        key="export_md",
    )
    cols[1].download_button(
        "Download JSON",
        exports.as_json(principal, d.session_id).data,
        file_name=f"coachlab-session-{d.session_id}.json",
        mime="application/json",
        key="export_json",
    )
    if getattr(services, "library", None) is not None:
        render_share_panel(d.session_id)
    st.subheader("Delete")
    st.caption("Deletes the conversation, its scorecards and anything you shared from it.")
    sure = st.checkbox("Yes, delete this session for good", key="confirm_delete")
    if st.button("Delete session", key="delete", disabled=not sure):
        services.practice.delete(principal, d.session_id)
        st.session_state.pop("debrief_session", None)
        st.session_state.pop("confirm_delete", None)
        keep_params(debrief=None)
        st.rerun()
