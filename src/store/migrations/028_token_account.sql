-- Setting a password ends every one-time link of the account that is
-- still open (store_token_void_account, store/accounts.c): an index of
-- the open tokens by account, so that this is not a scan of a table that
-- also holds every used or withheld token until retention removes it.
-- The same file for both backends.
CREATE INDEX tokens_open_account ON tokens (account_id) WHERE used_at IS NULL;
