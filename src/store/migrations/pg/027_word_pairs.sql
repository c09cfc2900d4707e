-- PostgreSQL's 027: the pairs of words (../027_word_pairs.sql) go into
-- the same order_words table, written by migrate.c after this file.  A
-- PostgreSQL table is a heap beside its key's index, with no rowid tree
-- to drop as SQLite's rebuild WITHOUT ROWID does.  Nothing to change.
SELECT 1;
