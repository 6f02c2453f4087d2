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
    result = redactor.redact("globex wants project falcon done; globexian is fine")
    assert result.text == "[REDACTED] wants [REDACTED] done; globexian is fine"
    assert [r.original for r in result.redactions] == ["project falcon", "globex"]


def test_redaction_reports_everything_and_is_idempotent() -> None:
    redactor = Redactor(known_names=["Lee Learner"], terms=["Acme"])
    text = "Lee here: mail lee@acme.com, Acme's HR said call 07700 900123."
    first = redactor.redact(text)
    assert first == redactor.redact(text)
    assert {r.kind for r in first.redactions} == {"name", "email", "term", "phone"}
    assert "Lee" not in first.text and "acme" not in first.text.casefold()
    assert redactor.redact(first.text).redactions == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Priyanka said Leah would cover the rota.", "[NAME] said [NAME] would cover the rota."),
        ("I told Leah and then Priyanka agreed.", "I told [NAME] and then [NAME] agreed."),
        ("Thanks for asking, Oluwaseun.", "Thanks for asking, [NAME]."),
        ("Siddharth keeps missing deadlines.", "[NAME] keeps missing deadlines."),
        ("Write to jane dot doe at gmail dot com please", "Write to [EMAIL] please"),
        ("or jane [at] acme [dot] co [dot] uk, or j.doe @ acme.org", "or [EMAIL], or [EMAIL]"),
        ("Pay GB82 WEST 1234 5698 7654 32 by Friday", "Pay [IBAN] by Friday"),
        ("Pay DE89370400440532013000 now", "Pay [IBAN] now"),
        ("My NI number is AB 12 34 56 C.", "My NI number is [NI NUMBER]."),
        (
            "I live at SW1A 1AA, near M1 1AE and EH8 9YL.",
            "I live at [POSTCODE], near [POSTCODE] and [POSTCODE].",
        ),
    ],
)
def test_names_mentioned_in_the_talk_and_more_details_are_replaced(
    text: str, expected: str
) -> None:
    assert Redactor(known_names=["Dana Whitfield"]).redact(text).text == expected


def test_a_name_found_once_is_redacted_everywhere_in_the_share() -> None:
    turns = ["Did you speak to Wen about it?", "Wen never listens. It is hopeless."]
    redactor = Redactor().with_names_from(turns)
    assert [redactor.redact(t).text for t in turns] == [
        "Did you speak to [NAME] about it?",
        "[NAME] never listens. It is hopeless.",
    ]
    assert Redactor().redact(turns[1]).text == "[NAME] never listens. It is hopeless."
    learned = Redactor().with_names_from(["Hope said no."])
    assert learned.redact("I hope so. Hope said no.").text == "I hope so. [NAME] said no."
