-- PostgreSQL's 009_subject.sql (src/store/db_pg_ddl.c): the same as
-- ../009_subject.sql, with SQLite's UPDATE OR IGNORE and GLOB spelled for
-- PostgreSQL (a member whose license number, written without the
-- spaces, dashes and dots, is taken already keeps it as it was).
ALTER TABLE orders ADD COLUMN company_cert_name TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN name_differs BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN name_confirmed_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN name_confirmed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN returned_code TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN returned_text TEXT NOT NULL DEFAULT '';

UPDATE members AS m
   SET license_number = replace(replace(replace(m.license_number, ' ', ''), '-', ''), '.', '')
 WHERE m.license_number ~ '[ .-]'
   AND NOT EXISTS (SELECT 1 FROM members o WHERE o.license_number =
	replace(replace(replace(m.license_number, ' ', ''), '-', ''), '.', ''));
UPDATE orders
   SET license_number = replace(replace(replace(license_number, ' ', ''), '-', ''), '.', '')
 WHERE license_number ~ '[ .-]';
