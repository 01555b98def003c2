-- Balance read model (projections/balance): how much of each aspect every team does, day by day, and who takes
-- part. A day is the UTC date the event was recorded; team_id '' holds the organisation's own events (no team).

-- Events by team, day, aspect and event type: the counts, and the marks the rhythm indicators count
-- (huddles held, audits and inspections, plans approved).
CREATE TABLE balance_events (
    team_id     text        NOT NULL,
    day         date        NOT NULL,
    aspect      text        NOT NULL,
    event_type  text        NOT NULL,
    events      integer     NOT NULL,
    position    bigint      NOT NULL,
    PRIMARY KEY (team_id, day, event_type)
);
CREATE INDEX balance_events_day ON balance_events (day);

-- Who took part: by team, day, aspect, actor and the role the actor acted in.
CREATE TABLE balance_people (
    team_id     text        NOT NULL,
    day         date        NOT NULL,
    aspect      text        NOT NULL,
    actor       text        NOT NULL,
    role        text        NOT NULL,
    events      integer     NOT NULL,
    position    bigint      NOT NULL,
    PRIMARY KEY (team_id, day, aspect, actor, role)
);
CREATE INDEX balance_people_day ON balance_people (day);

-- The days on which each measure received data: whether data is overdue for its frequency at any instant.
CREATE TABLE balance_measure_days (
    measure_id  text        NOT NULL,
    team_id     text        NOT NULL,
    day         date        NOT NULL,
    PRIMARY KEY (measure_id, day)
);
CREATE INDEX balance_measure_days_team ON balance_measure_days (team_id, day);
