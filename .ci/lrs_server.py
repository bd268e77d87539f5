"""Ralph's LRS for the tests, on its file-system backend, run by uvicorn in this process.

Ralph's file-system backend creates its statements file on the first POST and refuses every
later one ("already exists and overwrite is not allowed"); here its writer appends instead,
so the server takes any number of batches. Run by `.ci/lrs` with Ralph's own interpreter.
"""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

_write = FSLRSBackend.write


def _append(self, data, target=None, chunk_size=None, ignore_errors=False, operation_type=None):  # type: ignore[no-untyped-def]
    return _write(self, data, target, chunk_size, ignore_errors, BaseOperationType.APPEND)


FSLRSBackend.write = _append  # type: ignore[method-assign]

if __name__ == "__main__":
    uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
