"""microup: a habit tracker for micro-upskilling, an hour a week of learning."""

__version__ = "0.1.0"
