"""Where the tests find the AnnoMI dev data, and the mark that skips a test when it is absent.

Every skip for missing data carries ``ANNOMI_SKIP_REASON``, which names ``COACHLAB_ANNOMI_DIR``;
``tests/conftest.py`` counts those skips in the run's summary so they are never silent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ANNOMI_DIR = Path(
    os.environ.get(
        "COACHLAB_ANNOMI_DIR",
        Path(__file__).resolve().parents[3] / "shared" / "data" / "annomi-dev",
    )
)
ANNOMI_SKIP_REASON = f"AnnoMI dev data not found at {ANNOMI_DIR} (set COACHLAB_ANNOMI_DIR)"
needs_annomi = pytest.mark.skipif(
    not (ANNOMI_DIR / "AnnoMI-simple.csv").is_file(), reason=ANNOMI_SKIP_REASON
)
