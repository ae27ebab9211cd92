from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.media.image_server import ImageServer
from tests.monitor.conftest import config_dir  # noqa: F401  (a copy of the example division a test may edit)


@pytest.fixture
def server() -> Iterator[ImageServer]:
    with ImageServer() as s:
        yield s
