"""The settings a person may change with `microup config`, validated the same way on every path.

Pure: values come in as the text the store keeps and go out as typed values with defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from microup.core.errors import UsageError
from microup.core.text import parse_fraction
from microup.core.when import parse_duration

MAX_MIN_GAP_MINUTES = 7 * 24 * 60
MAX_REVIEW_BUDGET = 600
DEFAULT_REVIEW_BUDGET = 20
DEFAULT_TARGET_RETENTION = 0.8
"""A topic is shown as due when its predicted recall falls to this."""
DEFAULT_MIN_GAP = timedelta(hours=1)
"""Never suggest reviewing a topic studied less than an hour ago."""
MIN_UNDO_HISTORY = 1000
"""The journal keeps at least this many changes for `undo`."""
MAX_UNDO_HISTORY = 1_000_000


@dataclass(frozen=True)
class SettingSpec:
    """One setting: what it means, its default, and how typed text becomes its stored form."""

    key: str
    help: str
    default: str
    normalize: Callable[[str], str]
    secret: bool = False
    """Never shown by `config` or `history`, never exported."""


def _retention(text: str) -> str:
    value = parse_fraction(text, what="target-retention", low=0.5, high=0.99)
    return f"{value:g}"


def _gap(text: str) -> str:
    return str(parse_duration(text, maximum=MAX_MIN_GAP_MINUTES, what="min-gap"))


def _undo_history(text: str) -> str:
    digits = text.strip()
    if not digits.isascii() or not digits.isdigit() or len(digits) > 7:
        digits = "0"
    if not MIN_UNDO_HISTORY <= int(digits) <= MAX_UNDO_HISTORY:
        raise UsageError(
            f"undo-history must be a whole number of changes from {MIN_UNDO_HISTORY:,} to "
            f"{MAX_UNDO_HISTORY:,}, not {text.strip()[:20]!r}"
        )
    return str(int(digits))


def _budget(text: str) -> str:
    return str(parse_duration(text, maximum=MAX_REVIEW_BUDGET, what="review-budget", minimum=0))


def _home(text: str) -> str:
    from microup.core.formats.xapi import check_home

    return check_home(text)


def _endpoint(text: str) -> str:
    from microup.core.formats.xapi import check_url

    url = check_url(text, "lrs-endpoint", "https://lrs.example.org/xAPI/")
    return url if url.endswith("/") else url + "/"


def _name(what: str) -> Callable[[str], str]:
    def normalize(text: str) -> str:
        name = text.strip()
        if not name or len(name) > 200 or not name.isprintable():
            raise UsageError(f"{what} must be 1 to 200 printable characters")
        return name

    return normalize


def _yes_no(text: str) -> str:
    answer = text.strip().lower()
    if answer in ("yes", "y", "true", "on", "1"):
        return "yes"
    if answer in ("no", "n", "false", "off", "0"):
        return "no"
    raise UsageError(f"lrs-consent must be yes or no, not {text.strip()[:20]!r}")


LRS_SETTINGS = (
    SettingSpec(
        "lrs-home",
        "your organisation's home page (https://...): your xAPI account's and activities' root",
        "",
        _home,
    ),
    SettingSpec(
        "lrs-account",
        "your account name in xAPI statements (default: your user name; on a shared store "
        "your role)",
        "",
        _name("lrs-account"),
    ),
    SettingSpec("lrs-endpoint", "the LRS's xAPI endpoint that `lrs send` posts to", "", _endpoint),
    SettingSpec(
        "lrs-username", "the LRS user (or $MICROUP_LRS_USERNAME)", "", _name("lrs-username")
    ),
    SettingSpec(
        "lrs-password",
        "the LRS password (or $MICROUP_LRS_PASSWORD); never shown",
        "",
        _name("lrs-password"),
        secret=True,
    ),
    SettingSpec(
        "lrs-consent",
        "on a shared store: yes lets its administrator send your statements to the LRS",
        "no",
        _yes_no,
    ),
)

SETTINGS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec(
            "review-budget",
            "minutes a week kept for review, inside the weekly goal (0 turns suggestions off)",
            str(DEFAULT_REVIEW_BUDGET),
            _budget,
        ),
        SettingSpec(
            "target-retention",
            "a topic shows as due when its predicted recall drops to this (0.5 to 0.99, or 80%)",
            f"{DEFAULT_TARGET_RETENTION:g}",
            _retention,
        ),
        SettingSpec(
            "min-gap",
            "review leaves a topic studied less than this long ago for later (minutes, or 1h)",
            str(int(DEFAULT_MIN_GAP.total_seconds() // 60)),
            _gap,
        ),
        SettingSpec(
            "undo-history",
            f"how many changes undo keeps, oldest forgotten first (at least {MIN_UNDO_HISTORY:,})",
            str(MIN_UNDO_HISTORY),
            _undo_history,
        ),
        *LRS_SETTINGS,
    )
}


def shown_value(key: str, value: str) -> str:
    """A setting's value as `config` and `history` show it: a secret only as set or not."""
    if SETTINGS[key].secret:
        return "(set)" if value else "(not set)"
    return value or "(not set)"


def spec_for(key: str) -> SettingSpec:
    """The setting named `key`, or a usage error that lists the known ones."""
    try:
        return SETTINGS[key.strip().lower()]
    except KeyError:
        known = ", ".join(SETTINGS)
        raise UsageError(f"unknown setting {key!r}: known settings are {known}") from None


def effective(stored: Mapping[str, str]) -> dict[str, str]:
    """Every setting's value in force: the stored one when valid, else the default."""
    values: dict[str, str] = {}
    for key, spec in SETTINGS.items():
        try:
            values[key] = spec.normalize(stored[key]) if key in stored else spec.default
        except UsageError:
            values[key] = spec.default
    return values


@dataclass(frozen=True)
class ReviewSettings:
    """The scheduler's knobs as typed values."""

    review_budget: int
    target_retention: float
    min_gap: timedelta

    @classmethod
    def from_stored(cls, stored: Mapping[str, str]) -> ReviewSettings:
        values = effective(stored)
        return cls(
            review_budget=int(values["review-budget"]),
            target_retention=float(values["target-retention"]),
            min_gap=timedelta(minutes=int(values["min-gap"])),
        )
