"""Transcript parsing: JSON, plain text and WebVTT, with errors naming source and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rubrics.parsing import (
    MAX_TRANSCRIPT_BYTES,
    MAX_TURN_CHARS,
    TranscriptError,
    parse_transcript,
    read_transcript_file,
)
from rubrics.transcript import Turn


def test_json_turns() -> None:
    text = json.dumps(
        {
            "turns": [
                {"speaker": "coach", "text": " What matters? ", "ts": 1},
                {"speaker": "Client", "text": "Time."},
            ]
        }
    )
    assert parse_transcript(text, "t.json") == [
        Turn("coach", "What matters?"),
        Turn("client", "Time."),
    ]


def test_json_with_names_needs_coach_name() -> None:
    text = json.dumps(
        {"turns": [{"speaker": "Ana", "text": "Hi"}, {"speaker": "Bo", "text": "Yo"}]}
    )
    assert [t.speaker for t in parse_transcript(text, "t.json", coach_name="ana")] == [
        "coach",
        "client",
    ]
    with pytest.raises(TranscriptError, match=r"turns\[0\].speaker: 'Ana' is not 'coach'"):
        parse_transcript(text, "t.json")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('{"turns": [\n{"speaker": "coach",\n "text": "hi",}]}', 3, "malformed JSON"),
        ('{"lines": []}', 1, 'expected an object with a "turns" list'),
        ('{"turns": []}', None, "the list is empty"),
        ('{"turns": [{"speaker": "coach", "text": "  "}]}', None, r"turns\[0\].text"),
        ('{"turns": [{"speaker": "client", "text": "hi"}]}', None, "no coach turns"),
    ],
)
def test_json_errors(text: str, line: int | None, message: str) -> None:
    with pytest.raises(TranscriptError, match=message) as caught:
        parse_transcript(text, "t.json")
    assert (caught.value.source, caught.value.line) == ("t.json", line)


def test_plain_text_with_continuations_timestamps_and_preamble() -> None:
    text = (
        "Session 3 with Sam\n"
        "\n"
        "[00:00:05] Coach: What would you like from today?\n"
        "Client: I'm drowning in reports.\n"
        "  They never stop.\n"
        "\n"
        "COACH: So: the reports never stop.\n"
        "Note: that was a reflection.\n"
    )
    assert parse_transcript(text, "t.txt") == [
        Turn("coach", "What would you like from today?"),
        Turn("client", "I'm drowning in reports. They never stop."),
        Turn("coach", "So: the reports never stop. Note: that was a reflection."),
    ]


def test_plain_text_with_coach_name() -> None:
    text = "Ana: What matters most?\nBen Ross: My family.\nana: Tell me more.\nCara: Me too.\n"
    assert [t.speaker for t in parse_transcript(text, "t.txt", coach_name="Ana")] == [
        "coach",
        "client",
        "coach",
        "client",
    ]


def test_plain_text_names_without_coach_name_take_the_first_speaker_as_coach() -> None:
    text = "Ana: What matters most?\nBen: My family.\n"
    assert [t.speaker for t in parse_transcript(text, "t.txt")] == ["coach", "client"]


@pytest.mark.parametrize(
    "text",
    [
        "Client: I'm stuck.\nClient: Really stuck.\n",
        "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Client>I'm stuck.\n",
    ],
)
def test_a_transcript_with_only_client_turns_is_refused(text: str) -> None:
    with pytest.raises(TranscriptError, match=r"^t.txt: no coach turns \(speakers: Client\)"):
        parse_transcript(text, "t.txt")


def test_json_nested_too_deep_names_the_line() -> None:
    text = '{"turns":\n' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(TranscriptError, match=r"^t.json:2: nested more than 64 levels deep$"):
        parse_transcript(text, "t.json")


def test_plain_text_errors() -> None:
    with pytest.raises(TranscriptError, match="no speaker lines found") as caught:
        parse_transcript("just some notes\nwithout labels\n", "t.txt")
    assert caught.value.line == 1
    with pytest.raises(TranscriptError, match=r"no coach turns \(speakers: Ana, Ben\)"):
        parse_transcript("Ana: Hi\nBen: Hello\n", "t.txt", coach_name="Zoe")


VTT = """\
WEBVTT
Kind: captions

NOTE exported from the meeting tool

1
00:00:01.000 --> 00:00:03.000
<v Sam Lee>What would you like</v>

2
00:00:03.500 --> 00:00:05.000
<v Sam Lee>to focus on today?

00:00:06.000 --> 00:00:08.000
<v.loud Ana>The reports &amp; the meetings.
<v Sam Lee>Mm.

00:00:09.000 --> 00:00:10.000
Ana: They pile up.
"""


def test_webvtt_merges_consecutive_cues_and_takes_the_first_speaker_as_coach() -> None:
    assert parse_transcript(VTT, "call.vtt") == [
        Turn("coach", "What would you like to focus on today?"),
        Turn("client", "The reports & the meetings."),
        Turn("coach", "Mm."),
        Turn("client", "They pile up."),
    ]


def test_webvtt_with_coach_name_is_case_insensitive() -> None:
    turns = parse_transcript(VTT, "call.vtt", coach_name="ana")
    assert [t.speaker for t in turns] == ["client", "coach", "client", "coach"]


def test_webvtt_cue_without_speaker_names_its_line() -> None:
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhello there\n"
    with pytest.raises(TranscriptError, match="cue has no speaker") as caught:
        parse_transcript(text, "call.vtt")
    assert caught.value.line == 4
    with pytest.raises(TranscriptError, match="no cues with text"):
        parse_transcript("WEBVTT\n\nNOTE nothing here\n", "call.vtt")


def test_empty_binary_and_oversized_input() -> None:
    with pytest.raises(TranscriptError, match="empty"):
        parse_transcript("  \n\n", "t.txt")
    with pytest.raises(TranscriptError, match="binary"):
        parse_transcript("Coach: hi\x00", "t.txt")
    with pytest.raises(TranscriptError, match="larger than 2 MB"):
        parse_transcript("Coach: " + "a" * MAX_TRANSCRIPT_BYTES, "t.txt")
    with pytest.raises(TranscriptError, match="turn is longer") as caught:
        parse_transcript("Coach: hi\nClient: " + "word " * (MAX_TURN_CHARS // 4), "t.txt")
    assert caught.value.line == 2
    assert str(caught.value).startswith("t.txt:2: ")


def test_read_transcript_file(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes("\ufeffCoach: Hi\r\nClient: Hello\r\n".encode())
    assert read_transcript_file(path) == [Turn("coach", "Hi"), Turn("client", "Hello")]
    path.write_bytes(b"Coach: hi\nClient: \xff\xfe\n")
    with pytest.raises(TranscriptError, match="not UTF-8") as caught:
        read_transcript_file(path)
    assert caught.value.line == 2
    with pytest.raises(TranscriptError, match="cannot read file"):
        read_transcript_file(tmp_path / "missing.txt")
