"""Signals: the process manager that raises them from the charts, and their read model."""
