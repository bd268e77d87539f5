"""What completion and `status --short` read: a small file the store keeps current."""

from microup.store.hints import gather

__all__ = ["gather"]
