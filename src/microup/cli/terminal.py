"""The terminal side of `microup session`: single keys without Enter, and the live block.

Keys are read in cbreak mode (no echo, no line buffering, but Ctrl-C still raises
KeyboardInterrupt); the terminal's settings are put back before every question and at the
end, whatever happens.
"""

from __future__ import annotations

import os
import select
import threading
from typing import TYPE_CHECKING, Any

from microup.core.errors import MicroupError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.live import Live

    from microup.app.runner import BlockRun, Outcome
    from microup.core.session import SessionBlock


class TerminalKeys:
    """Keys pressed on a terminal, one at a time, within a timeout."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.saved: list[Any] | None = None

    def __call__(self, timeout: float) -> str | None:
        """The next key within `timeout` seconds, or None; EOFError if the terminal closed."""
        self._cbreak()
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return None
        data = os.read(self.fd, 1)
        if not data:
            raise EOFError
        return data.decode("latin-1")

    def wait_start(self) -> bool:
        """Wait for Enter (or space) to start; False for q."""
        while True:
            key = self(3600.0)
            if key in ("\n", "\r", " "):
                self.restore()
                return True
            if key in ("q", "Q"):
                self.restore()
                return False

    def _cbreak(self) -> None:
        if self.saved is None:
            import termios
            import tty

            self.saved = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd)

    def restore(self) -> None:
        """The terminal's settings as they were (lines, echo) before a question or the end."""
        if self.saved is not None:
            import termios

            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)
            self.saved = None


VERBS = {"done": "Done", "ended": "Ended", "skipped": "Skipped", "quit": "Stopped"}


class TerminalScreen:
    """The runner's screen: a Rich Live view of the block, a bell, and the questions."""

    def __init__(self, out: Console, keys: TerminalKeys) -> None:
        self.out = out
        self.keys = keys
        self.live: Live | None = None

    def show(self, run: BlockRun, total: int) -> None:
        from rich.live import Live

        from microup.views.render import unicode_ok
        from microup.views.session import block_view

        view = block_view(
            run.block,
            (run.index, total),
            run.remaining,
            paused=run.paused,
            width=self.out.width,
            ascii_only=not unicode_ok(self.out),
        )
        if self.live is None:
            self.live = Live(
                view,
                console=self.out,
                auto_refresh=False,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self.live.start(refresh=True)
        else:
            self.live.update(view, refresh=True)

    def close(self, run: BlockRun, outcome: Outcome) -> None:
        """The live view stops where it is; a line says how the block ended."""
        from microup.views.session import ended_line

        self.abandon()
        self.out.print(ended_line(run.block, VERBS[outcome.value]))

    def abandon(self) -> None:
        """Stop the live view and give the terminal its settings back."""
        if self.live is not None:
            self.live.stop()
            self.live = None
        self.keys.restore()

    def bell(self, run: BlockRun) -> None:
        """A bell, and the desktop notification `remind --notify` shows, where one is reachable."""
        from microup.system import notify
        from microup.views.session import block_title

        self.out.bell()
        message = f"{block_title(run.block).plain}: block over."
        threading.Thread(target=notify.send, args=("microup", message)).start()

    def ask_grade(self, block: SessionBlock) -> int:
        from microup.core.session import answer_grade
        from microup.views.render import user_text

        question = user_text(f"How well did you recall {block.topic}? ")
        self.out.print(question.append("1 again, 2 hard, 3 good, 4 easy."))
        while True:
            try:
                return int(answer_grade(self.out.input("Grade (Enter: good): ")))
            except MicroupError as error:
                self.out.print(str(error))

    def ask_module_done(self, block: SessionBlock) -> bool:
        from microup.core.session import answer_yes
        from microup.views.render import user_text

        self.out.print(user_text(f"Is {block.module} finished?"))
        while True:
            answer = answer_yes(self.out.input("[y/N]: "), default=False)
            if answer is not None:
                return answer
