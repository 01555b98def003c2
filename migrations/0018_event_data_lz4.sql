-- Event data compressed with lz4 rather than PostgreSQL's default (pglz). A bulk intake's events carry whole
-- columns (kilobytes each), which PostgreSQL compresses as it stores them; pglz took most of the time of a large
-- group commit, lz4 about a third of it, for somewhat larger rows. Only newly written values use it. A server
-- built without lz4 keeps the default, and says so.
DO $$
BEGIN
    ALTER TABLE events ALTER COLUMN data SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'this PostgreSQL server was built without lz4: event data keeps the default compression';
END
$$;
