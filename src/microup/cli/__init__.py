"""The `microup` command: parse what was typed, call the core and the store, hand results to render.

Each module of this package adds its commands to the one Typer app in `common`.
"""

from microup.cli import history, journal, remind, review
from microup.cli.common import app

__all__ = ["app", "history", "journal", "main", "remind", "review"]


def main() -> None:
    """Console-script entry point."""
    app()
