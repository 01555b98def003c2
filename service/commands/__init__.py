"""Command handlers: load one aggregate, call one method, save it with its expected version, answer."""
