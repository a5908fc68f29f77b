"""Root conftest: the suite always runs in test mode, whatever the shell says."""

import os

os.environ["CONTEXTSAFE_MODE"] = "test"

pytest_plugins = ["tests.fixtures", "tests.browser"]
