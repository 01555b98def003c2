-- The signals projection keeps each watched measure's series as the SPC read model does (migration 0016): the
-- header in signal_watch.series, the points in append-only chunks, so a batch writes what it appended rather than
-- the whole series. Rows in the old format cannot be read: empty the projection and replay it from the log (its
-- decisions depend only on the log, and re-raising a signal already in the log stores nothing new).
DELETE FROM signal_watch;
DELETE FROM signals;
ALTER TABLE signal_watch ADD COLUMN points integer NOT NULL DEFAULT 0;
CREATE TABLE signal_watch_points (
    measure_id  text    NOT NULL,
    chunk       integer NOT NULL,
    days        bytea   NOT NULL,
    vals        bytea   NOT NULL,
    dens        bytea,
    PRIMARY KEY (measure_id, chunk)
);
ALTER TABLE signal_watch_points ALTER COLUMN days SET STORAGE EXTERNAL;
ALTER TABLE signal_watch_points ALTER COLUMN vals SET STORAGE EXTERNAL;
ALTER TABLE signal_watch_points ALTER COLUMN dens SET STORAGE EXTERNAL;
UPDATE projection_tracking SET position = 0 WHERE name = 'signals';
