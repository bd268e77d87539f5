"""Programmes: a training programme's outline turned into session-sized parts, progress on
them, and an honest finish date (issue 18)."""

from microup.core.programme.coming import NewBlock, coming, next_block
from microup.core.programme.outline import (
    MAX_OUTLINE_BYTES,
    MAX_TITLE_CHARS,
    Outline,
    OutlineModule,
    decode_outline,
    parse_outline,
)
from microup.core.programme.progress import (
    PACE_WEEKS,
    Part,
    Programme,
    Projection,
    credit,
    find_parts,
    finish,
    finish_date,
    needed_per_week,
    planned_end,
    project,
    session_minutes,
    split_minutes,
    take_back,
)

__all__ = [
    "MAX_OUTLINE_BYTES",
    "MAX_TITLE_CHARS",
    "PACE_WEEKS",
    "NewBlock",
    "Outline",
    "OutlineModule",
    "Part",
    "Programme",
    "Projection",
    "coming",
    "credit",
    "decode_outline",
    "find_parts",
    "finish",
    "finish_date",
    "needed_per_week",
    "next_block",
    "parse_outline",
    "planned_end",
    "project",
    "session_minutes",
    "split_minutes",
    "take_back",
]
