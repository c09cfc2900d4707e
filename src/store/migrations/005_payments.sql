-- Payments received for orders, recorded by hand or imported from bank
-- statements, and the statement imports themselves (issue 4).
--
-- A payment is never deleted or dropped: one that cannot be settled
-- automatically stays "open" (resolved_at IS NULL) until an operator
-- resolves it.  Amounts are in para (1/100 RSD).

-- One row per statement imported (web page or `qcra payments import`).
CREATE TABLE statement_imports (
	id INTEGER PRIMARY KEY,
	file_name TEXT NOT NULL,
	sha256 TEXT NOT NULL,            -- of the file's bytes, lowercase hex
	format TEXT NOT NULL,            -- 'csv' or 'camt.053'
	lines BIGINT NOT NULL,           -- credit lines read from the file
	added BIGINT NOT NULL,           -- payments recorded by this import
	duplicates BIGINT NOT NULL,      -- lines recorded before (same fingerprint)
	errors BIGINT NOT NULL,          -- lines that could not be read
	skipped BIGINT NOT NULL,         -- debits, zero, pending and reversed entries
	settled BIGINT NOT NULL,         -- orders moved to "payment received"
	unresolved BIGINT NOT NULL,      -- added payments left for an operator
	error_lines TEXT NOT NULL,       -- the first errors, "line N: why" per line
	created_at BIGINT NOT NULL,
	created_by TEXT NOT NULL
);
CREATE INDEX statement_imports_sha256 ON statement_imports (sha256);

CREATE TABLE payments (
	id INTEGER PRIMARY KEY,
	order_id BIGINT REFERENCES orders (id),  -- NULL: no order carries the reference
	amount_para BIGINT NOT NULL CHECK (amount_para > 0),
	paid_on TEXT NOT NULL,                   -- YYYY-MM-DD
	payer TEXT NOT NULL,
	reference TEXT NOT NULL,                 -- canonical "97CCN" or as given
	purpose TEXT NOT NULL,
	bank_id TEXT NOT NULL,                   -- the bank's transaction id, '' when none
	source TEXT NOT NULL CHECK (source = 'manual' OR source = 'import'),
	import_id BIGINT REFERENCES statement_imports (id),
	line BIGINT NOT NULL,                    -- line in the statement file, 0 for manual
	-- Imports: the statement line's fingerprint (domain/statement.h);
	-- manual: "m:" + the form's one-time nonce, so a double submit
	-- records one payment.  Unique: "recorded before".
	fingerprint TEXT UNIQUE,
	-- (CHECKs spelled with OR: SQLite builds a temporary table for an
	-- IN list of three or more on every insert.)
	match_result TEXT NOT NULL CHECK (match_result = 'exact' OR match_result = 'partial' OR
		match_result = 'overpaid' OR match_result = 'unknown_reference'),
	-- '' while open; 'paid' (settled the order when recorded), 'completed'
	-- (a partial payment a later one completed), 'accepted' or 'refunded'
	-- (an operator's decision, with a note).  Refunded payments do not
	-- count towards what an order has been paid.
	resolution TEXT NOT NULL,
	resolved_at BIGINT,                      -- NULL while open
	resolved_by TEXT NOT NULL,
	note TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	created_by TEXT NOT NULL
);
CREATE INDEX payments_order ON payments (order_id, id);
CREATE INDEX payments_import ON payments (import_id, id);
CREATE INDEX payments_open ON payments (id) WHERE resolved_at IS NULL;
