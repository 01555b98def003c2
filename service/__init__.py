"""The application: command handlers, event store, identity, projection runner, ASGI app and CLI."""
