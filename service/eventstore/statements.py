"""The event store's SQL: the columns of the log, what a group commit's plan reads, its one write, and the
notification every commit sends (service/eventstore/store.py runs them)."""

from __future__ import annotations

from collections.abc import Iterable

CHANNEL = "qms_events"
COLUMNS = ("position, stream_id, version, topic, data, recorded_at, actor, role, team_id, reason, "
            "correlation_id, causation_id, source, hash")
# The same with empty data, for a reader that needs only the envelopes (a projection that counts events by class):
# the data, kilobytes an event for a bulk intake's, is then neither read from its TOAST table, decompressed nor sent.
ENVELOPES = COLUMNS.replace(", data,", ", ''::bytea AS data,")
# What a group's decisions rest on, read in one statement (one snapshot): the head, the streams' versions and the
# idempotency keys already used. Each stream and key is looked up on its own (a LATERAL subquery with a LIMIT is
# never flattened into a join), so the look-ups take the primary keys whatever the tables' statistics say: a young
# table's estimates once made `= ANY(...)` read every key, at every commit, as the log grew.
READ_STATE = ("SELECT 'h', NULL, position, hash FROM event_log_head "
               "UNION ALL SELECT 's', n, v, NULL::bytea FROM unnest($1::text[]) AS n CROSS JOIN LATERAL "
               "(SELECT version::bigint FROM streams WHERE stream_id = n LIMIT 1) AS s(v) "
               "UNION ALL SELECT 'k', n, NULL, r FROM unnest($2::text[]) AS n CROSS JOIN LATERAL "
               "(SELECT result FROM idempotency_keys WHERE key = n LIMIT 1) AS k(r)")
# Every write of a group in one statement, column arrays unnested, applied only if the head is still where the
# group's plan expects it ($25), the streams it writes are at the versions the plan assumed ($16, $26) and none of
# the keys it stores ($19) is used: the head row's update takes its lock, and under READ COMMITTED it re-reads a
# head that another transaction moved and then matches nothing, so nothing is written and no row is returned. Since
# every append moves the head, an unmoved head means the streams and keys the plan read are unchanged too; the
# versions and keys are checked for a plan that did not read them (see _commit_group). What the events of a request
# share (topic, who, why, where from) is sent once ($7-$14), each event naming its row ($4); the group's events share
# one recorded_at ($6). The events' data travel as one bytea ($29), each event naming its slice ($5, $28): asyncpg
# encodes an array of 100 values of 4.8 kB in 0.9 ms of the event loop, one value of their length in 0.14 (in process,
# four spanning CSV chunks a round: asyncpg's own time 4.3 ms a round before, 3.1 after).
WRITE = ("WITH h AS (UPDATE event_log_head SET position = $22, hash = $23 WHERE position = $25 AND NOT EXISTS ("
          "SELECT FROM unnest($16::text[], $26::int[]) AS p(stream_id, version) LEFT JOIN streams s USING (stream_id) "
          "WHERE coalesce(s.version, 0) <> p.version) AND NOT EXISTS (SELECT FROM unnest($19::text[]) AS n "
          "CROSS JOIN LATERAL (SELECT FROM idempotency_keys WHERE key = n LIMIT 1) AS k) RETURNING 1), "
          f"e AS (INSERT INTO events ({COLUMNS}) SELECT e.position, e.stream_id, e.version, m.topic, "
          "substring($29::bytea FROM e.start + 1 FOR e.size), "
          "$6::timestamptz, m.actor, m.role, m.team_id, m.reason, m.correlation_id, m.causation_id, m.source, e.hash "
          "FROM unnest($1::bigint[], $2::text[], $3::int[], $4::int[], $5::int[], $28::int[], $15::bytea[]) "
          "AS e(position, stream_id, version, meta, start, size, hash) JOIN unnest($7::text[], $8::text[], $9::text[], "
          "$10::text[], $11::text[], $12::text[], $13::text[], $14::text[]) WITH ORDINALITY AS m(topic, actor, role, "
          "team_id, reason, correlation_id, causation_id, source, meta) USING (meta) WHERE EXISTS (SELECT FROM h)), "
          "s AS (INSERT INTO streams (stream_id, type, version) SELECT * FROM unnest($16::text[], $17::text[], "
          "$18::int[]) WHERE EXISTS (SELECT FROM h) ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version), "
          "k AS (INSERT INTO idempotency_keys (key, result, position) SELECT * FROM unnest($19::text[], $20::bytea[], "
          "$21::bigint[]) WHERE EXISTS (SELECT FROM h)) "
          "SELECT pg_notify($24, $27) FROM h")
# A commit's notification: `after before topic,topic,...,=bytes` (the head after it, the head before it, the topics
# of the events between, and the bytes of event data it wrote), so that a process hearing it knows which projections
# have nothing to read there, and whether bulk intake is committing (see Notifier.bulk_heard). The size comes last,
# as an entry no topic can be (topics are `module:Class.Event`), so that a process of the version before, which
# reads every entry as a topic, reads it as one no projection follows. Without the topics (over NOTIFY's 8,000
# bytes), `after before`: anything may have arrived.
MAX_NOTICE = 7900


def notice(after: int, before: int, topics: Iterable[str], size: int) -> str:
    said = f"{after} {before} " + ",".join(sorted(set(topics))) + f",={size}"
    return said if len(said) <= MAX_NOTICE else f"{after} {before}"
