-- An order's state in a narrow table of its own (issues 15 and 16,
-- bench scenario 7).  Every move of an order wrote its whole row of
-- some 40 columns, ~250 bytes: a statement import that settles ~35,000
-- orders dirtied nearly every page of the orders table, 1,700 of the
-- 4,600 pages its WAL took.  What a move changes (the state, when it
-- changed, when the order was confirmed) and what the back office's
-- queues select by (the office) now live here, one short row an order,
-- with the indexes the queues read (019); orders keeps what the member
-- typed and the prices.  A move is a compare-and-set on this row alone
-- (store/orders.c); a whole order is read as orders JOIN order_state.
-- On PostgreSQL order_id reads as an identity column (db_pg_ddl.c) that
-- is never asked for a value: the store always gives the order's.
CREATE TABLE order_state (
	order_id INTEGER PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
	office TEXT NOT NULL,
	state TEXT NOT NULL,
	updated_at BIGINT NOT NULL,
	confirmed_at BIGINT NOT NULL
);
INSERT INTO order_state (order_id, office, state, updated_at, confirmed_at)
	SELECT id, office, state, updated_at, confirmed_at FROM orders ORDER BY id;
DROP INDEX orders_office_state;
DROP INDEX orders_state_id;
DROP INDEX orders_office_id;
ALTER TABLE orders DROP COLUMN office;
ALTER TABLE orders DROP COLUMN state;
ALTER TABLE orders DROP COLUMN updated_at;
ALTER TABLE orders DROP COLUMN confirmed_at;
CREATE INDEX order_state_office ON order_state (office, state, order_id);
CREATE INDEX order_state_state ON order_state (state, order_id);
CREATE INDEX order_state_office_id ON order_state (office, order_id);
