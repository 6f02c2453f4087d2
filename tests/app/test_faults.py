"""Faults: a process killed mid-reply loses no learner turn; bad content files never stop a start.

- A worker process is SIGKILLed while the persona's reply is streaming (the LLM stub stalls after
  the first chunk).  A new process on the same database finds the session with the learner's
  turn, answers it with ``retry_reply`` and carries on.
- A content folder holding a malformed YAML scenario, a scenario that is not UTF-8 and a rubric
  with an invalid field: the services and the Streamlit app start, the valid content (built-in and
  the folder's good scenario) is there, and each problem, naming file, line and field, is logged
  and shown to facilitators.
"""

from __future__ import annotations

import logging
import select
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.bootstrap import build_services
from app.services.errors import PermissionDenied
from app.services.principal import Role
from app.settings import Settings
from rubrics.catalogue import builtin_rubrics
from scenarios.catalogue import builtin_scenarios
from tests.builders import PASSWORD, alias_bomb, make_user
from tests.support.apptest import log_in, prepared, use_app_env
from tests.support.openai_server import OpenAIServer, Reply

REPO = Path(__file__).resolve().parents[2]
LINES = [
    "What would you like to get out of our time today?",
    "It sounds like that meeting really stung. What happened?",
    "What would you like Tom to understand?",
]

# The killed process: one full turn, then a second turn whose reply stalls mid-stream.
CHILD = textwrap.dedent(
    """
    import sys, time
    from app.bootstrap import build_services
    from app.services.principal import Principal, Role
    from app.settings import Settings

    data, base_url, password, first, second = sys.argv[1:]
    services = build_services(Settings(
        data_dir=data, llm_provider="openai", OPENAI_BASE_URL=base_url, embedder="hashing",
        llm_max_retries=0, llm_timeout_s=120,
    ))
    services.prepare()
    services.accounts.create_user(Principal.system(), "lee", password, {Role.LEARNER})
    lee = services.accounts.authenticate("lee", password)
    view = services.practice.start(lee, "peer-conflict", seed=3)
    services.practice.send(lee, view.id, first)
    for chunk in services.practice.send_stream(lee, view.id, second):
        print("STREAMING", view.id, flush=True)
        time.sleep(600)  # killed here, halfway through the persona's reply
    """
)


def _llm_settings(data: Path, base_url: str) -> Settings:
    return Settings(
        data_dir=data,
        llm_provider="openai",
        OPENAI_BASE_URL=base_url,
        embedder="hashing",
        llm_max_retries=0,
        llm_timeout_s=10,
    )


def test_a_process_killed_mid_reply_keeps_the_turn_and_the_session_continues(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    with OpenAIServer() as server:
        server.enqueue(
            Reply("Right. Tom cut me off in front of the whole team."),
            Reply("Honestly, it stung more than I let on, and then", chunk_delay_s=120),
        )
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(data), server.base_url, PASSWORD, *LINES[:2]],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            ready, _, _ = select.select([child.stdout], [], [], 120)
            line = child.stdout.readline() if ready and child.stdout else ""
            if not line.startswith("STREAMING"):
                child.kill()
                pytest.fail(f"the child never streamed: {child.communicate()[1][-2000:]}")
            session_id = int(line.split()[1])
            assert len(server.requests) == 2 and server.requests[1]["stream"] is True
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
        assert child.returncode == -signal.SIGKILL

        server.default = Reply("Fine. I suppose I was angry with myself too.")
        services = build_services(_llm_settings(data, server.base_url))
        try:
            services.prepare()  # what a restarted app does first
            lee = services.accounts.authenticate("lee", PASSWORD)
            assert services.practice.active_session(lee) == session_id
            view = services.practice.get(lee, session_id)
            assert [t.speaker for t in view.turns] == ["client", "coach", "client", "coach"]
            assert [view.turns[1].text, view.turns[3].text] == LINES[:2]
            assert view.awaiting_reply and view.status == "active"
            assert "stung more" not in " ".join(t.text for t in view.turns)  # no half reply

            answered = services.practice.retry_reply(lee, session_id)
            assert not answered.awaiting_reply
            assert [t.speaker for t in answered.turns][-2:] == ["coach", "client"]
            assert answered.turns[-1].text.strip()

            after = services.practice.send(lee, session_id, LINES[2])
            assert len(after.turns) == 7 and after.turns[5].text == LINES[2]
            assert not after.awaiting_reply
        finally:
            services.close()


