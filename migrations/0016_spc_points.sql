-- The SPC read model stores what a chart is computed from, once: a small header per measure (settings, phases,
-- baseline, targets, annotations) and its points in append-only chunks of binary columns (projections/spc/
-- document.py). A batch writes the chunks it appended to, not the whole series and chart as before. The computed
-- chart is no longer stored: readers chart the series they read. Replay the read model from the log.
DROP TABLE spc_series;
CREATE TABLE spc_series (
    measure_id  text    PRIMARY KEY,
    position    bigint  NOT NULL,
    points      integer NOT NULL,  -- how many points the chunks hold
    state       bytea   NOT NULL   -- the header, JSON
);
CREATE TABLE spc_points (
    measure_id  text    NOT NULL,
    chunk       integer NOT NULL,  -- points chunk * CHUNK onwards, in period order
    days        bytea   NOT NULL,  -- int32 little-endian: days since 1970-01-01
    vals        bytea   NOT NULL,  -- float64 little-endian: values, or numerators of P and U charts
    dens        bytea,             -- float64 little-endian: denominators of P and U charts; NULL otherwise
    PRIMARY KEY (measure_id, chunk)
);
-- Binary floats hardly compress, and pglz costs more CPU than it saves: keep long values uncompressed.
ALTER TABLE spc_points ALTER COLUMN days SET STORAGE EXTERNAL;
ALTER TABLE spc_points ALTER COLUMN vals SET STORAGE EXTERNAL;
ALTER TABLE spc_points ALTER COLUMN dens SET STORAGE EXTERNAL;
UPDATE projection_tracking SET position = 0 WHERE name = 'spc';
