"""The `microup` command: parse what was typed, call the core and the store, hand results to render.

Each module of this package adds its commands to the one Typer app in `common`.
"""

from microup.cli import admin, changes, history, journal, remind, review, timer
from microup.cli.common import app

__all__ = ["admin", "app", "changes", "history", "journal", "main", "remind", "review", "timer"]


def main() -> None:
    """Console-script entry point."""
    app()