# -- corrupt content -----------------------------------------------------------------------------
def write_content(root: Path) -> list[tuple[Path, int, str]]:
    """A content folder with one good scenario and three bad files: (file, line, field) each."""
    (root / "scenarios").mkdir(parents=True)
    (root / "rubrics").mkdir()
    peer = (REPO / "scenarios" / "builtin" / "peer-conflict.yaml").read_text(encoding="utf-8")
    good = peer.replace("id: peer-conflict", "id: team-conflict").replace(
        'title: "Cut off in front of the team"', 'title: "Our own team scenario"'
    )
    (root / "scenarios" / "team-conflict.yaml").write_text(good, encoding="utf-8")
    malformed = root / "scenarios" / "broken.yaml"
    malformed.write_text(
        "schema_version: 1\nid: broken\nversion: 1\ntitle: [Unclosed, list\ncontext: peer\n",
        encoding="utf-8",
    )
    latin = root / "scenarios" / "latin1.yaml"
    latin.write_bytes("schema_version: 1\nid: latin\ntitle: Café\n".encode("latin-1"))
    core = (REPO / "rubrics" / "builtin" / "core-coaching.yaml").read_text(encoding="utf-8")
    rubric = root / "rubrics" / "team-rubric.yaml"
    bad = core.replace("id: core-coaching", "id: team-rubric")
    bad = bad.replace("    weight: 15\n", "    weight: heavy\n", 1)
    rubric.write_text(bad, encoding="utf-8")
    weight_line = bad.splitlines().index("    weight: heavy") + 1
    # PyYAML notices the unclosed list on the line after it opens
    return [(malformed, 5, ""), (latin, 3, ""), (rubric, weight_line, "criteria[0].weight")]


def _assert_named(problems: list[str], expected: list[tuple[Path, int, str]]) -> None:
    assert len(problems) == len(expected), problems
    for problem, (path, line, field) in zip(problems, expected, strict=True):
        assert problem.startswith(f"{path}:{line}: {field}"), problem
    assert "YAML syntax error" in problems[0]
    assert "not UTF-8" in problems[1]
    assert "must be a number (found 'heavy')" in problems[2]


def test_bad_content_files_are_reported_and_the_rest_loads(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    expected = write_content(tmp_path / "content")
    settings = Settings(
        data_dir=tmp_path / "data", content_dir=tmp_path / "content", embedder="hashing"
    )
    for start in range(2):  # the first start and a restart report the same problems
        services = build_services(settings)
        try:
            caplog.clear()
            with caplog.at_level(logging.WARNING, logger="app.services.content"):
                report = services.prepare()
            _assert_named(report.errors, expected)
            logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
            assert all(any(e in message for message in logged) for e in report.errors)
            if start == 0:
                facilitator = make_user(services, "fran", Role.FACILITATOR)
                learner = make_user(services, "lee", Role.LEARNER)
            assert services.content.load_problems(facilitator) == report.errors
            with pytest.raises(PermissionDenied):
                services.content.load_problems(learner)
            ids = {card.id for card in services.content.list_scenarios(learner)}
            assert ids == {*builtin_scenarios(), "team-conflict"}
            rubric_ids = [card.id for card in services.content.list_rubrics()]
            assert rubric_ids == sorted(builtin_rubrics())
            session = services.practice.start(learner, "team-conflict", seed=1)
            assert session.scenario.title == "Our own team scenario"
        finally:
            services.close()


def test_an_alias_bomb_in_the_content_folder_is_skipped_with_its_line(tmp_path: Path) -> None:
    (folder := tmp_path / "content" / "scenarios").mkdir(parents=True)
    (folder / "bomb.yaml").write_text(alias_bomb(6), encoding="utf-8")
    settings = Settings(
        data_dir=tmp_path / "data", content_dir=tmp_path / "content", embedder="hashing"
    )
    services = build_services(settings)
    try:
        report = services.prepare()
        assert report.errors == [
            f"{folder / 'bomb.yaml'}:2: YAML aliases (*name) are not allowed: write the value "
            "out in full"
        ]
    finally:
        services.close()


def test_a_missing_content_folder_is_reported_and_builtins_load(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    settings = Settings(data_dir=tmp_path / "data", content_dir=missing, embedder="hashing")
    services = build_services(settings)
    try:
        report = services.prepare()
        assert report.errors == [
            f"{missing}: the content folder does not exist (setting COACHLAB_CONTENT_DIR)"
        ]
        assert len(report.added) == len(builtin_scenarios()) + len(builtin_rubrics())
    finally:
        services.close()


@pytest.fixture
def broken_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, int, str]]:
    """Environment for the Streamlit app: a content folder with bad files, two users."""
    expected = write_content(tmp_path / "content")
    settings = use_app_env(
        monkeypatch, tmp_path / "data", embedder="hashing", content_dir=str(tmp_path / "content")
    )
    prepared(settings, [("lee", [Role.LEARNER]), ("fran", [Role.FACILITATOR])]).close()
    return expected


def test_the_app_starts_with_bad_content_and_tells_facilitators(
    broken_app: list[tuple[Path, int, str]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="app.services.content"):
        learner = log_in("lee")
    assert not learner.exception
    assert learner.title[0].value == "Practise a conversation"
    options = learner.selectbox(key="scenario").options
    assert any("Our own team scenario" in option for option in options)
    assert len(options) == len(builtin_scenarios()) + 1
    assert not learner.warning  # learners are not shown the facilitators' problems
    logged = " ".join(r.getMessage() for r in caplog.records)
    for path, line, _ in broken_app:  # the app's own start-up logged every problem
        assert f"{path}:{line}:" in logged

    facilitator = log_in("fran")
    assert not facilitator.exception
    assert facilitator.title[0].value == "Scenarios and rubrics"
    shown = facilitator.warning[0].value.replace("\\", "")  # plain() escapes Markdown
    assert "3 problem(s) in content files" in shown
    _assert_named([line.removeprefix("- ") for line in shown.splitlines()[2:]], broken_app)
    assert any("Our own team scenario" in e.label for e in facilitator.expander)
