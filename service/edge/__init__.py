"""Entry points and the HTTP edge: the ASGI app, intake, the CLI, the process supervisor and the demo."""
