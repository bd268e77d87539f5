"""An import's staging: the file read and checked whole before the store is opened."""

from microup.store.sqlite.staging import STAGING_PREFIX, Staging, remove_stale_staging

__all__ = ["STAGING_PREFIX", "Staging", "remove_stale_staging"]
