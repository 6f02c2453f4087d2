"""Better phrasings for weak coach turns, built from the client's own words.

Research on practice tools found feedback works best when it quotes the learner's turn and offers an
alternative; an alternative that reuses what the client just said also models listening.

What must stay true:
- deterministic and offline: the same turn and context always give the same suggestion;
- a suggestion is one short open question or reflection, never advice, never two questions;
- when a recent client turn offers a usable phrase, the suggestion reuses it (first person turned
  into second person: "my reports" -> "your reports");
- turns without a weakness get None.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rubrics.labels import CoachLabels
from rubrics.metrics import Labels, advice_without_permission
from rubrics.transcript import Turn

Weakness = Literal["leading", "why", "advice", "stacked", "closed", "self_focus"]
# "reflect" is not a weakness of a turn but a remedy: answer with a reflection instead.
RewriteKind = Weakness | Literal["reflect"]
CLIENT_TURNS_CONSULTED = 2

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*|[,;:.!?]")
_SWAP = {
    "i": "you", "i'm": "you're", "im": "you're", "i've": "you've", "i'd": "you'd",
    "i'll": "you'll", "me": "you", "my": "your", "mine": "yours", "myself": "yourself",
    "we": "you", "we're": "you're", "we've": "you've", "our": "your", "ours": "yours",
    "us": "you", "ourselves": "yourselves", "am": "are",
}  # fmt: skip


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_DETERMINERS = _words("the my our this these those his their a an")
_BOUNDARY = _words(
    ", ; : . ! ? and but because so since when which while though although or if until"
)
_FUNCTION = _words(
    """to that who whom whose is are was were be been being am has have had do does did will would
    can could should might must shall may keeps keep kept gets got get just really always never
    also still even again then than as at in on of for with from by about into over under after
    before up down out off it its it's i i'm me you he she they we them him not no don't can't
    won't isn't there here very too more most much many some any all every each like feel feels
    felt think thinks know knows want wants need needs say says said tell told go goes went make
    makes made the a an my our your this these those his her their one"""
)
_TRIVIAL_STATES = _words("sorry fine ok okay good well sure here back")
_IRREGULAR_PAST = {
    "be": "were", "begin": "began", "bring": "brought", "buy": "bought", "choose": "chose",
    "come": "came", "do": "did", "feel": "felt", "find": "found", "get": "got", "give": "gave",
    "go": "went", "have": "had", "hear": "heard", "keep": "kept", "know": "knew", "leave": "left",
    "let": "let", "make": "made", "meet": "met", "put": "put", "run": "ran", "say": "said",
    "see": "saw", "send": "sent", "speak": "spoke", "take": "took", "tell": "told",
    "think": "thought", "write": "wrote",
}  # fmt: skip
_PAST_FORMS = frozenset(_IRREGULAR_PAST.values()) - {"were", "let", "put"}
_OPEN_START = re.compile(
    r"^(?:(?:so|and|okay|ok|now),?\s+)?(?:what|how|tell me|describe|walk me|talk me|in what"
    r"|which part|where)\b",
    re.IGNORECASE,
)
_CLOSED_IS_FINE = frozenset(
    ["question_open", "permission", "summary", "reflection_simple", "reflection_complex"]
)
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
_DID_YOU = re.compile(r"\bdid you (\w+)\b(.*?)\??$", re.IGNORECASE)
_WHY_DID_YOU = re.compile(r"\bwhy did you (\w+)\b(.*?)\??$", re.IGNORECASE)
_LEADING = re.compile(
    r"\b(?:don't|do not|wouldn't|shouldn't|won't) you (?:think|agree|feel)(?: that)? (.+?)\??$",
    re.IGNORECASE,
)
_STATE_OPENERS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("i'm", "feeling"), "you're feeling"),
    (("i've", "been"), "you've been"),
    (("i", "feel"), "you feel"),
    (("i", "am"), "you're"),
    (("i'm",), "you're"),
    (("im",), "you're"),
)
_WANT_OPENERS = (("i", "want"), ("i", "need"), ("i'd", "like"), ("i'd", "love"), ("i", "wish"))


@dataclass(frozen=True, slots=True)
class ClientPhrases:
    """Reusable pieces of one client turn, already in second person."""

    noun_phrase: str | None
    state: str | None
    past: str | None
    want: str | None


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.replace("\u2019", "'"))


def _second_person(words: Sequence[str]) -> str:
    out = []
    for i, word in enumerate(words):
        low = word.lower()
        if low == "was" and i and words[i - 1].lower() == "i":
            out.append("were")
        else:
            out.append(_SWAP.get(low, word))
    return " ".join(out)


def _clause(words: Sequence[str], start: int, limit: int) -> list[str]:
    taken: list[str] = []
    for word in words[start:]:
        if word.lower() in _BOUNDARY or len(taken) == limit:
            break
        taken.append(word)
    while taken and taken[-1].lower() in _FUNCTION:
        taken.pop()
    return taken


def _noun_phrases(words: Sequence[str]) -> list[list[str]]:
    found = []
    for i, word in enumerate(words):
        if word.lower() not in _DETERMINERS:
            continue
        body: list[str] = []
        for nxt in words[i + 1 : i + 5]:
            low = nxt.lower()
            ends_like_verb = body and (low.endswith("ed") or low.endswith("ing"))
            if low in _BOUNDARY or low in _FUNCTION or ends_like_verb:
                break
            body.append(nxt)
        if body:
            found.append([word, *body])
    return found


def _opener_at(words: Sequence[str], i: int, opener: Sequence[str]) -> bool:
    return [w.lower() for w in words[i : i + len(opener)]] == list(opener)


def _past_verb(word: str) -> bool:
    low = word.lower()
    return low in _PAST_FORMS or (low.endswith("ed") and len(low) > 4)


def read_client(text: str, coach_text: str = "") -> ClientPhrases:
    """Pick reusable phrases from a client turn; the noun phrase nearest the coach's words wins."""
    words = _tokens(text)
    coach_words = {w.lower().rstrip("s") for w in _tokens(coach_text)} - _FUNCTION
    phrases = _noun_phrases(words)

    def salience(item: tuple[int, list[str]]) -> tuple[int, int, int]:
        position, phrase = item
        overlap = sum(w.lower().rstrip("s") in coach_words for w in phrase[1:])
        return (-overlap, -len(phrase), position)

    best = min(enumerate(phrases), key=salience)[1] if phrases else None
    state = past = want = None
    for i in range(len(words)):
        for opener, subject in _STATE_OPENERS:
            if state is None and _opener_at(words, i, opener):
                rest = _clause(words, i + len(opener), 8)
                if rest and not {w.lower() for w in rest} <= _TRIVIAL_STATES:
                    state = f"{subject} {_second_person(rest)}"
        for opener in _WANT_OPENERS:
            if want is None and _opener_at(words, i, opener):
                rest = _clause(words, i + len(opener), 8)
                if rest:
                    want = _second_person([*opener, *rest])
        follows = words[i + 1] if i + 1 < len(words) else ""
        if past is None and words[i].lower() == "i" and _past_verb(follows):
            rest = _clause(words, i + 1, 10)
            past = _second_person(["I", *rest]) if len(rest) >= 2 else None
    return ClientPhrases(
        noun_phrase=_second_person(best) if best else None, state=state, past=past, want=want
    )


