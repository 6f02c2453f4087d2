"""Small rendering helpers shared by the studio pages (issues and scorecards, text escaped)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from app.ui.runtime import plain


def show_issues(issues: list[Any]) -> None:
    """List content issues as errors naming the line and field, or say the draft is valid."""
    if not issues:
        st.success("No problems found.")
        return
    for issue in issues:
        where = f"line {issue.line}" if issue.line else "file"
        field = f" · {issue.field}" if issue.field else ""
        st.error(f"{where}{plain(field)}: {plain(issue.message)}")


def show_scorecard(card: dict[str, Any]) -> None:
    """Overall score and one row per criterion, with the evidence quoted."""
    st.metric("Overall", f"{card['overall']:.0f}/100")
    st.dataframe(
        [
            {"criterion": c["name"], "level": c["level"], "score": round(c["score"])}
            for c in card["criteria"]
        ],
        hide_index=True,
    )
    for c in card["criteria"]:
        with st.expander(f"{c['name']} — level {c['level']}/5"):
            st.markdown(plain(c["feedback"]))
            for e in c["evidence"]:
                st.markdown(f"- turn {e['turn']}: “{plain(e['quote'])}”")
