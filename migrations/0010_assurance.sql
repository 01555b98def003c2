-- Assurance read models (projections/assurance): each document is the fold of its stream's events
-- (projections/assurance/*.py); team_id and position are kept beside it for lists and the answer cache.

CREATE TABLE audits (
    id          text    PRIMARY KEY,
    team_id     text    NOT NULL,
    document    jsonb   NOT NULL,
    position    bigint  NOT NULL
);
CREATE INDEX audits_team ON audits (team_id);

CREATE TABLE audit_programmes (
    id          text    PRIMARY KEY,
    team_id     text    NOT NULL,
    document    jsonb   NOT NULL,
    position    bigint  NOT NULL
);
CREATE INDEX audit_programmes_team ON audit_programmes (team_id);

CREATE TABLE inspections (
    id          text    PRIMARY KEY,
    team_id     text    NOT NULL,
    document    jsonb   NOT NULL,
    position    bigint  NOT NULL
);
CREATE INDEX inspections_team ON inspections (team_id);

CREATE TABLE guidance_documents (
    id          text    PRIMARY KEY,
    team_id     text    NOT NULL,
    document    jsonb   NOT NULL,
    position    bigint  NOT NULL
);

CREATE TABLE assessments (
    id          text    PRIMARY KEY,
    team_id     text    NOT NULL,
    document    jsonb   NOT NULL,
    position    bigint  NOT NULL
);
CREATE INDEX assessments_team ON assessments (team_id);

CREATE TABLE fishbones (
    id          text    PRIMARY KEY,
    team_id     text    NOT NULL,
    document    jsonb   NOT NULL,
    position    bigint  NOT NULL
);
CREATE INDEX fishbones_team ON fishbones (team_id);

-- Every finding of an audit or an inspection (source_kind: the source's table), addressable by its own id.
CREATE TABLE assurance_findings (
    id          text    PRIMARY KEY,
    source_id   text    NOT NULL,
    source_kind text    NOT NULL,
    team_id     text    NOT NULL,
    document    jsonb   NOT NULL,
    position    bigint  NOT NULL
);
CREATE INDEX assurance_findings_source ON assurance_findings (source_id);
