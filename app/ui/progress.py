"""Progress page: the learner's goals, every past session, trends per criterion, comparisons."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from app.services.errors import ServiceError
from app.services.progress import Attempt
from app.ui.runtime import current_principal, get_services, plain


def render() -> None:
    """Show goals, sessions, trend charts and a comparison of two attempts."""
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    st.title("Progress")
    _goals()
    attempts = services.room.progress.attempts(principal)
    if not attempts:
        st.info("No sessions yet: start one on the Practise page.")
        return
    _sessions(attempts)
    _trends()
    _compare(attempts)


def _goals() -> None:
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    st.subheader("My practice goals")
    for goal in services.room.progress.goals(principal):
        cols = st.columns([6, 1])
        done = cols[0].checkbox(plain(goal.text), value=goal.done, key=f"goal-{goal.id}")
        if done != goal.done:
            services.room.progress.set_goal_done(principal, goal.id, done)
            st.rerun()
        if cols[1].button("Delete", key=f"goal-delete-{goal.id}"):
            services.room.progress.delete_goal(principal, goal.id)
            st.rerun()
    with st.form("new_goal", clear_on_submit=True):
        text = st.text_input("A new goal", placeholder="e.g. ask one question at a time")
        if st.form_submit_button("Add goal") and text.strip():
            try:
                services.room.progress.add_goal(principal, text)
            except ServiceError as exc:
                st.error(str(exc))
            else:
                st.rerun()


def _sessions(attempts: list[Attempt]) -> None:
    st.subheader("All sessions")
    rows = [
        {
            "session": a.session_id,
            "started": a.started_at,
            "scenario": a.scenario_title,
            "status": a.status,
            "overall": None if a.overall is None else round(a.overall),
            "private": a.private_mode,
            "branch of": a.parent_id,
        }
        for a in reversed(attempts)
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _trends() -> None:
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    points = services.room.progress.trends(principal)
    if not points:
        st.caption("Trends appear once a session has been scored.")
        return
    st.subheader("Levels over time")
    frame = pd.DataFrame(
        [
            {
                "when": p.when,
                "session": p.session_id,
                "rubric": p.rubric_id,
                "criterion": p.criterion,
                "level": p.level,
            }
            for p in points
        ]
    )
    rubrics = sorted(frame["rubric"].unique())
    rubric = (
        rubrics[0] if len(rubrics) == 1 else st.selectbox("Rubric", rubrics, key="trend_rubric")
    )
    chart = (
        alt.Chart(frame[frame["rubric"] == rubric])
        .mark_line(point=True)
        .encode(
            x=alt.X("when:T", title="Session"),
            y=alt.Y("level:Q", title="Level", scale=alt.Scale(domain=[1, 5])),
            color=alt.Color("criterion:N", title="Criterion"),
            tooltip=["session:Q", "criterion:N", "level:Q"],
        )
        .properties(height=280)
    )
    st.altair_chart(chart, width="stretch")


def _compare(attempts: list[Attempt]) -> None:
    by_scenario: dict[str, list[Attempt]] = {}
    for a in attempts:
        by_scenario.setdefault(a.scenario_id, []).append(a)
    repeated = {sid: items for sid, items in by_scenario.items() if len(items) >= 2}
    st.subheader("Compare two attempts")
    if not repeated:
        st.caption("Practise a scenario twice (or branch a session) to compare attempts.")
        return
    titles = {sid: items[0].scenario_title for sid, items in repeated.items()}
    scenario = st.selectbox(
        "Scenario", list(repeated), format_func=titles.__getitem__, key="compare_scenario"
    )
    items = {a.session_id: a for a in repeated[scenario]}
    ids = list(items)
    cols = st.columns(2)
    first = cols[0].selectbox(
        "First", ids, index=len(ids) - 2, format_func=lambda i: items[i].label, key="compare_a"
    )
    second = cols[1].selectbox(
        "Second", ids, index=len(ids) - 1, format_func=lambda i: items[i].label, key="compare_b"
    )
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    try:
        comparison = services.room.progress.compare(principal, int(first), int(second))
    except ServiceError as exc:
        st.info(str(exc))
        return
    table = pd.DataFrame(
        [
            {"criterion": r.criterion, f"#{first}": r.first, f"#{second}": r.second}
            for r in comparison.rows
        ]
    )
    if comparison.rows:
        st.dataframe(table, hide_index=True, width="stretch")
    else:
        st.caption("Neither attempt has been scored yet.")
    if not comparison.related:
        return
    st.markdown(f"**The two lines** share the first {len(comparison.shared)} turns, then:")
    left, right = st.columns(2)
    for col, first_line, name in (
        (left, comparison.first_line, f"#{first}"),
        (right, comparison.second_line, f"#{second}"),
    ):
        with col:
            st.markdown(f"**{name}**")
            for turn in first_line:
                who = "You" if turn.speaker == "coach" else "Persona"
                st.markdown(f"**{turn.position}. {who}:** {plain(turn.text)}")
