-- Planning read models (projections/planning): plans, the organisation and its strategy, team membership.

-- Each plan as it stands: `document` is the fold of its events (projections/planning/plans.py); status is the
-- plan's own, or SUPERSEDED once a later plan of the same team and year was approved.
CREATE TABLE plans (
    plan_id             text        PRIMARY KEY,
    team_id             text        NOT NULL,
    year                integer     NOT NULL,
    title               text        NOT NULL,
    status              text        NOT NULL,
    approved_position   bigint,
    superseded_by       text,
    superseded_at       timestamptz,
    document            jsonb       NOT NULL,
    position            bigint      NOT NULL
);
CREATE INDEX plans_team_year ON plans (team_id, year DESC, position DESC);
CREATE INDEX plans_year_status ON plans (year, status);

CREATE TABLE organisations (
    organisation_id     text        PRIMARY KEY,
    name                text        NOT NULL,
    root_team_id        text        NOT NULL UNIQUE,
    directorates        text[]      NOT NULL DEFAULT '{}',
    position            bigint      NOT NULL
);

CREATE TABLE strategies (
    organisation_id     text        NOT NULL,
    year                integer     NOT NULL,
    vision              text        NOT NULL,
    mission             text        NOT NULL,
    priorities          jsonb       NOT NULL,
    reason              text        NOT NULL,
    set_by              text        NOT NULL,
    set_at              timestamptz NOT NULL,
    position            bigint      NOT NULL,
    PRIMARY KEY (organisation_id, year)
);

CREATE TABLE memberships (
    membership_id       text        PRIMARY KEY,
    team_id             text        NOT NULL,
    subject             text        NOT NULL,
    job_role            text        NOT NULL,
    starts              date        NOT NULL,
    ends                date,
    position            bigint      NOT NULL
);
CREATE INDEX memberships_team ON memberships (team_id);
CREATE INDEX memberships_subject ON memberships (subject);

-- Each measure's full definition as last specified (Measure.MeasureSpecified), with its external codes.
CREATE TABLE measure_specifications (
    measure_id          text        PRIMARY KEY,
    specification       jsonb       NOT NULL,
    reason              text        NOT NULL,
    specified_by        text        NOT NULL,
    specified_at        timestamptz NOT NULL,
    position            bigint      NOT NULL
);
-- One row per (system, code): a pair identifies at most one measure.
CREATE TABLE measure_codes (
    system              text        NOT NULL,
    code                text        NOT NULL,
    measure_id          text        NOT NULL,
    PRIMARY KEY (system, code)
);
CREATE INDEX measure_codes_measure ON measure_codes (measure_id);
