"""`microup session` as a person runs it: the installed command in a pseudo-terminal, driven
by keys (`n` ends a block, so no test waits for real minutes)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.e2e

MICROUP = Path(sys.executable).parent / "microup"
SGR = re.compile(r"\x1b\[[0-9;]*m")
CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A temporary home and store, and a notify-send stand-in that records what it shows."""
    home = tmp_path / "home"  # made by the autouse fixture, which sets it for this process
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    notify = bin_dir / "notify-send"
    notify.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{tmp_path}/notified"\n')
    notify.chmod(0o755)
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TERM": "xterm-256color",
        "MICROUP_DB": str(tmp_path / "store" / "microup.db"),
        "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus",
        "NO_COLOR": "1",  # text to expect without styles between words (test_no_color: both)
    }


def microup(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MICROUP), *args], env=env, input=stdin, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def seeded(env: dict[str, str]) -> dict[str, str]:
    """Two topics learnt last week (so this week's plan reviews them) and one learnt today."""
    for args in (
        ("log", "20", "-t", "SQL", "-n", "window functions", "--at", "10d ago", "-y"),
        ("log", "15", "-t", "Python", "-n", "decorators", "--at", "9d ago", "-y"),
        ("log", "10", "-t", "Rust", "--at", "1h ago"),
    ):
        assert microup(env, *args).returncode == 0
    return env


def spawn(env: dict[str, str], *args: str, columns: int = 80) -> Any:
    child = pexpect.spawn(
        str(MICROUP),
        ["session", *args],
        env=env,
        encoding="utf-8",
        dimensions=(40, columns),
        timeout=30,
    )
    child.logfile_read = _Tee()
    return child


