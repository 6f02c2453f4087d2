"""The studio service: drafts, live issues, brief preview, test drive, versions, publishing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.bootstrap import Services
from app.services.errors import InvalidInput, NotFound, PermissionDenied
from app.services.principal import Principal, Role
from app.storage.models import PracticeSession
from rubrics.yaml_source import ContentError
from tests.app.services.helpers import TRANSCRIPT, practise
from tests.builders import alias_bomb, make_user


@pytest.fixture
def fran(services: Services) -> Principal:
    return make_user(services, "fran", Role.FACILITATOR)


def _sessions(services: Services) -> int:
    with services.db.session() as s:
        return int(s.scalar(select(func.count(PracticeSession.id))) or 0)


def test_author_a_scenario_from_scratch(
    services: Services, fran: Principal, learner: Principal
) -> None:
    draft = services.authoring.starter("scenario")
    draft = services.authoring.with_fields(
        draft,
        {"id": "late-reports", "title": "Late reports", "difficulty": 3, "persona.name": "Ana"},
    )
    check = services.authoring.check_scenario(fran, draft)
    assert check.issues == [] and check.preview is not None
    assert (check.preview.title, check.preview.persona_name) == ("Late reports", "Ana")
    assert "the_fact" not in repr(check.preview)  # the brief carries nothing hidden

    broken = draft.replace("difficulty: 3", "difficulty: 7")
    (issue,) = services.authoring.check_scenario(fran, broken).issues
    assert (issue.field, issue.line) == (
        "difficulty",
        broken.splitlines().index("difficulty: 7") + 1,
    )
    assert "at most 5" in issue.message

    assert services.authoring.save_scenario(fran, draft) == ("late-reports", 1)
    row = next(r for r in services.authoring.scenarios(fran) if r.id == "late-reports")
    assert not row.published  # new scenarios start as drafts
    assert "late-reports" not in {c.id for c in services.content.list_scenarios(learner)}
    assert services.authoring.save_scenario(fran, draft) == ("late-reports", 2)  # auto-numbered
    services.authoring.set_published(fran, "late-reports", True)
    assert "late-reports" in {c.id for c in services.content.list_scenarios(learner)}

    practise(services, learner, "late-reports")
    history = services.authoring.scenario_history(fran, "late-reports")
    assert [(h.version, h.uses, h.author) for h in history] == [(2, 1, "fran"), (1, 0, "fran")]
    assert "version: 1" in services.authoring.scenario_yaml(fran, "late-reports", 1)
    assert "version: 2" in services.authoring.scenario_yaml(fran, "late-reports")
    with pytest.raises(InvalidInput, match="already exists"):
        services.authoring.save_scenario(fran, draft, next_version=False)
    with pytest.raises(ContentError):
        services.authoring.save_scenario(fran, broken)


def test_test_drive_plays_the_draft_and_stores_nothing(services: Services, fran: Principal) -> None:
    draft = services.authoring.starter("scenario")
    before = _sessions(services)
    drive = services.authoring.start_drive(fran, draft)
    assert drive.turns == [("client", "You wanted a word? I've only got a few minutes.")]
    drive = services.authoring.drive(fran, draft, drive, "What's been happening for you lately?")
    assert [speaker for speaker, _ in drive.turns] == ["client", "coach", "client"]
    assert drive.unlocked == ["the_fact"]
    assert "The persona's words when the coach earns this layer." in drive.turns[-1][1]
    # the author sees why: one trace per reply, naming the layer earned and the plan
    assert len(drive.traces) == 1
    earned = [t for t in drive.traces[0].layers if t.status == "earned"]
    assert [t.layer for t in earned] == ["the_fact"] and "reveal the_fact" in drive.traces[0].plan
    assert _sessions(services) == before
    with pytest.raises(InvalidInput, match="Fix the draft"):
        services.authoring.drive(fran, "id: [", drive, "Hello?")
    with pytest.raises(InvalidInput):
        services.authoring.drive(fran, draft, drive, "   ")


def test_write_and_try_a_rubric(services: Services, fran: Principal) -> None:
    draft = services.authoring.starter("rubric")
    assert services.authoring.check_rubric(fran, draft) == []
    issues = services.authoring.check_rubric(fran, draft.replace("weight: 50", "weight: 500", 1))
    assert [i.field for i in issues] == ["criteria[0].weight"]
    card = services.authoring.try_rubric(fran, draft, transcript=TRANSCRIPT)
    assert card["rubric"]["id"] == "my-new-rubric"
    assert [c["id"] for c in card["criteria"]] == ["open-questions", "listening"]
    with pytest.raises(InvalidInput):
        services.authoring.try_rubric(fran, draft)
    assert services.authoring.save_rubric(fran, draft) == ("my-new-rubric", 1)
    assert services.authoring.save_rubric(fran, draft) == ("my-new-rubric", 2)
    assert [h.version for h in services.authoring.rubric_history(fran, "my-new-rubric")] == [2, 1]
    assert "my-new-rubric" in {c.id for c in services.content.list_rubrics()}
    assert services.authoring.rubric_yaml(fran, "my-new-rubric").count("version: 2") == 1


def test_try_a_rubric_on_sessions_of_own_cohorts_only(
    services: Services, fran: Principal, learner: Principal
) -> None:
    session_id = practise(services, learner)
    draft = services.authoring.starter("rubric")
    assert services.authoring.sample_sessions(fran) == []
    with pytest.raises(NotFound):
        services.authoring.try_rubric(fran, draft, session_id=session_id)
    cohort = services.cohorts.create_cohort(fran, "Mine")
    services.cohorts.add_member(fran, cohort.id, learner.username)
    (choice,) = services.authoring.sample_sessions(fran)
    assert (choice.id, choice.learner) == (session_id, "lee")
    card = services.authoring.try_rubric(fran, draft, session_id=session_id)
    assert card["overall"] >= 0


def test_learners_and_peers_cannot_author(
    services: Services, fran: Principal, learner: Principal
) -> None:
    peer = make_user(services, "pat", Role.PEER)
    rubric = services.authoring.starter("rubric")
    scenario = services.authoring.starter("scenario")
    for who in (learner, peer):
        with pytest.raises(PermissionDenied):
            services.authoring.save_rubric(who, rubric)
        with pytest.raises(PermissionDenied):
            services.authoring.check_rubric(who, rubric)
        with pytest.raises(PermissionDenied):
            services.authoring.save_scenario(who, scenario)
        with pytest.raises(PermissionDenied):
            services.authoring.start_drive(who, scenario)
        with pytest.raises(PermissionDenied):
            services.authoring.set_published(who, "peer-conflict", False)
        with pytest.raises(PermissionDenied):
            services.authoring.rubric_history(who, "core-coaching")
    assert services.authoring.rubric_history(fran, "core-coaching")[0].author == "built-in"


def test_live_validation_and_the_form_refuse_a_yaml_alias_bomb(
    services: Services, fran: Principal
) -> None:
    draft = alias_bomb(6, prefix="schema_version: 1\n")
    (issue,) = services.authoring.check_scenario(fran, draft).issues
    assert issue.line == 3 and "aliases" in issue.message
    with pytest.raises(InvalidInput, match="aliases"):
        services.authoring.with_fields(draft, {"title": "x"})


def test_live_validation_refuses_a_version_beyond_64_bits(
    services: Services, fran: Principal
) -> None:
    draft = services.authoring.starter("scenario")
    huge = "version: 99999999999999999999999999"
    draft = "\n".join(huge if line.startswith("version:") else line for line in draft.splitlines())
    (issue,) = services.authoring.check_scenario(fran, draft).issues
    assert (issue.field, issue.line) == ("version", draft.splitlines().index(huge) + 1)
    assert issue.message.startswith("must be at most 2147483647")
