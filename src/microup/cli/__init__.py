"""The `microup` command line: parse what was typed, call the use cases, render the result.

Nothing is imported here, so the entry point (`cli.main`) can answer Ctrl-C during start-up.
"""
