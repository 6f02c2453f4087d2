"""Better phrasings for weak coach turns, built from the client's own words.

Research on practice tools found feedback works best when it quotes the learner's turn and offers an
alternative; an alternative that reuses what the client just said also models listening.

What must stay true:
- deterministic and offline: the same turn and context always give the same suggestion;
- a suggestion is one short open question or reflection, never advice, never two questions;
- when a recent client turn offers a usable phrase, the suggestion reuses it (first person turned
  into second person: "my reports" -> "your reports"), but only a phrase that stands on its own:
  a clause that ended where the client's sentence did, or a noun phrase whose head is not part of
  an idiom ("up my sleeve", "on my side"); otherwise a complete sentence from a bank written for
  that fault and moment is used, never a template with a gap filled by guesswork;
- turns without a weakness get None.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rubrics.detection_patterns import REASSURANCE
from rubrics.detection_text import normalise
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
# a clause starting like this continues a thought the rewrite cannot see ("I'm not the only one…")
_DANGLING_START = _words("not the a an that which who whose it this")
# heads of noun phrases that are usually part of an idiom ("up my sleeve", "on my side")
_IDIOM_HEADS = _words(
    """side sleeve sleeves head mind way part end time day life best own turn fault bit lot thing
    things stuff point place hand hands eye eyes heart chest back feet foot nerve nerves word
    shoes mouth face neck breath gut guts fingers toes knees self one ones"""
)
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
_DID_YOU = re.compile(r"^(?:so,? |and |ok,? )?did you (\w+)\b(.*?)\??$", re.IGNORECASE)
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
    """The words up to the clause's end; empty when the clause does not stand on its own.

    A clause cut by ``limit`` or ending on a function word ("whose numbers are", "at") would
    read as a fragment once quoted back, so it is not offered.
    """
    taken: list[str] = []
    for word in words[start:]:
        if word.lower() in _BOUNDARY:
            break
        if len(taken) == limit:
            return []
        taken.append(word)
    if not taken or taken[-1].lower() in _FUNCTION or taken[0].lower() in _DANGLING_START:
        return []
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
        if body and body[-1].lower() not in _IDIOM_HEADS and not body[-1].lower().endswith("ly"):
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


def _reflection(phrases: ClientPhrases) -> str | None:
    """The client's own clause said back to them, when one stands on its own."""
    clause = phrases.state or phrases.want or phrases.past
    return f"{clause}." if clause else None


def _from_client(kind: RewriteKind, phrases: ClientPhrases) -> str | None:
    """A rewrite built on a whole clause of the client's, for the faults where one fits.

    Noun phrases are never spliced into a question: without a parser "what options do you see
    for a nightmare?" cannot be told from "…for the monthly reports?".
    """
    if kind in ("reflect", "self_focus"):
        return _reflection(phrases)
    if kind == "advice" and phrases.want:
        return f"What options do you see, given that {phrases.want}?"
    if kind == "closed" and phrases.past:
        return f"What happened when {phrases.past}?"
    return None


