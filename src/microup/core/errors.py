"""The exceptions microup raises; the CLI turns each into one message and an exit code."""


class MicroupError(Exception):
    """Something the user can fix or should know about; never shown as a traceback."""

    exit_code = 1


class UsageError(MicroupError):
    """Bad input on the command line or in an imported file (exit 2)."""

    exit_code = 2


class StoreError(MicroupError):
    """The database cannot be used as it is: corrupt, foreign, newer, unreachable (exit 1)."""

    exit_code = 1


class StoreBusyError(StoreError):
    """Another process held the store's write lock for longer than the busy timeout."""


class NoStoreError(StoreError):
    """A read-only command found no store where it was told to look (it never creates one)."""


class NotFoundError(MicroupError):
    """An entry id that is not in the store (exit 1)."""

    exit_code = 1
