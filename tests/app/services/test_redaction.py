"""Redaction: what is removed, what is kept, and that it is deterministic and idempotent."""

from __future__ import annotations

import pytest

from app.services.redaction import Redactor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mail me at sam.o'neil+x@example.co.uk today", "Mail me at [EMAIL] today"),
        ("Call +44 7700 900123 or (020) 7946-0958.", "Call [PHONE] or [PHONE]."),
        ("See https://intra.acme.com/people?id=3 and www.x.org", "See [URL] and [URL]"),
        ("My manager Priya said no.", "My manager [NAME] said no."),
        ("our new director, Raj Patel, agreed", "our new director, [NAME], agreed"),
        ("I spoke to Dr. Okafor and Ms Lee.", "I spoke to [NAME] and [NAME]."),
        ("Hi, I'm Kim and this is hard.", "Hi, I'm [NAME] and this is hard."),
        ("Yesterday Sarah Connolly called.", "Yesterday [NAME] called."),
        ("Tom keeps interrupting.", "[NAME] keeps interrupting."),
        ("Dana, what matters most?", "[NAME], what matters most?"),
    ],
)
def test_personal_details_are_replaced(text: str, expected: str) -> None:
    assert Redactor(known_names=["Dana Whitfield"]).redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "What would you like to get out of today?",
        "It sounds like Monday meetings in New York drain you.",
        "My manager is great, honestly.",
        "We use Excel and Slack for everything.",
        "I earned 3.5 stars and scored 42 points.",
    ],
)
def test_ordinary_coaching_text_is_left_alone(text: str) -> None:
    result = Redactor().redact(text)
    assert result.text == text and result.redactions == ()


def test_terms_are_case_insensitive_whole_words() -> None:
    redactor = Redactor(terms=["Globex", "Project Falcon"])
    result = redactor.redact("globex wants project falcon done; Globexian is fine")
    assert result.text == "[REDACTED] wants [REDACTED] done; Globexian is fine"
    assert [r.original for r in result.redactions] == ["project falcon", "globex"]


def test_redaction_reports_everything_and_is_idempotent() -> None:
    redactor = Redactor(known_names=["Lee Learner"], terms=["Acme"])
    text = "Lee here: mail lee@acme.com, Acme's HR said call 07700 900123."
    first = redactor.redact(text)
    assert first == redactor.redact(text)
    assert {r.kind for r in first.redactions} == {"name", "email", "term", "phone"}
    assert "Lee" not in first.text and "acme" not in first.text.casefold()
    assert redactor.redact(first.text).redactions == ()
