-- The SPC read model rewrites a measure's series and chart on every batch that touches it. pglz compression of
-- those values cost more CPU than the whole projection; store them out of line, uncompressed.
ALTER TABLE spc_series ALTER COLUMN state SET STORAGE EXTERNAL;
ALTER TABLE spc_series ALTER COLUMN chart SET STORAGE EXTERNAL;
