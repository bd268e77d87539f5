"""The `microup` command: every command module adds its commands to the one Typer app."""

from microup.cli import admin, changes, history, journal, remind, review, timer
from microup.cli.common import app

__all__ = ["admin", "app", "changes", "history", "journal", "remind", "review", "timer"]
