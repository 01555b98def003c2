"""Reads: read models and as-of views, one module per aspect."""
