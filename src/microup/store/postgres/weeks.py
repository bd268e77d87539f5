"""Weeks as the shared store keeps them (a goal's, a week off's): a Monday, `YYYY-MM-DD`.

A pattern alone let '2026-13-45' in, which no microup can read back; the check is a real
date, and a Monday, as every writer of microup's makes it (`goal`, `holiday`, an import).
"""

from __future__ import annotations

from microup.store.postgres.engine import LEARNER_ROLE

IS_MONDAY = r"""
CREATE OR REPLACE FUNCTION is_monday(week TEXT) RETURNS BOOLEAN
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $monday$
BEGIN
    -- make_date, not a cast: a cast reads the text by the session's DateStyle.
    RETURN week ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
        AND extract(isodow FROM make_date(substr(week, 1, 4)::INTEGER,
            substr(week, 6, 2)::INTEGER, substr(week, 9, 2)::INTEGER)) = 1;
EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
    RETURN false;
END
$monday$"""
"""Whether `week` is a Monday written `YYYY-MM-DD` (what `date.fromisoformat` reads)."""

IS_MONDAY_GRANT = f"GRANT EXECUTE ON FUNCTION is_monday(TEXT) TO {LEARNER_ROLE}"
"""Learners write goals and weeks off: the check runs as them."""

WEEK_CHECKS = (
    "ALTER TABLE goal ADD CONSTRAINT goal_week_start_check CHECK (is_monday(week_start))",
    "ALTER TABLE holiday ADD CONSTRAINT holiday_week_start_check CHECK (is_monday(week_start))",
)
"""The checks of a new store (after its tables and `IS_MONDAY`)."""

WEEK_UPGRADE = (
    IS_MONDAY,
    "ALTER TABLE goal DROP CONSTRAINT IF EXISTS goal_week_start_check",
    # NOT VALID: a row written before stays (microup reads past it); new ones are checked.
    *(f"{check} NOT VALID" for check in WEEK_CHECKS),
)
"""Upgrade: the checks, on a store whose goal weeks were checked only by a pattern."""
