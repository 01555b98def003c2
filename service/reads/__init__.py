"""Reads: the read models as the API serves them, as-of views replayed from the log, and the log's histories."""
