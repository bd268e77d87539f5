"""The shared PostgreSQL store's administration, as the CLI calls it: creating the schema,
admitting learners and reporters, cohorts and their report (the SQL is in `store.postgres`)."""

from microup.store.postgres import cohorts, programmes
from microup.store.postgres import schema as postgres_schema
from microup.store.postgres.engine import LEARNER_ROLE, REPORTER_ROLE

__all__ = ["LEARNER_ROLE", "REPORTER_ROLE", "cohorts", "postgres_schema", "programmes"]
