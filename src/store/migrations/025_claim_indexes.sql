-- The mail worker's and the CA queue's claims take the item due first
-- ("ORDER BY next_attempt_at, id LIMIT 1", store/outbox.c, store/ca.c).
-- The indexes they had (outbox_due, ca_outbox_due: 001 and 006) lead
-- with sent_at or done_at and end, on PostgreSQL, in the row's place in
-- the table, not its id: with them each claim there read and sorted
-- every item waiting (2.5 ms a mail with 5,000 waiting in bench
-- scenario 6, where the worker then fell further behind), and with
-- statistics that lag a queue that grows by hundreds a second the
-- planner kept choosing them.  (SQLite's entries end in the rowid, the
-- id, so it read one either way.)  They give way to indexes of the
-- waiting items alone, in the claims' order; the delivered mail that
-- retention deletes by age (store/retention.c) keeps an index of its
-- own.  The same file for both backends.
DROP INDEX outbox_due;
DROP INDEX ca_outbox_due;
CREATE INDEX outbox_waiting ON outbox (next_attempt_at, id) WHERE sent_at IS NULL;
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX ca_outbox_waiting ON ca_outbox (next_attempt_at, id) WHERE done_at = 0;
