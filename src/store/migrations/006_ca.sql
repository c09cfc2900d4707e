-- The portal's side of the CA service (src/connector/caservice.c):
-- the durable queue of what must reach the CA, the certificates the
-- CA issued for orders, the revocation requests, and the expiry
-- reminders that were mailed.

-- What the portal must still tell the CA: a registration to submit
-- (kind 'submit') or a revocation (kind 'revoke').  Written in the
-- transaction of the change that causes it; a worker delivers it,
-- retrying with backoff while the CA is unreachable.  One row per
-- order and kind: the CA's own idempotency (by order id) and this key
-- make it go once.  refused = 1: the CA answered with a clear refusal
-- (error holds its message); done_at <> 0: nothing left to do.
CREATE TABLE ca_outbox (
	id INTEGER PRIMARY KEY,
	order_id BIGINT NOT NULL REFERENCES orders (id),
	kind TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at BIGINT NOT NULL,
	done_at BIGINT NOT NULL DEFAULT 0,
	refused INTEGER NOT NULL DEFAULT 0,
	error TEXT NOT NULL DEFAULT '',
	UNIQUE (order_id, kind)
);
CREATE INDEX ca_outbox_due ON ca_outbox (done_at, next_attempt_at);

-- The certificate the CA issued for an order (public data only: the
-- holder's key stays on the card).
CREATE TABLE ca_certificates (
	order_id BIGINT PRIMARY KEY REFERENCES orders (id),
	serial TEXT NOT NULL,
	subject TEXT NOT NULL,
	not_before BIGINT NOT NULL,
	not_after BIGINT NOT NULL,
	pem TEXT NOT NULL,
	revoked_at BIGINT NOT NULL DEFAULT 0,
	revoke_reason TEXT NOT NULL DEFAULT '',
	recorded_at BIGINT NOT NULL
);
CREATE INDEX ca_certificates_expiry ON ca_certificates (not_after);

-- A revocation asked for by the member (or started by an operator on
-- a reported loss) and its confirmation by an operator.
CREATE TABLE ca_revocations (
	order_id BIGINT PRIMARY KEY REFERENCES orders (id),
	reason TEXT NOT NULL,
	requested_by TEXT NOT NULL,
	requested_at BIGINT NOT NULL,
	confirmed_by TEXT NOT NULL DEFAULT '',
	confirmed_at BIGINT NOT NULL DEFAULT 0
);

-- Expiry reminders mailed (days: 60, 30 or 7), each once.
CREATE TABLE ca_reminders (
	order_id BIGINT NOT NULL REFERENCES orders (id),
	days INTEGER NOT NULL,
	sent_at BIGINT NOT NULL,
	PRIMARY KEY (order_id, days)
);
