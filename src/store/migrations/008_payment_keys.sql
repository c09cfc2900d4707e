-- Payment fingerprints stored as 16-byte keys instead of hex text
-- (store/sqlite_payments.c, sq_fp_key): an import's SHA-256 keeps its
-- first 128 bits, a manual payment's "m:..." the first 128 bits of its
-- SHA-256.  The unique index on them was the largest cost of a bank
-- statement import (bench/README.md).  SQLite cannot change a UNIQUE
-- column in place, so the table is rebuilt (nothing references it).

CREATE TABLE payments_new (
	id INTEGER PRIMARY KEY,
	order_id BIGINT REFERENCES orders (id),
	amount_para BIGINT NOT NULL CHECK (amount_para > 0),
	paid_on TEXT NOT NULL,
	payer TEXT NOT NULL,
	reference TEXT NOT NULL,
	purpose TEXT NOT NULL,
	bank_id TEXT NOT NULL,
	source TEXT NOT NULL CHECK (source = 'manual' OR source = 'import'),
	import_id BIGINT REFERENCES statement_imports (id),
	line BIGINT NOT NULL,
	-- 16 bytes (see above), NULL when none.  Unique: "recorded before".
	fingerprint BLOB UNIQUE,
	match_result TEXT NOT NULL CHECK (match_result = 'exact' OR match_result = 'partial' OR
		match_result = 'overpaid' OR match_result = 'unknown_reference'),
	resolution TEXT NOT NULL,
	resolved_at BIGINT,
	resolved_by TEXT NOT NULL,
	note TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	created_by TEXT NOT NULL
);
INSERT INTO payments_new
	SELECT id, order_id, amount_para, paid_on, payer, reference, purpose, bank_id, source,
		import_id, line, qcra_fp_key(fingerprint), match_result, resolution, resolved_at,
		resolved_by, note, created_at, created_by
	FROM payments ORDER BY id;
DROP TABLE payments;
ALTER TABLE payments_new RENAME TO payments;
-- payments_import (import_id, id) is not made again: no query uses it
-- (an import's open payments are found through payments_open), and
-- every imported payment paid for it.
CREATE INDEX payments_order ON payments (order_id, id);
CREATE INDEX payments_open ON payments (id) WHERE resolved_at IS NULL;
