-- Flat cost as the data grows (issue 17, point 6): pages by key, each
-- read in id order through an index so that it reads a page's worth
-- (store/office.c: a state's orders at an office, at every office, and
-- every state at an office; the open payments already have
-- payments_open).  (office, state, id) replaces (office, state), which
-- PostgreSQL cannot read in id order.
DROP INDEX orders_office_state;
CREATE INDEX orders_office_state ON orders (office, state, id);
CREATE INDEX orders_state_id ON orders (state, id);
CREATE INDEX orders_office_id ON orders (office, id);
