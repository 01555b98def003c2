"""Back-pressure: a bound on the write requests one API process holds in flight, refused with 503 and Retry-After
before anything of them is stored.

Every write request (an intake POST, a GraphQL mutation) is weighed when it arrives, by its body's size with a
floor for the objects any request makes, and admitted only while the weights of the writes in flight, admitted but
not yet answered, stay within `QMS_MAX_INFLIGHT_WRITE_BYTES`. A write that stalls (a slow disk, a held lock on the
log's head) keeps its weight until it is answered, so a client sending faster than qms can store is told to come
back later instead of queueing without bound: its request is refused whole, before the handler runs, and every
request that was acknowledged was stored. One write is always admitted when nothing is in flight, so a limit
smaller than a request slows the service down to one write at a time rather than refusing everything.

Within that bound, one client (a token's subject: a person, or an integration) may hold at most half of it: a
client sending faster than qms stores its writes is refused with 429 and Retry-After once it holds that much, while
other clients' writes are still admitted, so one runaway feed cannot take every other client's share. A client's
first write in flight is always admitted (it is then the process's bound that decides)."""

from __future__ import annotations

# What a write costs beyond its body (the request, its parsed variables, the command, its events, the group commit's
# rows): a single-observation mutation of ~300 bytes holds a few kilobytes of objects while it waits for its commit.
FLOOR_BYTES = 4096
# A streamed body (CSV, NDJSON, chunked) is weighed by what it holds in memory at once, about three chunks of
# whole rows (one parsed, one being stored, one arriving), not by its length, which is not known up front.
STREAM_BYTES = 16 << 20
RETRY_AFTER_SECONDS = 1
# One client may hold at most 1/CLIENT_SHARE of the bound: half, so that one integration may stream four CSV
# bodies at once within the default bound (4 x STREAM_BYTES = 64 MiB of 128 MiB) and the other half stays free.
CLIENT_SHARE = 2


class Overloaded(Exception):
    """More writes are in flight than the limit allows: the request is refused whole; retry after a pause."""

    def __init__(self, in_flight: int, limit: int) -> None:
        super().__init__(f"The service is storing as much as it can ({in_flight} bytes of writes in flight, limit "
                         f"{limit}); nothing of this request was stored. Retry after {RETRY_AFTER_SECONDS} s.")
        self.retry_after = RETRY_AFTER_SECONDS


class TooFast(Exception):
    """This client holds its share of the writes in flight: the request is refused whole; retry after a pause."""

    def __init__(self, held: int, share: int) -> None:
        super().__init__(f"This client is sending faster than the service stores its writes ({held} bytes of its "
                         f"writes in flight, its share {share}); nothing of this request was stored. Retry after "
                         f"{RETRY_AFTER_SECONDS} s.")
        self.retry_after = RETRY_AFTER_SECONDS


class Admission:
    """The writes in flight in this process, by weight. asyncio runs one task at a time, so plain integers do."""

    def __init__(self, limit_bytes: int) -> None:
        self.limit = limit_bytes
        self.in_flight = 0     # bytes of the writes admitted and not yet answered
        self.writes = 0        # how many they are
        self.refused = 0       # writes refused since start (503 and 429), for /metrics
        self.by_client: dict[str, int] = {}  # bytes in flight per client, for those with any

    @staticmethod
    def weigh(declared: str | None, read: int | None = None) -> int:
        """A request's weight: its body's length when known (read, or declared), else what a stream holds."""
        if read is not None:
            size = read
        elif declared is not None and declared.isdigit():
            size = min(int(declared), STREAM_BYTES)
        else:
            size = STREAM_BYTES
        return max(size, FLOOR_BYTES)

    def admit(self, weight: int, client: str | None = None) -> None:
        """Hold `weight` bytes until release(weight, client); Overloaded, holding nothing, when that would pass the
        limit, and TooFast when it would pass the client's share of it."""
        if self.writes and self.in_flight + weight > self.limit:
            self.refused += 1
            raise Overloaded(self.in_flight, self.limit)
        if client is not None:
            held = self.by_client.get(client, 0)
            if held and held + weight > self.limit // CLIENT_SHARE:
                self.refused += 1
                raise TooFast(held, self.limit // CLIENT_SHARE)
            self.by_client[client] = held + weight
        self.in_flight += weight
        self.writes += 1

    def release(self, weight: int, client: str | None = None) -> None:
        self.in_flight -= weight
        self.writes -= 1
        if client is not None:
            held = self.by_client[client] - weight
            if held:
                self.by_client[client] = held
            else:
                del self.by_client[client]
