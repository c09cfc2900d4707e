-- An order's history (store_order_events: every order page, the
-- member's and the staff's) read from its index alone.  With
-- order_events_order (order_id, id) each history read that index, then
-- each event's row in order_events by its id: at 1,000,000 orders both
-- trees are three levels deep and a random order's pages are in no
-- cache, so the order page read six pages of the two for its history
-- (bench/README.md, "Data growth").  With the event's other columns in
-- the index the table is not read: three.  Each event costs the same
-- two tree inserts as before; its columns are stored twice.
-- PostgreSQL keeps its index (migrations/pg/026): its index-only scans
-- depend on the visibility map, and an index entry there is limited to
-- about 2.7 kB, which a long note could pass.
DROP INDEX order_events_order;
CREATE INDEX order_events_order ON order_events (order_id, id, at, state, actor, note);
