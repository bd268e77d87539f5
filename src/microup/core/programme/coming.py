"""What new material the coming sessions hold: the next unfinished parts of the programmes,
in the order they were added, walked session by session. Pure."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from microup.core.programme.progress import Part, Programme


@dataclass(frozen=True)
class NewBlock:
    """A session's new material: `new: SQL, Joins (module 2 of 4, 20 of 45 min)`."""

    programme: str
    topic: str
    module: str
    part: int
    parts: int
    number: int
    modules: int
    minutes: int
    """Minutes of this session given to the module."""
    module_minutes: int
    """The module's whole estimate."""
    minutes_left: int
    """Minutes of the module not yet done before this session."""

    def line(self) -> str:
        title = (
            self.module if self.parts == 1 else f"{self.module}, part {self.part} of {self.parts}"
        )
        return (
            f"new: {self.topic}, {title} (module {self.number} of {self.modules}, "
            f"{self.minutes} of {self.module_minutes} min)"
        )

    def json(self) -> dict[str, object]:
        return {
            "programme": self.programme,
            "topic": self.topic,
            "module": self.module,
            "part": self.part,
            "parts": self.parts,
            "minutes": self.minutes,
        }


def _queue(programmes: Sequence[Programme]) -> Iterator[tuple[Programme, Part, int]]:
    """Every unfinished part, in programme then module order, with the minutes it needs;
    lazily, as a week walks only the next few."""
    return (
        (programme, part, max(1, part.minutes - part.done_minutes))
        for programme in sorted(programmes, key=lambda p: p.position)
        for part in programme.parts
        if not part.done
    )


def _block(programme: Programme, part: Part, minutes: int) -> NewBlock:
    number, modules = programme.module_number(part)
    same = [p for p in programme.parts if (p.topic, p.title) == (part.topic, part.title)]
    left = sum(p.minutes - p.credited for p in same)
    return NewBlock(
        programme.name,
        part.topic,
        part.title,
        part.part,
        part.parts,
        number,
        modules,
        minutes,
        programme.module_minutes(part),
        left,
    )


def coming(programmes: Sequence[Programme], sessions: Sequence[int]) -> list[NewBlock | None]:
    """Each coming session's new material, given the new minutes of each session: the part
    the session starts on (None once nothing is left or a session has no new minutes)."""
    queue = _queue(programmes)
    head = next(queue, None)
    out: list[NewBlock | None] = []
    for minutes in sessions:
        if head is None or minutes <= 0:
            out.append(None)
            continue
        programme, part, need = head
        out.append(_block(programme, part, min(minutes, need)))
        left = minutes
        while head is not None and left > 0:
            programme, part, need = head
            if need > left:
                head = (programme, part, need - left)
                break
            left -= need
            head = next(queue, None)
    return out


def next_block(programmes: Sequence[Programme], minutes: int) -> NewBlock | None:
    """The next session's new material, of `minutes` (at least one)."""
    return coming(programmes, [max(1, minutes)])[0]
