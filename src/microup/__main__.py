"""Let `python -m microup` behave exactly like the `microup` command."""

from microup.entry import main

main()
