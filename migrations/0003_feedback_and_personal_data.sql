-- Per-person keys for personal details sealed inside events (crypto-shredding), and the erasures done.
CREATE TABLE person_keys (
    subject     text        PRIMARY KEY,
    key         bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE erased_subjects (
    subject     text        PRIMARY KEY,
    erased_by   text        NOT NULL,
    reason      text        NOT NULL,
    erased_at   timestamptz NOT NULL DEFAULT now()
);

-- Feedback from service users, as given (personal details still sealed).
CREATE TABLE feedback (
    feedback_id text        PRIMARY KEY,
    team_id     text        NOT NULL,
    measure_id  text,
    rating      integer,
    comment     text        NOT NULL,
    name        text,
    contact     text,
    given_by    text        NOT NULL,
    given_at    timestamptz NOT NULL,
    position    bigint      NOT NULL
);
CREATE INDEX feedback_team ON feedback (team_id, position);
