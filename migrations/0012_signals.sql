-- Signals: the read model (one row per signal, newest first per team) and the process manager's watch (each
-- measure's series and the latest point of its chart as the last recording left it).

CREATE TABLE signals (
    signal_id        text        PRIMARY KEY,
    team_id          text        NOT NULL,
    measure_id       text        NOT NULL,
    period           date        NOT NULL,
    kind             text        NOT NULL,   -- CONCERN, IMPROVEMENT
    basis            text        NOT NULL,   -- VARIATION, ASSURANCE
    rules            text[]      NOT NULL,
    detail           text        NOT NULL,
    raised_at        timestamptz NOT NULL,
    status           text        NOT NULL,   -- OPEN, ACKNOWLEDGED
    note             text,
    acknowledged_at  timestamptz,
    acknowledged_by  text,
    action_id        text,                   -- the action that answers it (counts as attended to)
    position         bigint      NOT NULL
);
CREATE INDEX signals_team_raised ON signals (team_id, raised_at DESC, signal_id);
CREATE INDEX signals_measure_open ON signals (measure_id) WHERE status = 'OPEN';

CREATE TABLE signal_watch (
    measure_id  text   PRIMARY KEY,
    team_id     text   NOT NULL,
    series      bytea  NOT NULL,
    latest      bytea,            -- [period, variation, rules, assurance] of the latest point, JSON
    position    bigint NOT NULL
);
