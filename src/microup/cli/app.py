"""The `microup` command: the one Typer app, its commands loaded lazily.

No command module is imported here: `cli.commands` lists them and `cli.lazy` imports a
command's module when that command runs (or shows its own help), so `microup --help` and
completion stay as fast as importing Typer. `cli.main` imports this module inside its own
Ctrl-C guard.
"""

from microup.cli.common import app

__all__ = ["app"]
