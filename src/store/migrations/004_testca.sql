-- The portal's record of what it sent to the CA, and the tables of the
-- in-process TEST CA (src/connector/testca.c, ca_connector = testca),
-- which exists for the tests and the demo only: a real deployment uses
-- the CA service and leaves the testca_* tables empty.

-- One row per order handed to a CA connector: the CA's reference is
-- what later shipments, status queries and revocations name.
CREATE TABLE ca_requests (
	order_id BIGINT PRIMARY KEY REFERENCES orders (id),
	connector TEXT NOT NULL,
	reference TEXT NOT NULL,
	submitted_at BIGINT NOT NULL
);

-- TEST CA: the batches it "ships" to a pickup office.
CREATE TABLE testca_shipments (
	id INTEGER PRIMARY KEY,
	reference TEXT NOT NULL UNIQUE,
	office TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	received_at BIGINT NOT NULL DEFAULT 0,
	received_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX testca_shipments_office ON testca_shipments (office, received_at);

-- TEST CA: each registration it accepted; issued_at = 0 while pending.
CREATE TABLE testca_requests (
	id INTEGER PRIMARY KEY,
	order_id BIGINT NOT NULL UNIQUE REFERENCES orders (id),
	reference TEXT NOT NULL UNIQUE,
	office TEXT NOT NULL,
	subject TEXT NOT NULL,
	submitted_at BIGINT NOT NULL,
	issued_at BIGINT NOT NULL DEFAULT 0,
	serial TEXT NOT NULL DEFAULT '',
	shipment_id BIGINT REFERENCES testca_shipments (id),
	revoked_at BIGINT NOT NULL DEFAULT 0,
	revoke_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX testca_requests_shipment ON testca_requests (shipment_id);

-- TEST CA: switches a test can turn (name 'submit_error': every
-- submission fails with that text until the row is removed).
CREATE TABLE testca_settings (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
