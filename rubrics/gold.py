"""The typed-coaching gold set: coach turns as learners type them, labelled by the coding manual.

``rubrics/gold/typed-coaching.jsonl`` holds one item per line: the client's turn before, the coach's
turn, and the adjudicated labels (primary, techniques, flags, GROW stage, the client turn's talk
type).  How it was written and labelled is in ``rubrics/gold/README.md``.

What must stay true: the split is fixed by the item id (``split_of``), decided before any item was
read, so nothing is ever fitted or tuned on the ``test`` items; training reads ``train`` items only
(``training_utterances``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rubrics.detection_annomi import AnnomiUtterance
from rubrics.labels import GrowStage, TalkType, Technique, TurnFlag

GOLD_DIR = Path(__file__).parent / "gold"
GOLD_FILE = GOLD_DIR / "typed-coaching.jsonl"
Split = Literal["train", "test"]
# The main-behaviour classes of the heads (AnnoMI's), for each technique of the typed set.
MAIN_OF: dict[str, str] = {
    "question_open": "question",
    "question_closed": "question",
    "reflection_simple": "reflection",
    "reflection_complex": "reflection",
    "summary": "reflection",
    "advice": "therapist_input",
    "information": "therapist_input",
    "affirmation": "other",
    "permission": "other",
    "structuring": "other",
    "other": "other",
}
KINDS: tuple[str, ...] = ("affirmation", "other", "permission", "structuring")
# typed items get ids far from AnnoMI's transcript ids, so folds never mix them up
_TYPED_TRANSCRIPT = 1_000_000


def split_of(item_id: str) -> Split:
    """The fixed split of an item: 40 % test, by a hash of its id."""
    return "test" if int(hashlib.sha256(item_id.encode()).hexdigest(), 16) % 5 < 2 else "train"


@dataclass(frozen=True, slots=True)
class GoldItem:
    """One typed coach turn with its adjudicated labels."""

    id: str
    context: str
    client: str
    coach: str
    primary: Technique
    techniques: tuple[Technique, ...]
    flags: tuple[TurnFlag, ...]
    grow: GrowStage | None
    client_talk: TalkType | None

    @property
    def split(self) -> Split:
        """train or test (see ``split_of``)."""
        return split_of(self.id)


def load_gold(path: Path = GOLD_FILE) -> list[GoldItem]:
    """Every item of a gold file, in file order."""
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        items.append(
            GoldItem(
                id=row["id"],
                context=row["context"],
                client=row["client"],
                coach=row["coach"],
                primary=row["primary"],
                techniques=tuple(row["techniques"]),
                flags=tuple(row.get("flags", ())),
                grow=row.get("grow") if row.get("grow") not in (None, "none") else None,
                client_talk=row.get("client_talk") if row.get("client_talk") != "none" else None,
            )
        )
    return items


def of_split(items: Sequence[GoldItem], split: Split) -> list[GoldItem]:
    """The items of one split."""
    return [item for item in items if item.split == split]


def training_utterances(items: Sequence[GoldItem]) -> list[AnnomiUtterance]:
    """Train-split items as head training records (coach turns, and client turns with a talk
    type), in the same shape as AnnoMI's so one training path serves both."""
    out: list[AnnomiUtterance] = []
    for n, item in enumerate(of_split(items, "train")):
        primary = item.primary
        main = MAIN_OF[primary]
        transcript = _TYPED_TRANSCRIPT + n
        if item.client and item.client_talk:
            out.append(
                AnnomiUtterance(transcript, 0, "typed", "client", item.client, None, None,
                                item.client_talk, None, None, None)
            )  # fmt: skip
        out.append(
            AnnomiUtterance(
                transcript,
                1,
                "typed",
                "coach",
                item.coach,
                item.client or None,
                main,
                None,
                primary.split("_")[1] if main == "question" else None,
                primary.split("_")[1] if primary.startswith("reflection_") else None,
                primary if main == "therapist_input" else None,
                kind=primary if main == "other" else None,
            )
        )
    return out
