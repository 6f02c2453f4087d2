"""Read transcripts from JSON, plain 'Name: text' lines or WebVTT into turns.

Formats (detected from the content, not the file name):
- JSON: ``{"turns": [{"speaker": "coach" | "client", "text": "..."}]}``; other keys are ignored.
- Plain text: lines ``Coach: ...`` / ``Client: ...``; a line without a label continues the turn
  before it; lines before the first label (a title, say) are ignored.  Leading timestamps such as
  ``[00:01:02]`` are skipped.
- WebVTT: ``WEBVTT`` header, cues whose text has ``<v Name>`` voice tags or a ``Name:`` prefix;
  consecutive cues by the same speaker are merged into one turn.

Who is the coach: a speaker named ``Coach`` (any case), or the speaker matching ``coach_name``
(case-insensitive).  With ``coach_name``, every other named speaker is the client.  Without it,
when no speaker is called Coach, the first speaker is taken as the coach (learners usually open
their own sessions); pass ``coach_name`` when that is wrong.  In plain text that also uses Coach
and Client labels, other ``Word:`` lines are read as continuation text, not as speakers.

What must stay true: every failure is a TranscriptError naming the source and, when known, the
line; input is bounded (MAX_TRANSCRIPT_BYTES, MAX_TURN_CHARS); a parsed transcript is never empty
and always has at least one coach turn.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rubrics.json_text import JsonTooDeep, load_json
from rubrics.transcript import Speaker, Turn

MAX_TRANSCRIPT_BYTES = 2_000_000
MAX_TURN_CHARS = 20_000

_TIMESTAMP = re.compile(r"^\s*[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?[\])]?\s*")
_LABEL = re.compile(r"^\s*(?P<name>[^\W\d_][\w .'’-]{0,39}?)\s*:\s*(?P<text>.*)$")
_NAME_WORD = re.compile(r"^[A-Z][\w.'’-]*$")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)*\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]*>")
_ROLES = ("coach", "client")


class TranscriptError(ValueError):
    """A transcript could not be read; names the source and, when known, the line."""

    def __init__(self, source: str, line: int | None, message: str) -> None:
        self.source = source
        self.line = line
        self.message = message
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {message}")


@dataclass(slots=True)
class _Utterance:
    name: str
    text: str
    line: int


def read_transcript_file(path: Path | str, coach_name: str | None = None) -> list[Turn]:
    """Read a transcript file (UTF-8, at most MAX_TRANSCRIPT_BYTES) and parse it."""
    source = str(path)
    try:
        if Path(path).stat().st_size > MAX_TRANSCRIPT_BYTES:
            raise TranscriptError(source, None, "file is larger than 2 MB")
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise TranscriptError(source, None, f"cannot read file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise TranscriptError(source, line, "not UTF-8 text") from None
    return parse_transcript(text, source, coach_name)


def parse_transcript(text: str, source: str, coach_name: str | None = None) -> list[Turn]:
    """Parse a transcript in any supported format; see the module docstring."""
    if len(text.encode("utf-8", errors="replace")) > MAX_TRANSCRIPT_BYTES:
        raise TranscriptError(source, None, "transcript is larger than 2 MB")
    if "\x00" in text:
        raise TranscriptError(source, None, "unreadable: this looks like a binary file")
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise TranscriptError(source, None, "transcript is empty")
    first = text.lstrip()
    if first.startswith("WEBVTT"):
        utterances = _merge(_read_vtt(text, source))
    elif first.startswith("{"):
        return _read_json(text, source, coach_name)
    else:
        utterances = _read_lines(text, source, coach_name)
    return _assign_roles(utterances, source, coach_name)


def _read_json(text: str, source: str, coach_name: str | None) -> list[Turn]:
    try:
        data: Any = load_json(text)
    except JsonTooDeep as exc:
        raise TranscriptError(
            source, exc.line, f"nested more than {exc.max_depth} levels deep"
        ) from None
    except json.JSONDecodeError as exc:
        message = f"malformed JSON: {exc.msg} (column {exc.colno})"
        raise TranscriptError(source, exc.lineno, message) from None
    if not isinstance(data, dict) or not isinstance(data.get("turns"), list):
        raise TranscriptError(source, 1, 'expected an object with a "turns" list')
    if not data["turns"]:
        raise TranscriptError(source, None, "turns: the list is empty")
    turns = []
    for i, item in enumerate(data["turns"]):
        where = f"turns[{i}]"
        if not isinstance(item, dict):
            raise TranscriptError(source, None, f"{where}: expected an object")
        speaker, words = item.get("speaker"), item.get("text")
        if not isinstance(speaker, str) or not speaker.strip():
            raise TranscriptError(source, None, f"{where}.speaker: expected a speaker name")
        if not isinstance(words, str) or not words.strip():
            raise TranscriptError(source, None, f"{where}.text: expected non-empty text")
        if len(words) > MAX_TURN_CHARS:
            raise TranscriptError(source, None, f"{where}.text: longer than {MAX_TURN_CHARS} chars")
        role = _role(speaker, coach_name)
        if role is None:
            message = f"{where}.speaker: '{speaker}' is not 'coach' or 'client' (or pass the "
            raise TranscriptError(source, None, message + "coach's name)")
        turns.append(Turn(role, words.strip()))
    return _require_coach(turns, source, [str(t["speaker"]) for t in data["turns"]])


def _role(name: str, coach_name: str | None) -> Speaker | None:
    folded = name.strip().casefold()
    if coach_name and folded == coach_name.strip().casefold():
        return "coach"
    if folded in _ROLES:
        return "coach" if folded == "coach" else "client"
    return "client" if coach_name else None


def _speaker_label(line: str, coach_name: str | None, roles_only: bool) -> tuple[str, str] | None:
    match = _LABEL.match(_TIMESTAMP.sub("", line, count=1))
    if not match:
        return None
    name = match["name"].strip()
    folded = name.casefold()
    if folded in _ROLES or (coach_name and folded == coach_name.strip().casefold()):
        return name, match["text"]
    words = name.split()
    if roles_only or not 1 <= len(words) <= 3 or not all(_NAME_WORD.match(w) for w in words):
        return None
    return name, match["text"]


def _read_lines(text: str, source: str, coach_name: str | None) -> list[_Utterance]:
    lines = text.split("\n")
    roles_only = coach_name is None and any(
        (label := _speaker_label(line, None, True)) and label[0].casefold() in _ROLES
        for line in lines
    )
    utterances: list[_Utterance] = []
    for number, line in enumerate(lines, start=1):
        label = _speaker_label(line, coach_name, roles_only)
        if label:
            utterances.append(_Utterance(label[0], label[1].strip(), number))
        elif utterances and line.strip():
            current = utterances[-1]
            current.text = f"{current.text} {line.strip()}".strip()
    if not utterances:
        hint = "expected lines such as 'Coach: ...' and 'Client: ...'"
        raise TranscriptError(source, 1, f"no speaker lines found: {hint}")
    return utterances


def _read_vtt(text: str, source: str) -> list[_Utterance]:
    utterances: list[_Utterance] = []
    speaker: str | None = None
    block: list[tuple[int, str]] = []
    lines = [*text.split("\n"), ""]
    for number, line in enumerate(lines, start=1):
        if line.strip():
            block.append((number, line))
            continue
        timing = next((k for k, (_, b) in enumerate(block) if "-->" in b), None)
        if timing is not None:
            for cue_line, payload in block[timing + 1 :]:
                voice = _VOICE.search(payload)
                words = html.unescape(_TAG.sub("", payload)).strip()
                label = None if voice else _speaker_label(words, None, False)
                if voice:
                    speaker = voice.group(1).strip()
                elif label:
                    speaker, words = label[0], label[1].strip()
                if speaker is None:
                    message = "cue has no speaker: use <v Name> or 'Name: text'"
                    raise TranscriptError(source, cue_line, message)
                if words:
                    utterances.append(_Utterance(speaker, words, cue_line))
        block = []
    if not utterances:
        raise TranscriptError(source, 1, "WebVTT file has no cues with text")
    return utterances


def _merge(utterances: list[_Utterance]) -> list[_Utterance]:
    merged: list[_Utterance] = []
    for u in utterances:
        if merged and merged[-1].name.casefold() == u.name.casefold():
            merged[-1].text = f"{merged[-1].text} {u.text}"
        else:
            merged.append(_Utterance(u.name, u.text, u.line))
    return merged


def _assign_roles(utterances: list[_Utterance], source: str, coach_name: str | None) -> list[Turn]:
    # The first-speaker guess never makes someone labelled "Client" the coach: a transcript with
    # only client turns is refused rather than scoring the client's words as the coach's.
    named_coach = coach_name or next(
        (u.name for u in utterances if u.name.casefold() == "coach"),
        next((u.name for u in utterances if u.name.casefold() != "client"), None),
    )
    turns = []
    for u in utterances:
        if not u.text:
            continue
        if len(u.text) > MAX_TURN_CHARS:
            raise TranscriptError(source, u.line, f"turn is longer than {MAX_TURN_CHARS} chars")
        turns.append(Turn(_role(u.name, named_coach) or "client", u.text))
    return _require_coach(turns, source, [u.name for u in utterances])


def _require_coach(turns: list[Turn], source: str, names: list[str]) -> list[Turn]:
    if not turns:
        raise TranscriptError(source, None, "transcript has no turns with text")
    if not any(t.speaker == "coach" for t in turns):
        speakers = ", ".join(dict.fromkeys(names))
        message = f"no coach turns (speakers: {speakers}); pass the coach's name"
        raise TranscriptError(source, None, message)
    return turns
