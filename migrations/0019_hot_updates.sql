-- Every append updates its streams' rows and the log's head row. On full pages those updates cannot stay on their
-- page (a HOT update), so each leaves a dead row version and a new index entry behind until autovacuum comes by (at
-- most once a minute); in a sustained intake run fewer than half of the streams' updates were HOT. Room on each
-- page keeps them HOT (96% in the same run), and a page's dead versions are pruned as it is read. Pages written from
-- now on get the room; VACUUM FULL gives it to an existing table's pages.
ALTER TABLE streams SET (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 1000);
ALTER TABLE event_log_head SET (fillfactor = 10);
