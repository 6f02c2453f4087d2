"""Debrief page: the scorecard with evidence from the learner's turns, and what the persona hid."""

from __future__ import annotations

from typing import Any

import streamlit as st

from app.services.errors import ServiceError
from app.ui.runtime import current_principal, get_services, keep_params, plain

DEBRIEF_PARAM = "debrief"


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
    titles = {s.id: f"{s.scenario_title} — {s.started_at:%Y-%m-%d %H:%M}" for s in ended}
    chosen = st.selectbox("Session", ids, index=ids.index(current), format_func=titles.__getitem__)
    if chosen != current:
        keep_params(debrief=chosen)
    try:
        debrief = services.practice.debrief(principal, chosen)
    except ServiceError as exc:
        st.error(str(exc))
        return
    _scorecard(debrief.scorecard)
    _persona(debrief.debrief)


def _scorecard(card: dict[str, Any]) -> None:
    rubric = card.get("rubric", {})
    top = st.columns(3)
    top[0].metric("Overall", f"{round(card['overall'])} / 100")
    top[1].metric("Rubric", f"{rubric.get('id', '')} v{rubric.get('version', '')}")
    metrics = card.get("metrics", {})
    if "coach_talk_share" in metrics:
        top[2].metric("Your share of the talking", f"{metrics['coach_talk_share']:.0%}")
    strength, next_step = _note(card.get("strength")), _note(card.get("next_step"))
    if strength:
        st.success(f"**Strength:** {plain(strength)}")
    if next_step:
        st.info(f"**Try next:** {plain(next_step)}")
    st.subheader("Criteria")
    for criterion in card.get("criteria", []):
        header = (
            f"{criterion['name']} — level {criterion['level']} of 5 ({round(criterion['score'])})"
        )
        with st.expander(header, expanded=False):
            if criterion.get("descriptor"):
                st.markdown(f"*{plain(criterion['descriptor'])}*")
            st.markdown(plain(criterion.get("feedback", "")))
            for item in criterion.get("evidence", []):
                st.markdown(f"> Turn {item['turn']}: “{plain(item['quote'])}”")
    suggestions = [t for t in card.get("turns", []) if t.get("suggestion")]
    if suggestions:
        st.subheader("Better phrasings")
        for turn in suggestions:
            st.markdown(
                f"**Turn {turn['index']}** — you said: “{plain(turn['text'])}”  \n"
                f"Try: “{plain(turn['suggestion'])}”"
            )


def _note(value: Any) -> str:
    """The text of a strength or next-step note (a dict with ``text``, or a plain string)."""
    if isinstance(value, dict):
        return str(value.get("text", ""))
    return str(value or "")


def _persona(debrief: Any) -> None:
    st.subheader("What was really going on")
    st.markdown(plain(debrief.real_want))
    for layer in debrief.layers:
        mark = "✅ earned" if layer.earned else "🔒 stayed hidden"
        st.markdown(f"- **{plain(layer.kind)}** — {plain(layer.summary)} ({mark})")
    with st.expander("Facilitator notes"):
        for note in debrief.facilitator_notes:
            st.markdown(f"- {plain(note)}")
