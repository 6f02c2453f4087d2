"""Reading a coach turn for what a reply must answer: names, greetings, checks, question forms."""

from __future__ import annotations

import pytest

from scenarios.moves import asks_for_a_number, asks_yes_or_no, ends_with_check, wrong_name


@pytest.mark.parametrize(
    ("text", "called"),
    [
        ("Priya, what's been on your plate this week?", "Priya"),
        ("Good to see you, Lorenzo.", "Lorenzo"),
        ("Hi Maggie - shall we start?", "Maggie"),
        ("Thirty-two people on one rota is a lot to hold.", None),
        ("Twenty-odd years in one place says something about you.", None),
        ("Nine out of ten managers would say the same.", None),
        ("What would you like from today?", None),
        ("Hmm, fair enough. What happened next?", None),
        ("Brilliant, thanks for that.", None),
        ("Really? How come?", None),
    ],
)
def test_a_name_is_heard_only_where_english_puts_one(text: str, called: str | None) -> None:
    assert wrong_name(text, "Sam Okafor") == called


def test_question_forms() -> None:
    assert asks_for_a_number("On a 0-10 scale, how ready are you?")
    assert asks_for_a_number("how sure are you, one to ten")
    assert not asks_for_a_number(
        "What would ten out of the team say?".replace("ten out of", "most of")
    )
    assert asks_yes_or_no("Is the deadline fixed?")
    assert asks_yes_or_no("So, have you spoken to her yet?")
    assert not asks_yes_or_no("Is it the hours or the people?")
    assert not asks_yes_or_no("Which of those matters more?")
    assert ends_with_check("So it's the hours and the commute. Have I got that right?")
