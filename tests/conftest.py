"""Shared pytest set-up: fixtures from tests/support."""

pytest_plugins = ["tests.support.slurm"]
