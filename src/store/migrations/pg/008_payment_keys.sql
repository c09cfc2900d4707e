-- PostgreSQL's 008_payment_keys.sql (src/store/db_pg_ddl.c): the
-- fingerprints become 16-byte keys in place (SQLite rebuilds the table),
-- computed as sq_fp_key does: an import's SHA-256 in hex keeps its first
-- 128 bits, anything else the first 128 bits of its SHA-256.
ALTER TABLE payments ALTER COLUMN fingerprint TYPE BYTEA USING
	CASE WHEN fingerprint ~ '^[0-9a-fA-F]{64}$'
		THEN substring(decode(fingerprint, 'hex') FROM 1 FOR 16)
		ELSE substring(sha256(convert_to(fingerprint, 'UTF8')) FROM 1 FOR 16) END;
-- As in ../008: payments_import is not kept (no query uses it).
DROP INDEX payments_import;