def _past_tense(verb: str) -> str:
    low = verb.lower()
    if low in _IRREGULAR_PAST:
        return _IRREGULAR_PAST[low]
    if low.endswith("e"):
        return low + "d"
    if low.endswith("y") and len(low) > 2 and low[-2] not in "aeiou":
        return low[:-1] + "ied"
    if len(low) <= 4 and re.fullmatch(r".*[^aeiou][aeiou][^aeiouwxy]", low):
        return low + low[-1] + "ed"
    return low + "ed"


_REFLECT = (
    ("state", "{}."),
    ("want", "{}."),
    ("past", "{}."),
    ("noun_phrase", "It sounds like a lot is going on for you with {}."),
)
# For each kind of rewrite, templates in order of preference, each naming the client phrase it
# needs; the first whose phrase the client turn offers is used.
_TEMPLATES: dict[RewriteKind, tuple[tuple[str, str], ...]] = {
    "advice": (
        ("noun_phrase", "What options do you see for {}?"),
        ("state", "Given that {}, what options do you see?"),
        ("want", "What options do you see, given that {}?"),
    ),
    "closed": (
        ("past", "What happened when {}?"),
        ("noun_phrase", "What would you like to happen with {}?"),
        ("state", "What is it like when {}?"),
    ),
    "leading": (
        ("noun_phrase", "What do you think would help with {}?"),
        ("state", "When {}, what do you think would help?"),
    ),
    "why": (
        ("noun_phrase", "What do you think led to the situation with {}?"),
        ("state", "{}. What do you think led to that?"),
    ),
    "self_focus": _REFLECT,
    "reflect": _REFLECT,
}


