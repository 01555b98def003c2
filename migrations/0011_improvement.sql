-- Improvement read models (projections/improvement): each project, PDSA cycle, opportunity, driver diagram,
-- idea session, Pareto chart and flow chart as the fold of its own events (`document`), with its kind, team
-- and project (null for a project itself and for what belongs to no project).

CREATE TABLE improvement_documents (
    id          text        PRIMARY KEY,
    kind        text        NOT NULL,
    team_id     text        NOT NULL,
    project_id  text,
    document    jsonb       NOT NULL,
    position    bigint      NOT NULL
);
CREATE INDEX improvement_documents_project ON improvement_documents (project_id, kind, position)
    WHERE project_id IS NOT NULL;
CREATE INDEX improvement_documents_team ON improvement_documents (team_id, kind, position);
