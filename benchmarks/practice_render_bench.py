"""Rerun time of the practice page with a long conversation (60+ turns) under AppTest.

Usage: python benchmarks/practice_render_bench.py [--coach-turns 30] [--reruns 20]

Builds a fresh offline app in a temporary folder, plays a session with ``--coach-turns`` learner
turns (each answered, so the page shows 2 × turns + 1 messages), logs in through the real app and
times ``AppTest.run()`` on the conversation page. Timing lives here, not in the test suite: a
shared machine makes wall-clock assertions flaky.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from app.bootstrap import build_services
from app.services.principal import Principal, Role
from app.settings import Settings

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
PASSWORD = "bench-password-123"  # noqa: S105 - a throwaway user in a temp database
LINES = [
    "What would you like to get out of our time today?",
    "It sounds like a lot is landing on you at once.",
    "What matters most to you about how this goes?",
    "So part of you wants to help everyone, and part of you is exhausted.",
    "What have you already tried?",
    "What would a good week look like for you?",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--coach-turns", type=int, default=30)
    parser.add_argument("--reruns", type=int, default=20)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="coachlab-bench-")) / "data"
    os.environ["COACHLAB_DATA_DIR"] = str(data)
    os.environ["COACHLAB_LLM_PROVIDER"] = "offline"
    os.environ.pop("COACHLAB_DATABASE_URL", None)
    services = build_services(Settings(data_dir=data))
    services.prepare()
    services.accounts.create_user(Principal.system(), "bench", PASSWORD, {Role.LEARNER})
    learner = services.accounts.authenticate("bench", PASSWORD)
    view = services.practice.start(learner, "workload-delegation", seed=1)
    for i in range(args.coach_turns):
        view = services.practice.send(learner, view.id, f"{LINES[i % len(LINES)]} ({i})")
    services.close()

    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.text_input[0].input("bench")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    at.query_params["session"] = str(view.id)
    at.run()  # warm: imports, caches, the first render
    assert not at.exception, at.exception
    shown = len(at.chat_message)
    times = []
    for _ in range(args.reruns):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    assert len(at.chat_message) == shown
    times.sort()
    print(f"practice page, {shown} turns, {args.reruns} reruns")
    print(f"  median {statistics.median(times) * 1000:.0f} ms")
    print(f"  p90    {times[int(len(times) * 0.9) - 1] * 1000:.0f} ms")
    print(f"  max    {times[-1] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
