-- Login throttling without lockout (ASVS 6.3.1; web/throttle.c): failures
-- are counted per (account, address), per address and per account,
-- members and staff apart, with account names as keyed tags instead of
-- the text typed.  Rows past the window are deleted as tries are
-- counted, found by time; the keys of the old form are never read again.

DELETE FROM login_failures;
CREATE INDEX login_failures_at ON login_failures (at);

-- A password reset asked for an address with no account writes a token
-- as one with an account does (the same work, so the answer's timing
-- does not tell; web/account.c), but one that belongs to no account and
-- is used already, so it can never be redeemed.  SQLite cannot drop
-- NOT NULL in place: the table is rebuilt (nothing references it).
CREATE TABLE tokens_new (
	hash BLOB PRIMARY KEY,
	kind INTEGER NOT NULL,
	account_id BIGINT REFERENCES accounts (id),
	expires_at BIGINT NOT NULL,
	used_at BIGINT,
	CHECK (account_id IS NOT NULL OR used_at IS NOT NULL)
);
INSERT INTO tokens_new (hash, kind, account_id, expires_at, used_at)
	SELECT hash, kind, account_id, expires_at, used_at FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_new RENAME TO tokens;
