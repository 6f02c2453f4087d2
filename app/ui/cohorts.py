"""Cohorts page: cohorts, members, assignments and the dashboard (heatmap, completion, trends)."""

from __future__ import annotations

from datetime import UTC, datetime, time

import altair as alt
import streamlit as st

from app.services.errors import ServiceError
from app.ui.runtime import current_principal, get_services, plain


def render() -> None:
    """Manage cohorts and follow their progress."""
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    st.title("Cohorts")
    with st.expander("New cohort"):
        name = st.text_input("Cohort name", key="cohort-name")
        if st.button("Create cohort", key="create-cohort"):
            try:
                created = services.cohorts.create_cohort(principal, name)
            except ServiceError as exc:
                st.error(plain(str(exc)))
            else:
                st.session_state["cohort_selected"] = created.id
                st.session_state.pop("cohort-choice", None)
    cohorts = {c.id: c for c in services.cohorts.list_cohorts(principal)}
    if not cohorts:
        st.info("Create a cohort to start.")
        return
    ids = list(cohorts)
    remembered = st.session_state.get("cohort_selected")  # survives visits to other pages
    cohort_id = st.selectbox(
        "Cohort",
        ids,
        index=ids.index(remembered) if remembered in cohorts else 0,
        format_func=lambda i: cohorts[i].name,
        key="cohort-choice",
    )
    st.session_state["cohort_selected"] = cohort_id
    members, assignments, dashboard = st.tabs(["Members", "Assignments", "Dashboard"])
    with members:
        _members(cohort_id)
    with assignments:
        _assignments(cohort_id)
    with dashboard:
        _dashboard(cohort_id)


def _members(cohort_id: int) -> None:
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    candidates = services.cohorts.candidates(principal, cohort_id)
    if candidates:
        names = {m.username: m.display_name for m in candidates}
        username = st.selectbox(
            "Learner", list(names), format_func=names.__getitem__, key="member-choice"
        )
        if st.button("Add learner", key="add-member"):
            services.cohorts.add_member(principal, cohort_id, username)
            st.rerun()
    for member in services.cohorts.members(principal, cohort_id):
        left, right = st.columns([4, 1])
        left.markdown(f"{plain(member.display_name)} (`{member.username}`)")
        if right.button("Remove", key=f"remove-{member.user_id}"):
            services.cohorts.remove_member(principal, cohort_id, member.user_id)
            st.rerun()


def _assignments(cohort_id: int) -> None:
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    scenarios = {r.id: r.title for r in services.authoring.scenarios(principal) if r.published}
    rubrics = [c.id for c in services.content.list_rubrics()]
    left, right = st.columns(2)
    scenario_id = left.selectbox(
        "Scenario", list(scenarios), format_func=scenarios.__getitem__, key="assign-scenario"
    )
    rubric_id = right.selectbox("Rubric", rubrics, key="assign-rubric")
    due = left.date_input("Due date", value=None, key="assign-due")
    threshold = right.number_input("Pass threshold (0–100)", 0, 100, 60, key="assign-threshold")
    assessment = st.checkbox("Assessment (no nudges during practice)", key="assign-assessment")
    if st.button("Assign", key="assign"):
        due_at = datetime.combine(due, time(23, 59), tzinfo=UTC) if due else None
        try:
            services.cohorts.assign(
                principal,
                cohort_id,
                scenario_id,
                rubric_id=rubric_id,
                due_at=due_at,
                pass_threshold=float(threshold),
                assessment=assessment,
            )
        except ServiceError as exc:
            st.error(plain(str(exc)))
        else:
            st.success("Assigned.")
    for a in services.cohorts.assignments(principal, cohort_id):
        due_text = a.due_at.strftime("%d %b %Y") if a.due_at else "no due date"
        kind = " · assessment" if a.assessment else ""
        line, button = st.columns([4, 1])
        line.markdown(
            f"**{plain(a.scenario_title)}** · {plain(a.rubric_id)} · pass at "
            f"{a.pass_threshold:.0f} · {due_text}{kind}"
        )
        if button.button("Withdraw", key=f"withdraw-{a.id}"):
            services.cohorts.remove_assignment(principal, a.id)
            st.rerun()


def _dashboard(cohort_id: int) -> None:
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    board = services.cohorts.dashboard(principal, cohort_id)
    st.subheader("Latest level per criterion")
    cells = [
        {"learner": row.name, "criterion": name, "level": row.levels[cid]}
        for row in board.learners
        for cid, name in board.criteria
        if cid in row.levels
    ]
    if cells:
        heatmap = (
            alt.Chart(alt.Data(values=cells))
            .mark_rect()
            .encode(
                x=alt.X("criterion:N", title=None),
                y=alt.Y("learner:N", title=None),
                color=alt.Color("level:Q", scale=alt.Scale(domain=[1, 5], scheme="blues")),
                tooltip=["learner:N", "criterion:N", "level:Q"],
            )
        )
        st.altair_chart(heatmap, use_container_width=True)
        st.dataframe(
            [{"learner": row.name, "overall": row.overall, **row.levels} for row in board.learners],
            hide_index=True,
        )
    else:
        st.caption("No learner in this cohort has finished an assigned scenario yet.")
    st.subheader("Completion")
    for p in board.completion:
        st.markdown(
            f"**{plain(p.assignment.scenario_title)}**: {len(p.completed)} of {p.total} completed, "
            f"{len(p.passed)} passed"
            + (f" ({plain(', '.join(p.completed))})" if p.completed else "")
        )
        st.progress(len(p.completed) / p.total if p.total else 0.0)
    if board.trends:
        st.subheader("Trends")
        points = [
            {"learner": t.learner, "ended": t.ended_at.isoformat(), "overall": t.overall}
            for t in board.trends
        ]
        trend = (
            alt.Chart(alt.Data(values=points))
            .mark_line(point=True)
            .encode(
                x="ended:T",
                y=alt.Y("overall:Q", scale=alt.Scale(domain=[0, 100])),
                color="learner:N",
            )
        )
        st.altair_chart(trend, use_container_width=True)
    st.download_button(
        "Download CSV",
        services.cohorts.export_csv(principal, cohort_id),
        file_name=f"cohort-{cohort_id}.csv",
        mime="text/csv",
        key="cohort-csv",
    )
