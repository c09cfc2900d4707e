-- Signed requests (issue 19): an order's document (the request or the
-- contract) verified as signed by the holder's qualified certificate,
-- one row per order and document; the OCSP answer kept as it came.
CREATE TABLE order_signatures (
	order_id BIGINT NOT NULL REFERENCES orders (id),
	doc TEXT NOT NULL,
	signer TEXT NOT NULL,
	serial TEXT NOT NULL,
	status TEXT NOT NULL,
	signed_at BIGINT NOT NULL,
	verified_at BIGINT NOT NULL,
	ocsp BLOB,
	PRIMARY KEY (order_id, doc)
);
