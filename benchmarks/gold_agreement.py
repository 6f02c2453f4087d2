"""Agreement between two blind annotation passes of the typed-coaching gold set, and the items
they disagree on (the adjudicator's work list).

Usage:
    python benchmarks/gold_agreement.py ITEMS.jsonl A.jsonl B.jsonl [--disagreements OUT.jsonl]

``ITEMS`` holds the items as annotators saw them (id, context, client, coach); ``A`` and ``B`` hold
each pass's labels (id, primary, techniques, flags, grow, client_talk).  Printed: Cohen's κ on the
primary label overall and per label (one label against the rest), on the client talk type, and the
share of exact agreement; ``--disagreements`` writes every item where the passes differ on the
primary or the client talk type, with both readings, for the third (adjudication) pass.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

LABELS = (
    "question_open",
    "question_closed",
    "reflection_simple",
    "reflection_complex",
    "summary",
    "affirmation",
    "advice",
    "information",
    "permission",
    "structuring",
    "other",
)


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float:
    """Cohen's κ of two raters over the same items (1.0 when both are constant and equal)."""
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def _read(path: Path) -> dict[str, dict[str, object]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return {str(r["id"]): r for r in rows}


def main() -> int:
    """Print the agreement figures and write the disagreements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("items", type=Path)
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--disagreements", type=Path, default=None)
    args = parser.parse_args()
    items, a, b = _read(args.items), _read(args.a), _read(args.b)
    ids = [i for i in items if i in a and i in b]
    pa = [str(a[i]["primary"]) for i in ids]
    pb = [str(b[i]["primary"]) for i in ids]
    print(f"{len(ids)} items labelled by both passes (of {len(items)})")
    same = sum(x == y for x, y in zip(pa, pb, strict=True)) / len(ids)
    print(f"primary: exact agreement {same:.3f}, Cohen's kappa {cohen_kappa(pa, pb):.3f}")
    print(f"{'label':<20}{'kappa':>7}{'A':>5}{'B':>5}")
    for label in LABELS:
        ka = ["y" if x == label else "n" for x in pa]
        kb = ["y" if x == label else "n" for x in pb]
        print(f"{label:<20}{cohen_kappa(ka, kb):>7.3f}{ka.count('y'):>5}{kb.count('y'):>5}")
    talk = [(str(a[i]["client_talk"]), str(b[i]["client_talk"])) for i in ids]
    talk = [(x, y) for x, y in talk if "none" not in (x, y)]
    if talk:
        ta, tb = zip(*talk, strict=True)
        print(f"client talk type: kappa {cohen_kappa(ta, tb):.3f} over {len(talk)} client turns")
    if args.disagreements:
        with args.disagreements.open("w", encoding="utf-8") as out:
            for i in ids:
                if a[i]["primary"] != b[i]["primary"] or a[i]["client_talk"] != b[i]["client_talk"]:
                    row = dict(items[i])
                    row["reading_1"] = {
                        k: a[i][k] for k in ("primary", "techniques", "client_talk")
                    }
                    row["reading_2"] = {
                        k: b[i][k] for k in ("primary", "techniques", "client_talk")
                    }
                    out.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
