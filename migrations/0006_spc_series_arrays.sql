-- The SPC series state is now binary columns (days, values, denominators) behind a small JSON header, not JSON
-- lists: rows in the old format cannot be read. Empty the read model and replay it from the log.
DELETE FROM spc_series;
UPDATE projection_tracking SET position = 0 WHERE name = 'spc';
