"""The command line; `gaptrack = "gaptrack.cli:main"`. See app.py."""

from gaptrack.cli.app import app, main

__all__ = ["app", "main"]
