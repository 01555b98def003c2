-- Integrations read model (projections/integrations.py): the hospital systems registered to post observations,
-- each with the team it serves and the measures it may write. The decision to let a write through is made on the
-- Integration aggregate itself (always current); this table serves the API's reads and `qms token --integration`.
CREATE TABLE integrations (
    integration_id  text        PRIMARY KEY,
    name            text        NOT NULL,
    team_id         text        NOT NULL,
    measure_ids     text[]      NOT NULL,
    retired         boolean     NOT NULL DEFAULT false,
    registered_by   text        NOT NULL,
    registered_at   timestamptz NOT NULL,
    reason          text,
    position        bigint      NOT NULL
);
CREATE INDEX integrations_team ON integrations (team_id);
