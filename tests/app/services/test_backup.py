"""Backup: export → import → export loses nothing, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.bootstrap import Services, build_services
from app.services.errors import AuthenticationFailed, Conflict, InvalidInput, PermissionDenied
from app.services.principal import Principal, Role
from app.settings import Settings
from retrieval.minilm import MiniLMEmbedder
from tests.builders import PASSWORD, make_user


@pytest.fixture
def source(database_url: str, tmp_path: Path, minilm: MiniLMEmbedder) -> Iterator[Services]:
    built = build_services(
        Settings(data_dir=tmp_path / "a", database_url=database_url), embedder=minilm
    )
    built.prepare()
    yield built
    built.close()


@pytest.fixture
def target(tmp_path: Path, minilm: MiniLMEmbedder) -> Iterator[Services]:
    built = build_services(Settings(data_dir=tmp_path / "b"), embedder=minilm)
    built.prepare()
    yield built
    built.close()


def _fill(services: Services) -> None:
    learner = make_user(services, "lee", Role.LEARNER)
    make_user(services, "fran", Role.FACILITATOR, Role.PEER)
    view = services.practice.start(learner, "workload-delegation", seed=3)
    services.practice.send(learner, view.id, "What would you like from today?")
    services.practice.send(learner, view.id, "It sounds like a lot is landing on you.")
    services.practice.end(learner, view.id)
    services.practice.start(learner, "peer-conflict", seed=4)


def _strip(document: dict) -> dict:
    return {k: v for k, v in document.items() if k != "exported_at"}


def test_round_trip_loses_nothing(source: Services, target: Services) -> None:
    _fill(source)
    system = Principal.system()
    first = source.backup.export_all(system, include_password_hashes=True)
    assert first["tables"]["turns"] and first["tables"]["scorecards"]
    assert "login_tokens" not in first["tables"]
    report = target.backup.import_all(system, first)
    assert report.rows["users"] == 2 and report.rows["practice_sessions"] == 2
    second = target.backup.export_all(system, include_password_hashes=True)
    assert _strip(second) == _strip(first)
    # the imported data works: login, sessions, new rows get fresh ids
    lee = target.accounts.authenticate("lee", PASSWORD)
    sessions = target.practice.list_sessions(lee)
    assert [s.status for s in sessions] == ["active", "ended"]
    assert target.practice.debrief(lee, sessions[1].id).scorecard["overall"] >= 0
    new = target.practice.start(lee, "workload-delegation", seed=1)
    assert new.id > max(s.id for s in sessions)


def test_password_hashes_stay_home_unless_asked(source: Services, target: Services) -> None:
    _fill(source)
    system = Principal.system()
    document = source.backup.export_all(system)
    assert all("password_hash" not in u for u in document["tables"]["users"])
    target.backup.import_all(system, document)
    with pytest.raises(AuthenticationFailed):
        target.accounts.authenticate("lee", PASSWORD)
    target.accounts.set_password(system, "lee", "a-brand-new-password")
    assert target.accounts.authenticate("lee", "a-brand-new-password").username == "lee"


def test_import_refuses_a_database_with_user_data(source: Services) -> None:
    _fill(source)
    document = source.backup.export_all(Principal.system())
    with pytest.raises(Conflict, match="fresh database"):
        source.backup.import_all(Principal.system(), document)


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"format": "other"},
        {"format": "coachlab-export", "version": 99, "tables": {}},
        {"format": "coachlab-export", "version": 1, "tables": {"nope": []}},
        {"format": "coachlab-export", "version": 1, "tables": {"users": "x"}},
    ],
)
def test_malformed_documents_are_rejected(target: Services, document: dict) -> None:
    with pytest.raises(InvalidInput):
        target.backup.import_all(Principal.system(), document)


def test_only_admins_back_up(source: Services) -> None:
    learner = make_user(source, "lee", Role.LEARNER)
    with pytest.raises(PermissionDenied):
        source.backup.export_all(learner)
