"""The domain: aggregates and their events. Pure: no I/O, no asyncio, no SQL, nothing of ours imported."""
