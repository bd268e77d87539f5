"""Let `python -m microup` behave exactly like the `microup` command."""

from microup.cli.main import main

main()
