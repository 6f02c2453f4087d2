"""Download a practice session as Markdown (to read) or JSON (to keep or process).

What must stay true:
- Only the session's owner (or an administrator) can export it.
- Hidden scenario material appears only in the export of an ended session (the debrief part).
- Private practice is honoured: no numeric score appears in either document.
- The JSON document has ``format`` and ``format_version``; fields may be added, never renamed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app.services.debriefing import AnnotatedDebrief, DebriefingService
from app.services.practice import PracticeService, SessionView
from app.services.principal import Principal

FORMAT = "coachlab-session"
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class ExportFile:
    """A document ready for a download button."""

    filename: str
    mime: str
    data: str


class SessionExportService:
    """Build Markdown and JSON documents of a session."""

    def __init__(self, practice: PracticeService, debriefing: DebriefingService) -> None:
        self._practice = practice
        self._debriefing = debriefing

    def as_json(self, principal: Principal, session_id: int) -> ExportFile:
        """The session, its annotated turns and (once ended) its scorecard and debrief, as JSON."""
        view, debrief = self._load(principal, session_id)
        doc = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "session": _session_meta(view),
            "turns": _turns(view, debrief),
            "scorecard": _scorecard(debrief) if debrief else None,
            "debrief": _persona(debrief) if debrief else None,
        }
        return ExportFile(
            filename=f"coachlab-session-{session_id}.json",
            mime="application/json",
            data=json.dumps(doc, ensure_ascii=False, indent=2),
        )

    def as_markdown(self, principal: Principal, session_id: int) -> ExportFile:
        """The session as a readable Markdown report."""
        view, debrief = self._load(principal, session_id)
        s = view.scenario
        lines = [
            f"# {s.title}",
            "",
            f"- Session {view.id}, started {view.started_at:%Y-%m-%d %H:%M} ({view.status})",
            f"- Talking with {s.persona_name}, {s.persona_role}",
        ]
        if view.parent_id is not None:
            lines.append(f"- Branched from session {view.parent_id} at turn {view.branched_at}")
        lines += ["", "## Transcript", ""]
        annotated = {t.position: t for t in debrief.turns} if debrief else {}
        for turn in view.turns:
            who = "You" if turn.speaker == "coach" else s.persona_name
            lines.append(f"**{turn.position}. {who}:** {turn.text}")
            extra = annotated.get(turn.position)
            if extra and extra.techniques:
                stage = f" · GROW: {extra.grow_stage}" if extra.grow_stage else ""
                lines.append(f"  _techniques: {', '.join(extra.techniques)}{stage}_")
            if extra and extra.suggestion:
                lines.append(f"  _try instead: {extra.suggestion}_")
            lines.append("")
        if debrief:
            lines += ["## Scorecard", "", f"Rubric: {debrief.rubric}"]
            if debrief.overall is not None:
                lines.append(f"Overall: {debrief.overall:.0f}/100")
            lines += ["", f"- Strength: {debrief.strength}", f"- Next step: {debrief.next_step}"]
            for c in debrief.criteria:
                score = "" if c.score is None else f" ({c.score:.0f}/100)"
                lines += ["", f"### {c.name}: level {c.level} of 5{score}", "", c.feedback]
                lines += [f"- turn {e.turn}: “{e.quote}”" for e in c.evidence]
            lines += ["", "## What was really going on", "", debrief.real_want, ""]
            for layer in debrief.layers:
                how = (
                    f"earned at turn {layer.earned_by_turn}"
                    if layer.earned_by_turn is not None
                    else ("earned" if layer.earned else "stayed hidden")
                )
                lines.append(f"- {layer.kind}: {layer.summary} ({how})")
        return ExportFile(
            filename=f"coachlab-session-{session_id}.md",
            mime="text/markdown",
            data="\n".join(lines).rstrip() + "\n",
        )

    def _load(
        self, principal: Principal, session_id: int
    ) -> tuple[SessionView, AnnotatedDebrief | None]:
        view = self._practice.get(principal, session_id)
        if view.status == "ended" and view.has_scorecard:
            return view, self._debriefing.annotated(principal, session_id)
        return view, None


def _session_meta(view: SessionView) -> dict[str, Any]:
    return {
        "id": view.id,
        "scenario": {
            "id": view.scenario.id,
            "version": view.scenario.version,
            "title": view.scenario.title,
        },
        "status": view.status,
        "started_at": view.started_at.isoformat(),
        "ended_at": view.ended_at.isoformat() if view.ended_at else None,
        "private_mode": view.private_mode,
        "parent_session_id": view.parent_id,
        "branched_at_turn": view.branched_at,
    }


def _turns(view: SessionView, debrief: AnnotatedDebrief | None) -> list[dict[str, Any]]:
    annotated = {t.position: t for t in debrief.turns} if debrief else {}
    out = []
    for turn in view.turns:
        item: dict[str, Any] = {
            "position": turn.position,
            "speaker": turn.speaker,
            "text": turn.text,
        }
        extra = annotated.get(turn.position)
        if extra and turn.speaker == "coach":
            item |= {
                "techniques": extra.techniques,
                "grow_stage": extra.grow_stage,
                "flags": extra.flags,
                "suggestion": extra.suggestion,
            }
        out.append(item)
    return out


def _scorecard(debrief: AnnotatedDebrief) -> dict[str, Any]:
    card: dict[str, Any] = {
        "rubric": debrief.rubric,
        "strength": debrief.strength,
        "next_step": debrief.next_step,
        "criteria": [
            {
                "id": c.id,
                "name": c.name,
                "level": c.level,
                "feedback": c.feedback,
                "evidence": [{"turn": e.turn, "quote": e.quote} for e in c.evidence],
            }
            | ({} if c.score is None else {"score": c.score})
            for c in debrief.criteria
        ],
    }
    if debrief.overall is not None:
        card["overall"] = debrief.overall
    return card


def _persona(debrief: AnnotatedDebrief) -> dict[str, Any]:
    return {
        "real_want": debrief.real_want,
        "layers": [
            {
                "id": layer.id,
                "kind": layer.kind,
                "summary": layer.summary,
                "earned": layer.earned,
                "earned_by_turn": layer.earned_by_turn,
            }
            for layer in debrief.layers
        ],
    }
