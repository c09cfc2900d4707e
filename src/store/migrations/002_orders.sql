-- Certificate orders and their status history.

CREATE TABLE orders (
	id INTEGER PRIMARY KEY,
	account_id BIGINT NOT NULL REFERENCES accounts (id),
	type INTEGER NOT NULL,
	state TEXT NOT NULL,
	first_name TEXT NOT NULL,
	last_name TEXT NOT NULL,
	jmbg TEXT NOT NULL,
	id_type TEXT NOT NULL,
	id_number TEXT NOT NULL,
	id_issuer TEXT NOT NULL,
	street TEXT NOT NULL,
	postal_code TEXT NOT NULL,
	city TEXT NOT NULL,
	email TEXT NOT NULL,
	phone TEXT NOT NULL,
	license_number TEXT NOT NULL,
	office TEXT NOT NULL,
	validity TEXT NOT NULL,
	card_reader INTEGER NOT NULL,
	position TEXT NOT NULL,
	company_name TEXT NOT NULL,
	company_mb TEXT NOT NULL,
	company_pib TEXT NOT NULL,
	company_street TEXT NOT NULL,
	company_postal_code TEXT NOT NULL,
	company_city TEXT NOT NULL,
	company_email TEXT NOT NULL,
	payment_ref TEXT NOT NULL,
	total_para BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	confirmed_at BIGINT NOT NULL
);
CREATE INDEX orders_account ON orders (account_id, id);
CREATE INDEX orders_payment_ref ON orders (payment_ref);
CREATE INDEX orders_office_state ON orders (office, state);

CREATE TABLE order_events (
	id INTEGER PRIMARY KEY,
	order_id BIGINT NOT NULL REFERENCES orders (id),
	at BIGINT NOT NULL,
	state TEXT NOT NULL,
	actor TEXT NOT NULL,
	note TEXT NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, id);
