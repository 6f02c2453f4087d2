"""Do the offline "Try instead" rewrites carry the technique they are meant to?

Usage:
    python benchmarks/rewrite_check.py [--gold rubrics/gold/typed-coaching.jsonl] [--dump FILE]

Every gold coach turn that has a fault by its gold labels (a closed question where an open one
would do, unasked advice, a leading or "why" question, stacked questions, talk about the coach)
is rewritten the way the debrief rewrites it, with the client's message before it as context.
The rewrite then goes back through the shipped detector with the same client message, and counts
as right when the detector reads the wanted technique: an open question for question and advice
faults, a reflection for self-focus.  Printed: the share right per fault and overall, and how
many distinct rewrites were used.  ``--dump`` writes every (turn, rewrite, label) for a reviewer.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from machine import describe

from retrieval.factory import build_embedder
from rubrics.detector import TechniqueDetector
from rubrics.gold import GOLD_FILE, load_gold
from rubrics.labels import ClientLabels, CoachLabels
from rubrics.metrics import Labels
from rubrics.rewrite import RewriteKind, suggest_rewrite, weakness_of

WANTED: dict[RewriteKind, frozenset[str]] = {
    "self_focus": frozenset({"reflection_simple", "reflection_complex"}),
    "advice": frozenset({"question_open", "reflection_simple", "reflection_complex"}),
    "reflect": frozenset({"reflection_simple", "reflection_complex"}),
}
OPEN = frozenset({"question_open"})


def main() -> int:
    """Rewrite every faulty gold turn and check the rewrite's label."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD_FILE)
    parser.add_argument("--dump", type=Path, default=None)
    args = parser.parse_args()
    detector = TechniqueDetector(build_embedder("minilm"))
    print(f"machine: {describe()}")
    right: dict[str, list[bool]] = defaultdict(list)
    used: Counter[str] = Counter()
    rows = []
    for item in load_gold(args.gold):
        labels: list[Labels] = [
            ClientLabels(talk_type=item.client_talk or "neutral"),
            CoachLabels(
                techniques=item.techniques,
                primary=item.primary,
                flags=item.flags,
                grow_stage=item.grow,
                question_count=item.coach.count("?"),
            ),
        ]
        weakness = weakness_of(labels, 1)
        if weakness is None:
            continue
        rewrite = suggest_rewrite(item.coach, weakness, [item.client])
        if rewrite is None:
            continue
        got = detector.label_coach(rewrite, item.client)
        ok = got.primary in WANTED.get(weakness, OPEN) and got.question_count <= 1
        right[weakness].append(ok)
        used[rewrite] += 1
        row = {"id": item.id, "client": item.client, "coach": item.coach, "fault": weakness}
        rows.append({**row, "rewrite": rewrite, "label": got.primary, "ok": ok})
    total = [ok for oks in right.values() for ok in oks]
    for fault, oks in sorted(right.items()):
        print(f"  {fault:<11} {sum(oks)}/{len(oks)} = {sum(oks) / len(oks):.3f}")
    print(f"rewrites carrying the wanted technique: {sum(total)}/{len(total)} = "
          f"{sum(total) / max(len(total), 1):.3f}; {len(used)} distinct rewrites")  # fmt: skip
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
