"""Shared pytest set-up: the numbered stage files live in the repo root and are imported with
importlib.import_module("02_sandbox") etc., so the root goes on sys.path."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes more than a few seconds (still run in CI)")
