-- An order's payment reference is a function of its id
-- (order_payment_ref, domain/order.c: "97", the two control digits and
-- the id zero-padded to 8 digits), written that way by every version
-- since the first.  It was stored as well: an UPDATE after each order's
-- INSERT (the id is known only then) and an index of its own, searched
-- by the back office alone.  It is now computed where an order is read
-- (store/orders.c), and a reference typed into the search finds its
-- order through the id (store/office.c).  The same file for both
-- backends.
DROP INDEX orders_payment_ref;
ALTER TABLE orders DROP COLUMN payment_ref;
