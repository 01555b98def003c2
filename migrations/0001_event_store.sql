-- The event store: one append-only log with gap-free, commit-ordered global positions.

CREATE TABLE events (
    position        bigint      PRIMARY KEY,
    stream_id       text        NOT NULL,
    version         integer     NOT NULL,
    topic           text        NOT NULL,
    data            bytea       NOT NULL,
    recorded_at     timestamptz NOT NULL,
    actor           text        NOT NULL,
    role            text        NOT NULL,
    team_id         text,
    reason          text,
    correlation_id  text,
    causation_id    text,
    source          text,
    hash            bytea       NOT NULL,
    UNIQUE (stream_id, version)
);
CREATE INDEX events_recorded_at ON events (recorded_at);
CREATE INDEX events_actor ON events (actor, position);

-- One row per stream: its type and current version, for concurrency checks and lookups by id.
CREATE TABLE streams (
    stream_id   text    PRIMARY KEY,
    type        text    NOT NULL,
    version     integer NOT NULL
);

-- The head of the log. Its row lock serialises appends across all processes, so positions are
-- handed out in commit order and a reader never sees a later position before an earlier one.
CREATE TABLE event_log_head (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    position    bigint  NOT NULL,
    hash        bytea   NOT NULL
);
INSERT INTO event_log_head (position, hash) VALUES (0, '\x0000000000000000000000000000000000000000000000000000000000000000');

-- A retried request with the same key answers with the first result.
CREATE TABLE idempotency_keys (
    key         text        PRIMARY KEY,
    result      bytea       NOT NULL,
    position    bigint      NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Each projection's position in the log, updated in the same transaction as its read model.
CREATE TABLE projection_tracking (
    name        text    PRIMARY KEY,
    position    bigint  NOT NULL DEFAULT 0
);