def _from_client(kind: RewriteKind, phrases: ClientPhrases) -> str | None:
    """Fill the first template for this kind whose client phrase exists."""
    for field, template in _TEMPLATES.get(kind, ()):
        phrase = getattr(phrases, field)
        if phrase:
            return template.format(phrase)
    return None


def _from_coach(weakness: RewriteKind, coach_text: str) -> str:
    """Rephrase the coach's own question when the client offered nothing to reuse."""
    text = coach_text.strip()
    if weakness == "closed" and (m := _DID_YOU.search(text)):
        return f"What happened when you {_past_tense(m.group(1))}{m.group(2).rstrip(' ?')}?"
    if weakness == "why" and (m := _WHY_DID_YOU.search(text)):
        return f"What happened that led you to {m.group(1).lower()}{m.group(2).rstrip(' ?')}?"
    if weakness == "leading" and (m := _LEADING.search(text)):
        return f"What are your thoughts on whether {m.group(1).rstrip(' ?')}?"
    generic: dict[RewriteKind, str] = {
        "reflect": "It sounds like this matters a lot to you.",
        "advice": "What options do you see?",
        "closed": "What would you like to explore about that?",
        "leading": "What do you think would help?",
        "why": "What do you think led to that?",
        "self_focus": "What matters most to you about this?",
        "stacked": "What matters most to you about this?",
    }
    return generic[weakness]


def weakness_of(labels: Sequence[Labels], index: int) -> Weakness | None:
    """Name the weakness a rewrite should fix in one coach turn, most serious first."""
    label = labels[index]
    if not isinstance(label, CoachLabels):
        return None
    techniques, flags = set(label.techniques), set(label.flags)
    if "leading_question" in flags:
        return "leading"
    if "judgemental_why" in flags:
        return "why"
    if advice_without_permission(labels, index):
        return "advice"
    if "stacked_questions" in flags or label.question_count >= 2:
        return "stacked"
    # A closed check after a summary or reflection, or a permission request, is good practice.
    if "question_closed" in techniques and not techniques & _CLOSED_IS_FINE:
        return "closed"
    if "self_focus" in flags:
        return "self_focus"
    return None


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def suggest_rewrite(
    coach_text: str, weakness: RewriteKind | None, client_texts: Sequence[str] = ()
) -> str | None:
    """Suggest a better phrasing for a weak coach turn; ``client_texts`` are most recent first.

    Returns None when there is no weakness, or when the best phrasing is the turn itself.
    """
    suggestion = _rewrite(coach_text, weakness, client_texts) if weakness else None
    if suggestion is None or " ".join(coach_text.split()) == suggestion:
        return None
    return suggestion


def _rewrite(coach_text: str, weakness: RewriteKind, client_texts: Sequence[str]) -> str:
    if weakness == "stacked":
        for sentence in _SENTENCE.findall(coach_text):
            if sentence.strip().endswith("?") and _OPEN_START.search(sentence.strip()):
                return _capitalise(sentence.strip())
        weakness = "closed"
    for client in client_texts[:CLIENT_TURNS_CONSULTED]:
        found = _from_client(weakness, read_client(client, coach_text))
        if found:
            return _capitalise(found)
    return _capitalise(_from_coach(weakness, coach_text))


def client_context(turns: Sequence[Turn], index: int) -> list[str]:
    """The client turns before ``index``, most recent first (what a rewrite may reuse)."""
    earlier = [t.text for t in turns[:index] if t.speaker == "client"]
    return earlier[::-1][:CLIENT_TURNS_CONSULTED]


def suggest_rewrites(turns: Sequence[Turn], labels: Sequence[Labels]) -> list[str | None]:
    """Suggest a better phrasing for every weak coach turn (None for other turns)."""
    return [
        suggest_rewrite(turn.text, weakness_of(labels, i), client_context(turns, i))
        for i, turn in enumerate(turns)
    ]
