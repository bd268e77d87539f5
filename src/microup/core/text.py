"""Turn what a person types into checked values: durations, times, topics, notes, goals.

Pure: no I/O, and the current time is always passed in. Every rule here is shared by
`microup log`, `microup edit` and `microup import`, so a row is valid in all three or in none.
"""

from __future__ import annotations

import functools
import math
import unicodedata

from microup.core.errors import UsageError

MAX_TOPIC_CHARS = 80
MAX_NOTE_CHARS = 1000

_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
HIDDEN_CHARACTERS = frozenset(
    "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)
"""Invisible or direction-changing characters: they can make text look like other text."""
HANGUL_FILLERS = frozenset((0x115F, 0x1160, 0x3164, 0xFFA0))


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 week`, `3 weeks`, `1 entry`, `2 entries`."""
    return f"{count} {one if count == 1 else many or one + 's'}"


def shown(text: str, limit: int = 40) -> str:
    """Typed text quoted for an error message, cut short so the message stays one short line."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _is_pictograph(char: str) -> bool:
    """A symbol such as an emoji, which joiners and presentation selectors may follow."""
    return unicodedata.category(char) in ("So", "Sk") or 0x1F000 <= ord(char) <= 0x1FAFF


def _invisible_at(text: str, index: int) -> bool:
    """Whether text[index] is invisible in a way that could make one text look like another.

    Format characters (soft hyphen, U+2063, tag characters, ...), variation selectors and
    Hangul fillers are; a zero-width joiner or presentation selector inside an emoji is not.
    """
    char = text[index]
    code = ord(char)
    before = text[index - 1] if index > 0 else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    if char == "\u200d":  # ZWJ: only between two emoji (a family, a flag sequence)
        return not (before and after and _is_pictograph(before) and _is_pictograph(after))
    if code in (0xFE0E, 0xFE0F):  # text or emoji presentation, only right after a symbol
        return not (before and _is_pictograph(before))
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return True
    if code in HANGUL_FILLERS:
        return True
    return unicodedata.category(char) == "Cf"


@functools.lru_cache(maxsize=8)
def _without(allowed: str) -> dict[int, int | None]:
    return str.maketrans("", "", allowed)


def _refuse_control(text: str, what: str, allowed: str = "") -> None:
    if text.isascii() and text.translate(_without(allowed)).isprintable():
        return  # printable ASCII holds nothing invisible: the common case, checked at C speed
    for index, char in enumerate(text):
        if char in allowed:
            continue
        if (
            unicodedata.category(char) in _FORBIDDEN_CATEGORIES
            or char in HIDDEN_CHARACTERS
            or _invisible_at(text, index)
        ):
            raise UsageError(
                f"{what} may not contain control, invisible or direction-changing characters "
                f"(found U+{ord(char):04X})"
            )


@functools.lru_cache(maxsize=4096)
def clean_topic(text: str) -> str:
    """A topic as typed, trimmed: 1 to 80 characters, no control characters (remembered:
    an import checks the same few topics once, not once a row)."""
    topic = unicodedata.normalize("NFC", text.strip())
    if not topic:
        raise UsageError("topic may not be empty")
    if len(topic) > MAX_TOPIC_CHARS:
        raise UsageError(f"topic is {len(topic)} characters; at most {MAX_TOPIC_CHARS} allowed")
    _refuse_control(topic, "topic")
    if not topic.isascii():
        _refuse_blank(topic)
    return topic


def _is_noncharacter(char: str) -> bool:
    """U+FDD0..U+FDEF and the last two code points of every plane: never for interchange."""
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def _blank(char: str) -> bool:
    """Prints as nothing or as a blank: spaces, marks, format characters, the blank Braille
    pattern, Hangul fillers, and private-use or unassigned code points (most have no glyph)."""
    category = unicodedata.category(char)
    if category == "Cn":  # an emoji newer than Python's Unicode tables still shows
        return not _is_pictograph(char)
    return category in ("Cf", "Mn", "Zs", "Co") or char == "\u2800" or ord(char) in HANGUL_FILLERS


def _refuse_blank(topic: str) -> None:
    for char in topic:
        if _is_noncharacter(char):
            raise UsageError(f"topic may not contain a noncharacter (found U+{ord(char):04X})")
    if all(map(_blank, topic)):
        raise UsageError("topic must contain something visible")


@functools.lru_cache(maxsize=4096)
def topic_key(topic: str) -> str:
    """What makes two spellings the same topic: `SQL`, `sql` and `SQL` in full-width
    letters group together (NFKC, case-folded)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", topic).casefold())


def clean_note(text: str) -> str | None:
    """A free note of up to 1,000 characters (line breaks and tabs allowed); empty means none."""
    note = text.strip()
    if len(note) > MAX_NOTE_CHARS:
        raise UsageError(f"note is {len(note)} characters; at most {MAX_NOTE_CHARS} allowed")
    _refuse_control(note, "note", allowed="\n\t")
    return note or None


def parse_fraction(text: str, *, what: str, low: float, high: float) -> float:
    """A finite decimal from `low` to `high` inclusive (also accepts a percentage like 85%)."""
    cleaned = text.strip()
    scale = 100.0 if cleaned.endswith("%") else 1.0
    try:
        value = float(cleaned.rstrip("%")) / scale
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not low <= value <= high:
        raise UsageError(f"{what} must be a number from {low:g} to {high:g}, not {shown(text)}")
    return value


def _visible(char: str) -> str:
    if char in "\n\t":
        return " "
    if unicodedata.category(char) == "Cc":
        return f"\\x{ord(char):02x}"
    hidden = char in HIDDEN_CHARACTERS or (unicodedata.category(char) == "Cf" and char != "\u200d")
    return f"\\u{ord(char):04x}" if hidden else char


def printable(text: str) -> str:
    """`text` with control, invisible and direction-changing characters shown as escapes
    (`\\x1b`, `\\u202e`), line breaks and tabs as spaces: nothing reaches the terminal raw."""
    return "".join(map(_visible, text))
