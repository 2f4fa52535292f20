"""What every tier shares."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from eckospace.config import forget_settings


@pytest.fixture(autouse=True)
def settings_of_this_test() -> Iterator[None]:
    """Settings are kept once read: each test reads them from the environment it sets up."""
    forget_settings()
    yield
    forget_settings()
