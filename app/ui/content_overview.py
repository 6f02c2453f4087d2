"""Content page for facilitators: the scenarios and rubrics in use."""

from __future__ import annotations

import streamlit as st

from app.ui.runtime import current_principal, get_services, plain


def render() -> None:
    """List content files that failed to load, then scenarios (hidden layers too) and rubrics."""
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    st.title("Scenarios and rubrics")
    problems = services.content.load_problems(principal)
    if problems:
        listed = "\n".join(f"- {plain(problem)}" for problem in problems)
        st.warning(
            f"{len(problems)} problem(s) in content files: these files were skipped at start-up. "
            f"Fix them and restart CoachLab.\n\n{listed}"
        )
    for scenario in services.content.all_scenarios(principal):
        with st.expander(
            f"{scenario.title} (v{scenario.version}, difficulty {scenario.difficulty})"
        ):
            st.markdown(plain(scenario.brief))
            for layer in scenario.layers:
                st.markdown(f"- **{plain(layer.kind)}** `{layer.id}` — {plain(layer.summary)}")
    st.subheader("Rubrics")
    for card in services.content.list_rubrics():
        st.markdown(
            f"**{plain(card.name)}** (`{card.id}` v{card.version}) — {plain(card.description)}"
        )
    reports = services.practice.reported_replies(principal)
    st.subheader("Reported persona replies")
    if not reports:
        st.caption("No learner has reported a reply.")
    for report in reports:
        st.markdown(
            f"- **{report.scenario_id}** v{report.scenario_version} ({report.source}): "
            f"“{plain(report.text)}” — {plain(report.reason)}"
        )
