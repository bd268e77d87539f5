"""Reading an export as a stream, one value or line at a time and within limits: a JSON
reader (`JsonStream`) and a CSV line reader (`Joined`), so a million-entry export is read in
flat memory and a mistake is named by where it is."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, TextIO

from microup.core.errors import UsageError

MAX_VALUE_CHARS = 1 << 20
"""The longest single JSON value an import reads (an entry, the goals, the settings)."""


CHUNK_CHARS = 1 << 16


_WHITE_SPACE = re.compile(r"[ \t\r\n]*")


TOO_LONG = "not a JSON file microup can read (too deeply nested or too long)"


class JsonStream:
    """Reads one JSON value at a time from a text stream, never holding more than one value
    (and a chunk) in memory: an export of a million entries is read in constant memory."""

    def __init__(self, stream: Joined) -> None:
        self.stream = stream
        self.text = ""
        self.at = 0
        self.lines_before = 0  # newlines in the text already dropped, for error messages
        self.ended = False
        self.decoder = json.JSONDecoder()

    def _more(self) -> bool:
        if self.ended:
            return False
        chunk = self.stream.read(CHUNK_CHARS)
        if not chunk:
            self.ended = True
            return False
        self.lines_before += self.text.count("\n", 0, self.at)
        self.text = self.text[self.at :] + chunk
        self.at = 0
        return True

    def line(self, position: int | None = None) -> int:
        return (
            self.lines_before
            + self.text.count("\n", 0, self.at if position is None else position)
            + 1
        )

    def peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            self.at = _WHITE_SPACE.match(self.text, self.at).end()  # type: ignore[union-attr]
            if self.at < len(self.text) or not self._more():
                return self.text[self.at : self.at + 1]

    def take(self, char: str) -> None:
        if self.peek() != char:
            found = self.peek() or "the end of the file"
            raise UsageError(
                f"not valid JSON (line {self.line()}: expected {char!r}, found {found!r})"
            )
        self.at += 1

    def value(self) -> Any:
        """The next whole value; more text is read while it is cut off by the chunk's end."""
        self.peek()
        last = -1
        while True:
            try:
                value, end = self.decoder.raw_decode(self.text, self.at)
            except json.JSONDecodeError as error:
                # Cut off by the chunk's end, or wrong? A mistake stays where it is as more
                # text arrives; an unfinished value fails further on (or, for a string,
                # says so). Only a value still unfinished after 1 MiB is too long.
                position = error.pos - self.at
                unfinished = (  # a string, or anything within a "false" of the end
                    error.msg.startswith("Unterminated") or len(self.text) - error.pos <= 5
                )
                if (unfinished or position != last) and self._more():
                    last = error.pos - self.at
                    if len(self.text) - self.at <= MAX_VALUE_CHARS:
                        continue
                if len(self.text) - self.at > MAX_VALUE_CHARS and unfinished:
                    raise UsageError(TOO_LONG) from None
                raise UsageError(
                    f"not valid JSON (line {self.line(error.pos)}: {error.msg})"
                ) from None
            except (ValueError, RecursionError):  # numbers too long, nesting too deep
                raise UsageError(TOO_LONG) from None
            if end == len(self.text) and self._more():
                continue  # a number may go on in the next chunk
            self.at = end
            return value


class Joined:
    """A text stream whose first part was already read (to guess the format)."""

    def __init__(self, first: str, stream: TextIO) -> None:
        self.first, self.stream = first, stream

    def read(self, size: int = -1) -> str:
        if self.first:
            part, self.first = self.first, ""
            return part
        return self.stream.read(CHUNK_CHARS if size < 0 else size)

    def readline(self) -> str:
        """One line, refused once longer than any CSV line of an export can be."""
        if not self.first:
            line = self.stream.readline(MAX_CSV_LINE_CHARS + 1)
        else:
            head, newline, tail = self.first.partition("\n")
            if newline:
                self.first = tail
                line = head + newline
            else:
                self.first = ""
                line = head + self.stream.readline(MAX_CSV_LINE_CHARS + 1)
        if len(line) > MAX_CSV_LINE_CHARS:
            raise UsageError(f"a line is longer than {MAX_CSV_LINE_CHARS // 1024} KiB")
        return line

    def __iter__(self) -> Iterator[str]:
        while line := self.readline():
            yield line


MAX_CSV_LINE_CHARS = 131_072
