"""The plugin's tests run partner-like test files in a fresh pytest process, with pytest's ``pytester``."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Not `pytest_plugins = ["pytester"]`: pytest refuses that outside the top-level conftest, and a full run
    # collects this folder as a non-top-level one. Registering it here does the same for these tests.
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")
