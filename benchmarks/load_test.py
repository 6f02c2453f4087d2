"""Load test: N simulated learners practising at once through the real services.

Usage: python benchmarks/load_test.py [--learners 50] [--turns 6] [--database URL]

Each learner is a thread with its own account: it starts a session, sends its turns, ends the
session (scorecard) and checks that every turn it sent is stored, in order.  The script prints
the per-turn latency (median, p95), lost turns and database errors, and exits non-zero if any
turn was lost or any "database is locked" error occurred.  Default database: a fresh SQLite file
(WAL mode) in a temporary folder; pass a PostgreSQL URL to test that instead (a fresh database
is created and dropped when the URL ends in ``/test`` and the server allows it).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from scratch_db import create_scratch, drop_scratch

from app.bootstrap import build_services
from app.services.principal import Principal, Role
from app.settings import Settings

LINES = [
    "What would you like to get out of our time today?",
    "It sounds like there is a lot on your plate right now.",
    "What matters most to you about how this turns out?",
    "So you want to protect the team and you're worried about your own energy.",
    "What options can you see from here?",
    "What will you do first, and by when?",
    "How confident do you feel about that, on a scale of one to ten?",
    "What support would help you follow through?",
]
SCENARIOS = ["workload-delegation", "peer-conflict", "promotion-dilemma", "career-change"]


def main() -> int:
    """Run the load test; return 0 when nothing was lost."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--database", help="SQLAlchemy URL (default: fresh SQLite file)")
    args = parser.parse_args()

    scratch: str | None = None
    database = args.database
    if database and database.startswith("postgresql"):
        database, scratch = create_scratch(database, "coachlab_load")
    data_dir = Path(tempfile.mkdtemp(prefix="coachlab-load-"))
    services = build_services(Settings(data_dir=data_dir, database_url=database))
    services.prepare()
    services.embedder.embed(["warm up"])
    system = Principal.system()
    for n in range(args.learners):
        services.accounts.create_user(system, f"load{n}", "load-test-password", {Role.LEARNER})

    latencies: list[float] = []
    errors: list[str] = []
    lost = 0
    lock = threading.Lock()
    barrier = threading.Barrier(args.learners)

    def learner(n: int) -> None:
        nonlocal lost
        try:
            principal = services.accounts.authenticate(f"load{n}", "load-test-password")
            barrier.wait(timeout=120)
            view = services.practice.start(principal, SCENARIOS[n % len(SCENARIOS)], seed=n)
            sent = []
            for i in range(args.turns):
                line = f"{LINES[(n + i) % len(LINES)]} ({n}.{i})"
                start = time.perf_counter()
                services.practice.send(principal, view.id, line)
                took = time.perf_counter() - start
                sent.append(line)
                with lock:
                    latencies.append(took)
            services.practice.end(principal, view.id)
            stored = [
                t.text
                for t in services.practice.get(principal, view.id).turns
                if t.speaker == "coach"
            ]
            if stored != sent:
                with lock:
                    lost += len(set(sent) - set(stored)) or 1
        except Exception as exc:  # every failure is counted and printed, never hidden
            with lock:
                errors.append(f"learner {n}: {type(exc).__name__}: {exc}")

    started = time.perf_counter()
    threads = [threading.Thread(target=learner, args=(n,)) for n in range(args.learners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    services.close()
    if scratch and args.database:
        drop_scratch(args.database, scratch)

    locked = sum("database is locked" in e for e in errors)
    ordered = sorted(latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("nan")
    engine = "PostgreSQL" if scratch else "SQLite (WAL)"
    print(f"load test on {engine}: {args.learners} learners x {args.turns} turns in {wall:.1f} s")
    print(f"  turns stored          {len(latencies)} of {args.learners * args.turns}")
    print(f"  per-turn median       {statistics.median(ordered) * 1000 if ordered else 0:.0f} ms")
    print(f"  per-turn p95          {p95 * 1000:.0f} ms")
    print(f"  lost turns            {lost}")
    print(f"  'database is locked'  {locked}")
    print(f"  other errors          {len(errors) - locked}")
    for error in errors[:10]:
        print(f"    {error}")
    return 1 if lost or errors else 0


if __name__ == "__main__":
    sys.exit(main())
