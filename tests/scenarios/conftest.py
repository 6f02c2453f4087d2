"""Fixtures for the scenario tests: built-in scenarios, the real detector, embedder, engine."""

from __future__ import annotations

import pytest

from retrieval.hashing import HashingEmbedder
from rubrics.detector import TechniqueDetector
from scenarios.catalogue import builtin_scenarios
from scenarios.model import Scenario
from scenarios.offline import OfflinePersonaEngine


@pytest.fixture(scope="session")
def scenarios() -> dict[str, Scenario]:
    return builtin_scenarios()


@pytest.fixture(scope="session")
def embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture(scope="session")
def detector() -> TechniqueDetector:
    """The real rubric detector, rules only (no trained weights needed)."""
    return TechniqueDetector()


@pytest.fixture
def engine(embedder: HashingEmbedder) -> OfflinePersonaEngine:
    return OfflinePersonaEngine(embedder)