# Closed questions reworded by what they ask about; the replacement never splices the coach's
# words, so it is grammatical whatever followed the opener.
_CLOSED_OPENERS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), bank)
    for pattern, bank in (
        (
            r"\b(?:have|did) you (?:tried|try|thought about|think about|considered|consider)\b",
            ("What have you tried so far?", "What options have you already considered?"),
        ),
        (
            r"\b(?:have|did) you (?:talked|talk|spoken|speak|told|tell|asked|ask)\b",
            (
                "Who have you been able to talk to about this?",
                "What conversations have you had so far?",
            ),
        ),
        (
            r"\b(?:do|does|did) (?:you|it|that) (?:feel|make you feel)\b"
            r"|\bare you (?:feeling|ok|okay|alright|worried|scared|nervous|stressed|happy|upset)\b",
            ("How are you feeling about it?", "What's that like for you?"),
        ),
        (
            r"\bdo you (?:think|reckon|believe|see)\b"
            r"|\bis (?:it|that|this) (?:because|about|the)\b",
            ("How do you see it yourself?", "What do you make of it?"),
        ),
        (
            r"\b(?:do|would) you (?:want|like|need)\b|\bwould it help\b",
            ("What would you like to happen?", "What would help you most right now?"),
        ),
        (
            r"\b(?:can|could|will|would|are) you (?:going to )?"
            r"(?:do|make|try|manage|start|get|find|ask)\b|\bare you going to\b",
            ("What could you do next?", "What feels like a realistic first step?"),
        ),
        (
            r"\bis there\b|\bhave you got\b|\bdo you have\b",
            ("What else is there?", "What might help here?"),
        ),
    )
)
_FEELINGS = {
    "overwhelmed": "overwhelmed", "swamped": "swamped", "exhausted": "exhausted",
    "tired": "tired", "drained": "drained", "stressed": "stressed", "worried": "worried",
    "anxious": "anxious", "nervous": "nervous", "scared": "scared", "afraid": "afraid",
    "frustrated": "frustrated", "angry": "angry", "annoyed": "annoyed", "upset": "upset",
    "stuck": "stuck", "lost": "lost", "torn": "torn", "guilty": "guilty", "embarrassed":
    "embarrassed", "lonely": "alone", "alone": "alone", "hurt": "hurt", "burnt": "burnt out",
    "burned": "burnt out", "excited": "excited", "relieved": "relieved", "unsure": "unsure",
    "confused": "confused", "pressure": "under pressure", "drowning": "swamped",
    "terrified": "terrified", "dreading": "full of dread", "ashamed": "ashamed",
    "fraud": "like a fraud", "failure": "like a failure", "useless": "useless",
    "miserable": "miserable", "sad": "sad", "gutted": "gutted", "panicking": "panicky",
}  # fmt: skip
# Complete sentences for each fault when the client's words offer nothing safe to reuse, chosen
# deterministically from the coach's turn so one transcript does not repeat one suggestion.
_BANK: dict[RewriteKind, tuple[str, ...]] = {
    "reflect": (
        "It sounds like this matters a lot to you.",
        "So there's a lot going on for you with this.",
        "It sounds like this has been on your mind for a while.",
    ),
    "advice": (
        "What ideas do you have yourself?",
        "What options can you see?",
        "What have you already tried?",
        "What would you like to try?",
    ),
    "closed": ("What's on your mind about that?", "Tell me more about that.", "How do you see it?"),
    "leading": ("What do you think would help?", "What's your own view on it?"),
    "why": ("What led up to that?", "What was going on for you at the time?"),
    "self_focus": (
        "It sounds like that's been hard going for you.",
        "So this has really stayed with you.",
        "It sounds like this matters to you.",
    ),
    "stacked": ("What matters most to you about this?", "Where would you like to start?"),
}


_SUGGESTION = re.compile(
    r"\b(?:have you (?:tried|thought|considered)|what about|how about|why not|could you|"
    r"you could|maybe try|would it help)\b",
    re.IGNORECASE,
)
# reassurance closes the worry down; the alternative invites it
_WORRY = ("What worries you most about it?", "What's the hardest part of it for you?")
# a suggestion in question form; the alternative asks what the client has already tried
_ALREADY = ("What have you tried so far?", "What ideas do you have yourself?")


def _pick(options: Sequence[str], key: str) -> str:
    """One option, the same for the same key (a stable hash, unlike ``hash``)."""
    return options[zlib.crc32(key.encode("utf-8")) % len(options)]


def _feeling(client_texts: Sequence[str]) -> str | None:
    """A feeling word the client used, as an adjective a reflection can name."""
    for text in client_texts[:CLIENT_TURNS_CONSULTED]:
        for word in _tokens(text.lower()):
            if word in _FEELINGS:
                return _FEELINGS[word]
    return None


def _from_coach(weakness: RewriteKind, coach_text: str, client_texts: Sequence[str] = ()) -> str:
    """Rephrase the coach's own question, or take a whole sentence from the bank for the fault."""
    text = coach_text.strip()
    if weakness == "closed" and (m := _DID_YOU.search(text)) and _plain_clause(m.group(2)):
        return f"What happened when you {_past_tense(m.group(1))}{m.group(2).rstrip(' ?')}?"
    if weakness == "why" and (m := _WHY_DID_YOU.search(text)) and _plain_clause(m.group(2)):
        return f"What happened that led you to {m.group(1).lower()}{m.group(2).rstrip(' ?')}?"
    if weakness == "leading" and (m := _LEADING.search(text)):
        return f"What are your thoughts on whether {m.group(1).rstrip(' ?')}?"
    if weakness == "closed":
        for pattern, bank in _CLOSED_OPENERS:
            if pattern.search(text):
                return _pick(bank, text)
    feeling = _feeling(client_texts)
    if weakness in ("reflect", "self_focus") and feeling:
        return f"It sounds like you're feeling {feeling}."
    if weakness == "advice":
        if feeling:  # name the feeling the advice stepped over
            return f"It sounds like you're feeling {feeling}."
        if REASSURANCE.search(normalise(text)):
            return _pick(_WORRY, text)
        if _SUGGESTION.search(text):
            return _pick(_ALREADY, text)
    return _pick(_BANK[weakness], text)


def _plain_clause(rest: str) -> bool:
    """True when the words after "did you <verb>" can follow "what happened when you <verb>"."""
    words = _tokens(rest)
    return len(words) <= 8 and not any(w in {",", ";", ":", "or", "and"} for w in words)


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
    return _capitalise(_from_coach(weakness, coach_text, client_texts))


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
