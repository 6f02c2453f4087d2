"""Assemble the typed-coaching gold set from the written items, two blind annotation passes and
the adjudication of their disagreements.

Usage:
    python benchmarks/build_gold.py --out rubrics/gold/typed-coaching.jsonl \\
        --batch WRITER.jsonl A.jsonl B.jsonl ADJUDICATED.jsonl [--batch ...]

For each item: where both passes agree on the primary label and the client's talk type, their
reading stands (pass A's techniques, flags and GROW stage); otherwise the adjudicator's decision
does.  An item with a disagreement and no adjudication is left out (and counted).  The writer's
intended label is never used as a label; it is only compared with the result and printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _read(path: Path) -> dict[str, dict[str, object]]:
    if not path.exists():
        return {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return {str(r["id"]): r for r in rows}


def main() -> int:
    """Write the gold file and print how it was decided."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--batch", nargs=4, type=Path, action="append", required=True)
    args = parser.parse_args()
    rows: list[dict[str, object]] = []
    agreed = adjudicated = missing = writer_same = 0
    for written, a_path, b_path, adj_path in args.batch:
        items, a, b, adj = _read(written), _read(a_path), _read(b_path), _read(adj_path)
        for item_id, item in items.items():
            if item_id not in a or item_id not in b:
                missing += 1
                continue
            first, second = a[item_id], b[item_id]
            same = (first["primary"], first["client_talk"]) == (
                second["primary"],
                second["client_talk"],
            )
            if same:
                labels, agreed = first, agreed + 1
            elif item_id in adj:
                decided = adj[item_id]
                labels = {
                    **first,
                    **{k: decided[k] for k in ("primary", "techniques", "client_talk")},
                }
                adjudicated += 1
            else:
                missing += 1
                continue
            techniques = list(dict.fromkeys([labels["primary"], *labels["techniques"]]))  # type: ignore[list-item]
            writer_same += item["primary"] == labels["primary"]
            rows.append(
                {
                    "id": item_id,
                    "context": item["context"],
                    "client": item["client"],
                    "coach": item["coach"],
                    "primary": labels["primary"],
                    "techniques": techniques,
                    "flags": labels.get("flags", []),
                    "grow": labels.get("grow", "none"),
                    "client_talk": labels["client_talk"],
                }
            )
    rows.sort(key=lambda r: str(r["id"]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} items: {agreed} agreed by both passes, {adjudicated} adjudicated, "
          f"{missing} left out (not yet labelled twice or not adjudicated)")  # fmt: skip
    if rows:
        print(f"writer's intended primary = gold primary: {writer_same / len(rows):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
