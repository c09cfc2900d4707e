-- PostgreSQL keeps order_events_order (order_id, id): see
-- ../026_order_history.sql, which puts the event's columns in the index
-- on SQLite.  Here an index-only scan depends on the visibility map,
-- and an index entry is limited to about 2.7 kB, which a long note
-- could pass.  Nothing to change.
SELECT 1;
