-- The position of the last event applied to each catalogue row: the version a cached answer depends on.
ALTER TABLE teams ADD COLUMN position bigint NOT NULL DEFAULT 0;
ALTER TABLE measures ADD COLUMN position bigint NOT NULL DEFAULT 0;
