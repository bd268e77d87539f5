"""The console-script entry point, kept free of heavy imports so Ctrl-C during start-up is
answered like Ctrl-C anywhere else: one line and exit 130, never a traceback."""

import sys


def main() -> None:
    """Run the `microup` command."""
    try:
        from microup.cli import app
    except KeyboardInterrupt:
        sys.stderr.write("\nmicroup: error: interrupted\n")
        sys.exit(130)
    app()
