-- Registration authority staff and the tamper-evident audit log.

CREATE TABLE operators (
	id INTEGER PRIMARY KEY,
	username TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	role TEXT NOT NULL,
	office TEXT NOT NULL,
	totp_secret TEXT NOT NULL,
	totp_last_step BIGINT NOT NULL,
	totp_enrolled_at BIGINT NOT NULL,
	active INTEGER NOT NULL,
	created_at BIGINT NOT NULL
);

CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY,
	at BIGINT NOT NULL,
	actor TEXT NOT NULL,
	addr TEXT NOT NULL,
	action TEXT NOT NULL,
	object TEXT NOT NULL,
	outcome TEXT NOT NULL,
	detail TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_actor ON audit_log (actor, id);

-- Append-only: no code path may change or remove an entry.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit log is append-only');
END;
