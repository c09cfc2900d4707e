-- A search by two names that few orders have together (issue 17, point
-- 6): before, the search read the orders of the longest word typed, a
-- window at a time, and checked each for the other words; when none of
-- them had those, it read SEARCH_SCAN_CAP orders (1,000) and stopped, so
-- that such a search cost more the more orders had the first name
-- ("simeun3 nik", bench/growth.c: 196 orders read at 10,000 orders, 1,000
-- at 1,000,000).  order_words now holds, beside an order's words, their
-- pairs: "~" the first " " the second, for the first 8 different words
-- of its names, and, for an order with more, "~" each word " *" (paired
-- with any); '~' and ' ' are never in a word, so no word's prefix range
-- holds a pair (store_int.h, words.c).  A search reads the pairs of the
-- longest word's words with the second word's prefix: the orders that
-- have both, whatever either name's count.
--
-- The pairs more than double the table's rows (a natural person's order:
-- 2 words, 2 pairs), which a rowid table keeps in three trees: the table
-- by rowid, its key's index and order_words_order (the 1,000,000-order
-- database 459 -> 649 MB).  Rebuilt WITHOUT ROWID, the table is its key's
-- tree: two (PostgreSQL keeps its table, migrations/pg/027).  migrate.c
-- writes every order's words again, pairs included, after this file.
DROP INDEX order_words_order;
DROP TABLE order_words;
CREATE TABLE order_words (
	word TEXT NOT NULL,
	order_id BIGINT NOT NULL REFERENCES orders (id),
	person INTEGER NOT NULL,
	PRIMARY KEY (word, order_id, person)
) WITHOUT ROWID;
CREATE INDEX order_words_order ON order_words (order_id, word);