class _Tee:
    """Everything the session wrote, to look at after it ends."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, data: str) -> None:
        self.text += data

    def flush(self) -> None:
        pass


def output(child: Any) -> str:
    return str(child.logfile_read.text)


def start(child: Any) -> None:
    child.expect("Enter starts")
    child.send("\r")


def finish(child: Any) -> str:
    child.expect("Session over")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, output(child)
    return output(child)


def entries(env: dict[str, str]) -> list[dict[str, object]]:
    return list(json.loads(microup(env, "entries", "--json").stdout)["entries"])


def timer(env: dict[str, str]) -> dict[str, object]:
    return dict(json.loads(microup(env, "status", "--json").stdout))


def test_two_reviews_and_new_material_graded_with_keys(seeded: dict[str, str]) -> None:
    child = spawn(seeded, "--minutes", "30")
    child.expect("Today's session: 30 min, 3 blocks")
    start(child)
    child.expect("Block 1 of 3: Review SQL")
    child.expect("revisit: window functions")
    child.send("n")
    child.expect("How well did you recall SQL")
    child.sendline("hard")
    child.expect("Block 2 of 3: Review Python")
    child.send("n")
    child.expect("How well did you recall Python")
    child.sendline("")  # Enter: good
    child.expect("Block 3 of 3: New material: Rust")
    child.send("n")
    text = finish(child)
    assert "\x07" in text  # the bell
    assert "Session over: 3 min logged in 3 blocks." in text and "Next session" in text
    logged = [(e["topic"], e["minutes"], e["kind"], e["recall"]) for e in entries(seeded)[:3]]
    assert logged == [
        ("Rust", 1, "learn", None),
        ("Python", 1, "review", 3),
        ("SQL", 1, "review", 2),
    ]
    notified = (Path(seeded["MICROUP_DB"]).parent.parent / "notified").read_text()
    assert notified.splitlines() == [
        f"--app-name=microup -- microup {what}: block over."
        for what in ("Review SQL", "Review Python", "New material: Rust")
    ]
    history = microup(seeded, "history").stdout
    assert history.count("Session:") == 1
    assert "Removed #4" in microup(seeded, "undo").stdout
    assert len(entries(seeded)) == 3


def test_a_skipped_block_logs_nothing(seeded: dict[str, str]) -> None:
    child = spawn(seeded, "--minutes", "30")
    start(child)
    child.expect("Block 1 of 3")
    child.send("s")
    child.expect("Skipped: Review SQL")
    child.expect("Block 2 of 3")
    child.send("n")
    child.expect("How well")
    child.sendline("4")
    child.expect("Block 3 of 3")
    child.send("s")
    text = finish(child)
    assert "1 min logged in 1 block, 2 skipped" in text
    assert [(e["topic"], e["recall"]) for e in entries(seeded)[:1]] == [("Python", 4)]
    assert len(entries(seeded)) == 4 and not timer(seeded)["running"]


def test_pause_and_resume(seeded: dict[str, str]) -> None:
    child = spawn(seeded, "--minutes", "5", "--topic", "Go")
    start(child)
    child.expect("Block 1 of 1")
    child.send(" ")
    child.expect("PAUSED: space resumes")
    child.send(" ")
    child.expect("space pause")
    child.send("n")
    child.expect("How well")
    child.sendline("good")
    finish(child)
    assert entries(seeded)[0]["topic"] == "SQL"


def test_q_midway_ends_the_session(seeded: dict[str, str]) -> None:
    child = spawn(seeded, "--minutes", "30")
    start(child)
    child.expect("Block 1 of 3")
    child.send("n")
    child.expect("How well")
    child.sendline("1")
    child.expect("Block 2 of 3")
    child.send("q")  # under a minute into the block: nothing of it is logged
    text = finish(child)
    assert "Stopped: Review Python" in text and "Block 3 of 3" not in text
    assert "1 min logged in 1 block." in text
    assert [(e["topic"], e["recall"]) for e in entries(seeded)[:1]] == [("SQL", 1)]
    assert not timer(seeded)["running"]


@pytest.mark.parametrize("answer", ["y", "k"])
def test_ctrl_c_logs_or_keeps_the_running_block(seeded: dict[str, str], answer: str) -> None:
    child = spawn(seeded, "--minutes", "30")
    start(child)
    child.expect("Block 1 of 3")
    child.send("n")
    child.expect("How well")
    child.sendline("")
    child.expect("Block 2 of 3: Review Python")
    child.sendintr()
    child.expect(r"Log it\? y logs it")
    child.sendline(answer)
    text = finish(child)
    running = timer(seeded)
    newest = entries(seeded)[0]
    if answer == "y":
        assert "2 min logged in 2 blocks" in text and not running["running"]
        assert (newest["topic"], newest["kind"], newest["recall"]) == ("Python", "review", None)
    else:
        assert "keeps running: microup stop logs it" in text
        assert (running["topic"], running["kind"]) == ("Python", "review")
        assert newest["topic"] == "SQL"
        assert microup(seeded, "stop", "--minutes", "2", "--recall", "easy").returncode == 0
        assert (entries(seeded)[0]["topic"], entries(seeded)[0]["recall"]) == ("Python", 4)


def test_kill_9_during_a_block_leaves_its_timer_for_stop(seeded: dict[str, str]) -> None:
    child = spawn(seeded, "--minutes", "30")
    start(child)
    child.expect("Block 1 of 3")
    child.send("n")
    child.expect("How well")
    child.sendline("2")
    child.expect("Block 2 of 3: Review Python")
    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    running = timer(seeded)
    assert running["running"] and (running["topic"], running["kind"]) == ("Python", "review")
    stopped = microup(seeded, "stop", "--minutes", "3")
    assert stopped.returncode == 0, stopped.stderr
    assert [(e["topic"], e["minutes"], e["kind"]) for e in entries(seeded)[:2]] == [
        ("Python", 3, "review"),
        ("SQL", 1, "review"),
    ]


def test_plan_json(seeded: dict[str, str]) -> None:
    done = microup(seeded, "session", "--plan", "--json", "--minutes", "25")
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    review = json.loads(microup(seeded, "review", "--json").stdout)["suggestions"]
    planned = [(s["topic"], s["minutes"]) for s in review]  # the same plan `review` shows
    assert [(b["topic"], b["minutes"]) for b in plan["blocks"][:-1]] == planned
    assert plan["minutes"] == 25 and sum(b["minutes"] for b in plan["blocks"]) == 25
    assert plan["blocks"][0] == {
        "kind": "review",
        "topic": "SQL",
        "module": None,
        "minutes": planned[0][1],
        "faded": ["window functions"],
    }
    assert plan["blocks"][-1] == {
        "kind": "learn",
        "topic": "Rust",
        "module": None,
        "minutes": 25 - sum(m for _, m in planned),
        "faded": [],
    }


def test_stdin_not_a_terminal_shows_the_plan_and_how_to_log(seeded: dict[str, str]) -> None:
    done = microup(seeded, "session", "--minutes", "25")
    assert done.returncode == 0, done.stderr
    assert "Today's session: 25 min, 3 blocks." in done.stdout
    assert "Not on a terminal" in done.stdout
    assert "microup log 5 -t SQL --review --recall good" in done.stdout
    assert not timer(seeded)["running"] and len(entries(seeded)) == 3


def test_bad_minutes_is_one_line(seeded: dict[str, str]) -> None:
    done = microup(seeded, "session", "--minutes", "0")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and not done.stdout


@pytest.mark.parametrize("columns", [40, 200])
def test_the_screen_fits_the_terminal(seeded: dict[str, str], columns: int) -> None:
    child = spawn(seeded, "--minutes", "30", columns=columns)
    start(child)
    child.expect("Block 1 of 3")
    child.expect("space pause")
    child.send("n")
    child.expect("How well")
    child.sendline("")
    child.expect("Block 2 of 3")
    child.send("q")
    text = finish(child)
    lines = [CONTROL.sub("", line).replace("\x07", "") for line in re.split(r"\r\n|\r|\n", text)]
    assert all(len(line) <= columns for line in lines), [x for x in lines if len(x) > columns]
    assert any("revisit: window functions" in line for line in lines)
    bars = [line for line in lines if re.match(r"\d\d:\d\d [█░]+ +\d+%$", line)]
    assert bars and {len(line.split()[1]) for line in bars} == {min(40, columns - 14)}


def test_no_color(seeded: dict[str, str]) -> None:
    coloured = spawn({k: v for k, v in seeded.items() if k != "NO_COLOR"}, "--minutes", "5")
    start(coloured)
    coloured.expect("Block 1 of 1")
    coloured.send("q")
    assert SGR.search(finish(coloured))
    plain = spawn(seeded, "--minutes", "5")
    start(plain)
    plain.expect("Block 1 of 1")
    plain.send("q")
    text = finish(plain)
    assert not SGR.search(text) and "Session over" in text


def test_nothing_learnt_yet_asks_for_a_topic(env: dict[str, str]) -> None:
    child = spawn(env, "--minutes", "5")
    child.expect("What will you learn")
    child.expect("Topic")
    child.sendline("[b]Go[/b]")
    child.expect(r"New material: \[b\]Go\[/b\]")
    start(child)
    child.expect("Block 1 of 1")
    child.send("n")
    finish(child)
    assert [(e["topic"], e["kind"], e["minutes"]) for e in entries(env)] == [
        ("[b]Go[/b]", "learn", 1)
    ]
