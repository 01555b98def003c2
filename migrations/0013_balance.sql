-- Balance read model (projections/balance): how much of each aspect every team does, day by day, and who takes
-- part. A day is the UTC date the event was recorded; team_id '' holds the organisation's own events (no team).

-- Events by team, day, aspect, event type, actor and the role the actor acted in: the counts per aspect, the
-- distinct people and roles taking part, and the marks the rhythm indicators count (huddles held, audits and
-- inspections begun). One table, so a batch costs one write per touched row. Reads always name the teams (a team
-- with its sub-teams, or every team), so the primary key, team first, serves them; no other index slows a rebuild.
CREATE TABLE balance_activity (
    team_id     text        NOT NULL,
    day         date        NOT NULL,
    aspect      text        NOT NULL,
    event_type  text        NOT NULL,
    actor       text        NOT NULL,
    role        text        NOT NULL,
    events      integer     NOT NULL,
    position    bigint      NOT NULL,
    PRIMARY KEY (team_id, day, event_type, actor, role)
);

-- The days on which each measure received data: whether data is overdue for its frequency at any instant.
CREATE TABLE balance_measure_days (
    measure_id  text        NOT NULL,
    team_id     text        NOT NULL,
    day         date        NOT NULL,
    PRIMARY KEY (measure_id, day)
);
