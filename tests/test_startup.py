"""A faster start (issue "The house"): an everyday command opens the store without SQLModel
or pydantic, which only a migration or creating a store needs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = (
    "import sys\n"
    "from microup.cli.main import main\n"
    "import atexit, os\n"
    "def report():\n"
    "    heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlmodel', 'pydantic'})\n"
    "    os.write(3, ' '.join(heavy).encode())\n"
    "atexit.register(report)\n"
    "import microup.cli.main as entry\n"
    "real_exit = os._exit\n"
    "def exit_(code):\n"
    "    report()\n"
    "    real_exit(code)\n"
    "entry.os._exit = exit_\n"
    "sys.argv = ['microup', *sys.argv[1:]]\n"
    "main()\n"
)


def _heavy_imports(tmp_path: Path, *args: str) -> str:
    read, write = os.pipe()
    env = {**os.environ, "MICROUP_DB": str(tmp_path / "m.db"), "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.replace("os.write(3", f"os.write({write}"), *args],
        capture_output=True,
        text=True,
        env=env,
        pass_fds=(write,),
        timeout=60,
        check=False,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        heavy = pipe.read()
    assert done.returncode == 0, done.stderr
    return heavy


def test_everyday_commands_do_not_import_sqlmodel_or_pydantic(tmp_path: Path) -> None:
    assert _heavy_imports(tmp_path, "log", "20", "-t", "SQL") == "pydantic sqlmodel"  # creates
    for command in (["log", "20", "-t", "SQL", "--at", "1h ago"], ["week"], ["review"]):
        assert _heavy_imports(tmp_path, *command) == "", command
