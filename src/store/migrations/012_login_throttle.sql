-- Login throttling without lockout (ASVS 6.3.1; web/throttle.c): failures
-- are counted per (account, address), per address and per account,
-- members and staff apart, with account names as keyed tags instead of
-- the text typed.  Rows past the window are deleted as tries are
-- counted, found by time; the keys of the old form are never read again.

DELETE FROM login_failures;
CREATE INDEX login_failures_at ON login_failures (at);
