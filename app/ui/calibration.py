"""Calibration page: hand-score transcripts with a rubric, then see where the engine agrees."""

from __future__ import annotations

import streamlit as st

from app.services.errors import ServiceError
from app.ui.runtime import current_principal, get_services, plain

NEW_SET = "(new set)"


def render() -> None:
    """Add hand-scored transcripts to a set and show agreement with the engine."""
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    st.title("Calibration")
    st.caption(
        "Score a few transcripts by hand, then compare with CoachLab's levels before you use a "
        "rubric for assessment. See docs/facilitator-guide.md for what the numbers mean."
    )
    sets = {c.name: c for c in services.calibration.list_sets(principal)}
    if pending := st.session_state.pop("calibration_pending", None):  # before the widgets exist
        st.session_state["calibration-set"] = pending
    choice = st.selectbox("Calibration set", [NEW_SET, *sets], key="calibration-set")
    if choice == NEW_SET:
        set_name = st.text_input("Set name", key="calibration-new-name")
        rubrics = [c.id for c in services.content.list_rubrics()]
        rubric_id = st.selectbox("Rubric", rubrics, key="calibration-rubric")
    else:
        set_name, rubric_id = choice, sets[choice].rubric_id
        st.caption(f"Rubric: {plain(rubric_id)} · {sets[choice].items} transcript(s)")
    _add_item(set_name, rubric_id)
    if choice != NEW_SET:
        _report(choice)


def _add_item(set_name: str, rubric_id: str) -> None:
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    _, rubric = services.content.latest_rubric(rubric_id)
    with st.expander("Add a hand-scored transcript", expanded=True):
        title = st.text_input("Title", key="calibration-title")
        upload = st.file_uploader("Transcript file", type=["vtt", "txt", "json"], key="cal-file")
        pasted = st.text_area("…or paste it (Coach: … / Client: … lines)", key="cal-text")
        st.caption("Your level for each criterion (1 to 5)")
        levels = {
            c.id: st.slider(plain(c.name), 1, 5, 3, key=f"hand-{c.id}") for c in rubric.criteria
        }
        if st.button("Add hand-scored transcript", key="add-item"):
            text = upload.getvalue().decode("utf-8", "replace") if upload else pasted
            try:
                services.calibration.add_item(principal, set_name, rubric_id, title, text, levels)
            except ServiceError as exc:
                st.error(plain(str(exc)))
            else:
                st.session_state["calibration_pending"] = set_name
                st.rerun()


def _report(set_name: str) -> None:
    services = get_services()
    principal = current_principal(services)
    assert principal is not None
    report = services.calibration.report(principal, set_name)
    st.subheader(f"Agreement with the engine ({plain(report.rubric_id)} v{report.rubric_version})")
    st.dataframe(
        [
            {
                "criterion": a.name,
                "transcripts": a.items,
                "exact": f"{a.exact:.0%}",
                "within one level": f"{a.adjacent:.0%}",
                "weighted kappa": "n/a" if a.kappa is None else f"{a.kappa:.2f}",
            }
            for a in report.agreement
        ],
        hide_index=True,
    )
    st.subheader("Disagreements")
    if not report.disagreements:
        st.success("The engine matched every hand level.")
    for d in report.disagreements:
        with st.container(border=True):
            st.markdown(f"**{plain(d.item_title)}** · {plain(d.criterion_name)}")
            hand, engine = st.columns(2)
            hand.metric("Your level", d.hand_level)
            engine.metric("Engine level", d.engine_level)
            engine.markdown(plain(d.feedback))
            for turn, quote in d.evidence:
                engine.markdown(f"- turn {turn}: “{plain(quote)}”")
