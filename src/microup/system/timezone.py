"""The machine's local time zone by name, for calendars that follow daylight saving."""

from __future__ import annotations

import os
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def local_zone() -> tzinfo:
    """The local time zone by its IANA name ($TZ, else /etc/localtime), for the VTIMEZONE;
    without a name (a POSIX TZ string), the offset in force now, so times stay right."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    if candidates[0].startswith("/"):  # TZ=/usr/share/zoneinfo/Europe/Berlin: a zone's file
        candidates.append(_name_of_file(candidates[0]))
    if not candidates[0]:  # with TZ set, /etc/localtime is not the zone in use
        candidates.append(_name_of_file("/etc/localtime"))
    for name in candidates:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    fixed = datetime.now().astimezone().tzinfo
    return fixed if fixed is not None else timezone.utc


def _name_of_file(path: str) -> str:
    """The IANA name of a zone's file (`.../zoneinfo/Europe/Berlin`), links followed; ''."""
    try:
        target = str(Path(path).resolve())
    except OSError:
        return ""
    return target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""
