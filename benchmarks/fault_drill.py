"""Fault drill: kill the app mid-session, delete the vector index, corrupt content files.

Usage: python benchmarks/fault_drill.py [--kills 8] [--items 200] [--database URL]

Three drills against the real services, each printing its figures; the exit status is non-zero
if any drill loses data or fails to recover:

1. **killed mid-session** — a child process practises in a loop and reports each turn the
   service acknowledged; it is SIGKILLed at a random moment, ``--kills`` times, on the same
   session. After each kill a fresh process must find every acknowledged learner turn, get the
   persona's reply if the kill came between the two ("Get reply"), and continue the session.
2. **Chroma folder deleted** — ``--items`` exchanges are shared, the on-disk index folder is
   deleted, and a new process searches: keyword search must still find them; ``coachlab
   reindex`` (``LibraryService.reindex``) must restore the vectors.
3. **corrupt content** — a content folder holds a malformed YAML scenario, a rubric with a wrong
   field and a file that is not UTF-8: start-up must load the rest and report each problem with
   its file and line.

Default database: a fresh SQLite file; pass a PostgreSQL URL to use a scratch database there.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from load_test import LINES as LOAD_LINES
from scratch_db import create_scratch, drop_scratch

from app.bootstrap import Services, build_services
from app.services.library import ImportItem
from app.services.principal import Principal, Role
from app.settings import Settings

PASSWORD = "fault-drill-password"  # noqa: S105 - a throwaway drill account
SCENARIO = "workload-delegation"
LINES = LOAD_LINES[:5]  # open questions and reflections: the session runs on without ending
REPO = Path(__file__).resolve().parents[1]


def _child(settings_json: str, session_id: int) -> None:
    """Practise in a loop, printing ``ack N`` after each turn the service stored."""
    services = build_services(Settings.from_portable_json(settings_json))
    learner = services.accounts.authenticate("drill", PASSWORD)
    services.embedder.embed(["warm up"])
    print("ready", flush=True)
    n = 0
    while True:
        view = services.practice.get(learner, session_id)
        if view.awaiting_reply:
            services.practice.retry_reply(learner, session_id)
        line = f"{LINES[n % len(LINES)]} [{os.getpid()}.{n}]"
        services.practice.send(learner, session_id, line)
        print(f"ack {line}", flush=True)
        n += 1


def _kill_drill(settings: Settings, services: Services, kills: int, rng: random.Random) -> bool:
    learner = services.accounts.authenticate("drill", PASSWORD)
    session_id = services.practice.start(learner, SCENARIO, seed=1).id
    acknowledged: list[str] = []
    resume_ms: list[float] = []
    replies_recovered = 0
    ok = True
    for _ in range(kills):
        child = subprocess.Popen(
            [sys.executable, __file__, "--child", str(session_id)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(settings.to_portable_json())
        child.stdin.close()
        if child.stdout.readline().strip() != "ready":
            print("child did not start", file=sys.stderr)
            child.kill()
            return False
        time.sleep(rng.uniform(0.05, 1.5))
        child.send_signal(signal.SIGKILL)
        child.wait()
        acknowledged += [line[4:].rstrip("\n") for line in child.stdout if line.startswith("ack ")]
        child.stdout.close()
        started = time.perf_counter()
        view = services.practice.get(learner, session_id)  # what a reload after the crash sees
        if view.awaiting_reply:
            view = services.practice.retry_reply(learner, session_id)
            replies_recovered += 1
        resume_ms.append(1000 * (time.perf_counter() - started))
        stored = [t.text for t in view.turns if t.speaker == "coach"]
        missing = [line for line in acknowledged if line not in stored]
        if missing or view.status != "active":
            print(f"lost after a kill: {missing} (status {view.status})", file=sys.stderr)
            ok = False
    final = services.practice.send(learner, session_id, "What will you do first, and when?")
    ok = ok and final.turns[-1].speaker == "client"
    stored = {t.text for t in final.turns if t.speaker == "coach"}
    kept = sum(1 for line in acknowledged if line in stored)
    print(
        f"killed mid-session: {kills} SIGKILLs, {len(acknowledged)} acknowledged learner turns, "
        f"{kept} kept; {replies_recovered} kills fell between "
        f"a turn and its reply and were answered on resume; resume median "
        f"{statistics.median(resume_ms):.0f} ms, max {max(resume_ms):.0f} ms; "
        f"session continues: {'yes' if ok else 'NO'}"
    )
    return ok


def _chroma_drill(settings: Settings, services: Services, items: int) -> bool:
    from chromadb.api.client import SharedSystemClient

    author = services.accounts.authenticate("drill", PASSWORD)
    peer = services.accounts.authenticate("peer", PASSWORD)
    batch = [
        ImportItem(
            coach=f"It sounds like the deadline for report {i} is weighing on you.",
            client=f"Report {i} is due and I have no time.",
            note=f"Reflection on workload, drill item {i}",
            visibility="community",
        )
        for i in range(items)
    ]
    services.library.import_exchanges(author, batch)
    services.close()
    shutil.rmtree(settings.chroma_path)
    SharedSystemClient.clear_system_cache()  # what a new process sees
    fresh = build_services(settings)  # a new embedder too: no cached vectors to lean on
    try:
        started = time.perf_counter()
        keyword_hits = fresh.library.search(peer, "drill item 7", limit=5)
        first_ms = 1000 * (time.perf_counter() - started)
        missing = fresh.library.index.missing_vectors
        started = time.perf_counter()
        restored = fresh.library.reindex(Principal.system())
        reindex_s = time.perf_counter() - started
        after = fresh.library.search(peer, "a reflection about a looming deadline", limit=5)
        ok = (
            bool(keyword_hits)
            and missing == items
            and restored == items
            and fresh.library.index.missing_vectors == 0
            and bool(after)
        )
        print(
            f"Chroma folder deleted: {items} items; search still answered from keywords "
            f"({len(keyword_hits)} hits, first query {first_ms:.0f} ms, {missing} vectors "
            f"missing); reindex restored {restored} vectors in {reindex_s:.1f} s "
            f"({restored / max(reindex_s, 1e-9):.0f}/s); semantic search after: "
            f"{len(after)} hits; recovered: {'yes' if ok else 'NO'}"
        )
        return ok
    finally:
        fresh.close()


def _content_drill(base: Settings, root: Path) -> bool:
    content = root / "content"
    (content / "scenarios").mkdir(parents=True)
    (content / "rubrics").mkdir(parents=True)
    (content / "scenarios" / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n")
    (content / "scenarios" / "latin1.yaml").write_bytes("title: caf\xe9\n".encode("latin-1"))
    rubric = (REPO / "rubrics" / "builtin" / "core-coaching.yaml").read_text(encoding="utf-8")
    bad_rubric = rubric.replace("id: core-coaching", "id: drill-rubric", 1)
    bad_rubric = bad_rubric.replace("weight:", "weight: heavy #", 1)
    (content / "rubrics" / "bad.yaml").write_text(bad_rubric, encoding="utf-8")
    settings = base.model_copy(
        update={"content_dir": content, "data_dir": root / "content-data", "database_url": None}
    )
    started = time.perf_counter()
    services = build_services(settings)
    try:
        report = services.prepare()
        took = time.perf_counter() - started
        admin = Principal.system()
        scenarios = services.content.list_scenarios(admin)
        named = all(
            any(name in e for e in report.errors) for name in ("broken", "latin1", "bad.yaml")
        )
        lined = sum(1 for e in report.errors if re.search(r"\.yaml:\d+", e))
        ok = len(report.errors) >= 3 and named and len(scenarios) > 0
        print(
            f"corrupt content: 3 bad files; started in {took:.1f} s with {len(scenarios)} "
            f"scenarios; {len(report.errors)} problems reported ({lined} with file:line); "
            f"each names its file: {'yes' if named else 'NO'}"
        )
        for error in report.errors:
            print(f"  {error}")
        return ok
    finally:
        services.close()


def main() -> int:
    """Run the three drills; return 0 when every one recovered without loss."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=8)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--database", help="SQLAlchemy URL (default: fresh SQLite file)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        _child(sys.stdin.read(), args.child)
        return 0

    root = Path(tempfile.mkdtemp(prefix="coachlab-faults-"))
    scratch = None
    database = args.database
    if database and database.startswith("postgresql"):
        database, scratch = create_scratch(database, "coachlab_faults")
    settings = Settings(data_dir=root / "data", database_url=database)
    services = build_services(settings)
    try:
        services.prepare()
        for name, role in (("drill", Role.LEARNER), ("peer", Role.PEER)):
            services.accounts.create_user(Principal.system(), name, PASSWORD, {role})
        print(f"database: {'PostgreSQL' if scratch else 'SQLite'}; {os.cpu_count()} cores")
        results = [
            _kill_drill(settings, services, args.kills, random.Random(args.seed)),
            _chroma_drill(settings, services, args.items),
            _content_drill(settings, root),
        ]
    finally:
        services.close()
        if scratch and args.database:
            drop_scratch(args.database, scratch)
        shutil.rmtree(root, ignore_errors=True)
    print("all drills recovered" if all(results) else "A DRILL FAILED")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
