-- Control read models: the action tracker, huddles and their problems, escalation levels and escalations.
-- Each row keeps the position of the last event applied to it (the version cached answers check).

CREATE TABLE actions (
    action_id       text        PRIMARY KEY,
    team_id         text        NOT NULL,
    title           text        NOT NULL,
    owner           text        NOT NULL,
    due_date        date        NOT NULL,
    status          text        NOT NULL,
    source_id       text,
    source_kind     text,
    measure_id      text,
    created_at      timestamptz NOT NULL,
    created_by      text        NOT NULL,
    closed_at       timestamptz,
    closing_note    text,       -- the evidence (DONE) or the reason (CANCELLED)
    position        bigint      NOT NULL
);
CREATE INDEX actions_team_due ON actions (team_id, due_date, action_id);
CREATE INDEX actions_open_due ON actions (due_date, action_id) WHERE status = 'OPEN';
CREATE INDEX actions_source ON actions (source_id) WHERE source_id IS NOT NULL;

-- Each action's status history: who did what, when and why.
CREATE TABLE action_steps (
    action_id   text        NOT NULL,
    position    bigint      NOT NULL,
    kind        text        NOT NULL,   -- CREATED, COMPLETED, CANCELLED, REASSIGNED, RESCHEDULED
    at          timestamptz NOT NULL,
    actor       text        NOT NULL,
    owner       text,
    due_date    date,
    note        text,
    PRIMARY KEY (action_id, position)
);

CREATE TABLE huddles (
    huddle_id   text        PRIMARY KEY,
    team_id     text        NOT NULL,
    held_on     date        NOT NULL,
    attendees   text[]      NOT NULL,
    measure_ids text[]      NOT NULL,
    recorded_at timestamptz NOT NULL,
    recorded_by text        NOT NULL,
    position    bigint      NOT NULL
);
CREATE INDEX huddles_team_held ON huddles (team_id, held_on DESC, huddle_id DESC);

CREATE TABLE huddle_problems (
    problem_id      text        PRIMARY KEY,
    huddle_id       text        NOT NULL,
    number          integer     NOT NULL,
    description     text        NOT NULL,
    status          text        NOT NULL,   -- SOLVED, OPEN, ESCALATED
    resolution      text,
    raised_by       text        NOT NULL,
    raised_at       timestamptz NOT NULL,
    escalation_id   text
);
CREATE INDEX huddle_problems_huddle ON huddle_problems (huddle_id, number);

-- The organisation's escalation levels, lowest first.
CREATE TABLE escalation_levels (
    rank                integer     PRIMARY KEY,
    name                text        NOT NULL,
    response_minutes    integer     NOT NULL,
    position            bigint      NOT NULL
);

CREATE TABLE escalations (
    escalation_id       text        PRIMARY KEY,
    team_id             text        NOT NULL,
    source_id           text        NOT NULL,
    source_kind         text,
    summary             text        NOT NULL,
    level               text        NOT NULL,
    response_minutes    integer     NOT NULL,   -- of the level, when the escalation reached it
    level_since         timestamptz NOT NULL,
    status              text        NOT NULL,   -- OPEN, ACKNOWLEDGED, RESOLVED
    raised_at           timestamptz NOT NULL,
    raised_by           text        NOT NULL,
    resolved_at         timestamptz,
    position            bigint      NOT NULL
);
CREATE INDEX escalations_team ON escalations (team_id, raised_at DESC);
CREATE INDEX escalations_open ON escalations (level_since) WHERE status <> 'RESOLVED';

CREATE TABLE escalation_steps (
    escalation_id   text        NOT NULL,
    position        bigint      NOT NULL,
    kind            text        NOT NULL,   -- RAISED, ACKNOWLEDGED, ESCALATED, RESOLVED
    at              timestamptz NOT NULL,
    actor           text        NOT NULL,
    level           text,
    note            text,
    PRIMARY KEY (escalation_id, position)
);
