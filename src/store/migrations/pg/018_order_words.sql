-- PostgreSQL's 018 (db_pg_ddl.c): as ../018_order_words.sql, with the
-- words compared byte by byte (COLLATE "C"), so that a prefix range
-- is the words that start with the prefix, whatever the locale.
--
-- Flat cost as the data grows (issue 17, point 6): the back office's
-- search reads indexes, never every order.  order_words holds the words
-- of an order's names folded (domain/fold.h: the holder's first and last
-- name, person = 1; the company's name, person = 0), written by the
-- store wherever an order's names are written (orders.c, retention.c);
-- a searched word is a prefix range on (word, order_id).  The exact
-- identifiers a search takes get their own indexes (the payment
-- reference has orders_payment_ref).  The words of the orders already
-- there are written by migrate.c after this file.
CREATE TABLE order_words (
	word TEXT COLLATE "C" NOT NULL,
	order_id BIGINT NOT NULL REFERENCES orders (id),
	person BIGINT NOT NULL,
	PRIMARY KEY (word, order_id, person)
);
CREATE INDEX order_words_order ON order_words (order_id, word);
CREATE INDEX orders_jmbg ON orders (jmbg);
CREATE INDEX orders_company_pib ON orders (company_pib);
CREATE INDEX orders_license ON orders (license_number);
