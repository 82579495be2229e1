"""Settings for the test suite: the base settings, with TANDEM_TEST_DATABASE_URL
taking the place of TANDEM_DATABASE_URL (SQLite in memory when unset)."""

import os

os.environ["TANDEM_TESTING"] = "1"

from .settings import *  # noqa: E402,F403
