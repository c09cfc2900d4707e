-- Member register, member accounts, one-time tokens, sessions,
-- login throttling and the mail outbox.

CREATE TABLE members (
	id INTEGER PRIMARY KEY,
	license_number TEXT NOT NULL UNIQUE,
	first_name TEXT NOT NULL,
	last_name TEXT NOT NULL,
	jmbg TEXT NOT NULL,
	email TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);

CREATE TABLE accounts (
	id INTEGER PRIMARY KEY,
	member_id BIGINT NOT NULL UNIQUE REFERENCES members (id),
	username TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	email TEXT NOT NULL,
	lang TEXT NOT NULL DEFAULT 'sr',
	created_at BIGINT NOT NULL,
	confirmed_at BIGINT
);
CREATE INDEX accounts_email ON accounts (email);

CREATE TABLE tokens (
	hash BLOB PRIMARY KEY,
	kind INTEGER NOT NULL,
	account_id BIGINT NOT NULL REFERENCES accounts (id),
	expires_at BIGINT NOT NULL,
	used_at BIGINT
);

CREATE TABLE sessions (
	id_hash BLOB PRIMARY KEY,
	kind INTEGER NOT NULL,
	account_id BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_account ON sessions (kind, account_id);

CREATE TABLE login_failures (
	id INTEGER PRIMARY KEY,
	key TEXT NOT NULL,
	at BIGINT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

CREATE TABLE outbox (
	id INTEGER PRIMARY KEY,
	recipient TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at BIGINT NOT NULL,
	sent_at BIGINT,
	last_error TEXT
);
CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);
