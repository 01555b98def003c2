-- Read models built by projections from the event log.

CREATE TABLE teams (
    team_id     text PRIMARY KEY,
    name        text NOT NULL,
    parent_id   text,
    created_at  timestamptz NOT NULL
);

CREATE TABLE measures (
    measure_id          text PRIMARY KEY,
    team_id             text NOT NULL,
    name                text NOT NULL,
    kind                text NOT NULL,
    direction           text NOT NULL,
    chart_type          text NOT NULL,
    frequency           text NOT NULL,
    unit                text,
    target              double precision,
    shift_run_length    integer NOT NULL,
    trend_run_length    integer NOT NULL,
    created_at          timestamptz NOT NULL
);
CREATE INDEX measures_team ON measures (team_id);

-- The SPC read model: per measure, the current series (columns packed as float64/int32 arrays)
-- and the chart computed from it, both as of `position`.
CREATE TABLE spc_series (
    measure_id      text    PRIMARY KEY,
    position        bigint  NOT NULL,
    state           bytea   NOT NULL,
    chart           bytea   NOT NULL
);
