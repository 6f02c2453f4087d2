"""Rendering helpers shared by the scenario and rubric studios: picking a draft, saving it,
version history, export and import, issues and scorecards (all text escaped)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from app.services.errors import ServiceError
from app.ui.runtime import plain
from rubrics.yaml_source import ContentError

Save = Callable[[str], tuple[str, int]]


def yaml_key(kind: str) -> str:
    """Session-state key of the YAML editor for ``kind`` ("scenario" or "rubric")."""
    return f"studio_{kind}_yaml"


def choose_draft(
    kind: str,
    labels: dict[str, str],
    starter: Callable[[], str],
    stored: Callable[[str], str],
    on_load: Callable[[], None] | None = None,
) -> str | None:
    """Pick a stored item (or a new one) and load its YAML into the editor; None means new."""
    new = f"(new {kind})"
    key, loaded = f"studio-{kind}", f"studio_{kind}_loaded"
    if pending := st.session_state.pop(f"studio_{kind}_pending", None):  # before the widget
        st.session_state[key] = pending
        st.session_state[loaded] = None
    choice = st.selectbox(
        kind.capitalize(),
        [new, *labels],
        format_func=lambda i: i if i == new else labels[i],
        key=key,
    )
    if st.session_state.get(loaded) != choice:
        st.session_state[yaml_key(kind)] = starter() if choice == new else stored(choice)
        st.session_state[loaded] = choice
        if on_load is not None:
            on_load()
    return None if choice == new else choice


def save_button(kind: str, text: str, issues: Sequence[Any], save: Save) -> None:
    """The save button (disabled while the draft has issues); reopens the saved item."""
    if st.button("Save new version", key=f"save-{kind}", disabled=bool(issues)):
        try:
            content_id, version = save(text)
        except (ServiceError, ContentError) as exc:
            st.error(plain(str(exc)))
        else:
            st.session_state[f"studio_{kind}_pending"] = content_id
            st.session_state[f"studio_{kind}_flash"] = f"Saved {content_id} version {version}."
            st.rerun()
    if flash := st.session_state.pop(f"studio_{kind}_flash", None):
        st.success(plain(flash))


def history_and_export(
    kind: str, content_id: str, history: Sequence[Any], uses: str, yaml_text: str
) -> None:
    """Version table (with how often each version was ``uses``) and an export button."""
    st.subheader("Version history")
    st.dataframe(
        [
            {"version": h.version, "saved": h.created_at, "by": h.author, uses: h.uses}
            for h in history
        ],
        hide_index=True,
    )
    st.download_button(
        "Export YAML",
        yaml_text,
        file_name=f"{content_id}.yaml",
        mime="text/yaml",
        key=f"export-{kind}",
    )


def import_file(kind: str, save: Callable[[str, str], tuple[str, int]]) -> None:
    """Upload a YAML file, store it under the version it declares and open it in the editor."""
    upload = st.file_uploader(
        f"Import a {kind} file", type=["yaml", "yml"], key=f"import-{kind}-file"
    )
    if upload is not None and st.button("Import as a new version", key=f"import-{kind}"):
        try:
            content_id, version = save(upload.getvalue().decode("utf-8"), upload.name)
        except ContentError as exc:
            show_issues(exc.issues)
        except UnicodeDecodeError:
            st.error(f"{plain(upload.name)}: not UTF-8 text.")
        except ServiceError as exc:
            st.error(plain(str(exc)))
        else:
            st.session_state[f"studio_{kind}_pending"] = content_id
            st.session_state[f"studio_{kind}_imported"] = (
                f"Imported {content_id} version {version}."
            )
            st.rerun()
    if flash := st.session_state.pop(f"studio_{kind}_imported", None):
        st.success(plain(flash))


def show_issues(issues: Sequence[Any]) -> None:
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
